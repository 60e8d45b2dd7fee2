package org.cairndns.server.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.ZoneSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Bytes in, parsed response out: every rule of the processor, no sockets. */
class QueryProcessorTest {
  static final String ZONE_TEXT = """
      @ IN SOA ns1 hm 42 3600 600 86400 120
      @ IN NS ns1
      @ IN NS ns.elsewhere.test.
      @ IN MX 10 mail
      ns1 IN A 192.0.2.1
      mail IN A 192.0.2.25
      www IN A 192.0.2.80
      alias IN CNAME www
      chain IN CNAME alias
      loop1 IN CNAME loop2
      loop2 IN CNAME loop1
      out IN CNAME www.elsewhere.test.
      *.wild IN A 192.0.2.99
      d IN DNAME t.q.test.
      h.t IN A 192.0.2.55
      sub IN NS ns.sub
      ns.sub IN A 192.0.2.53
      big IN TXT "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
      big IN TXT "1123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
      big IN TXT "2123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
      big IN TXT "3123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
      big IN TXT "4123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
      big IN TXT "5123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
      """;
  static final ZoneSet ZONES = new ZoneSet();

  static {
    ZONES.publish(ZoneSnapshot.build(Name.fromConstantString("q.test."), parse("q.test.", ZONE_TEXT)));
  }

  final QueryProcessor processor = new QueryProcessor(ZONES, null, null,
      new QueryConfig(1232, Duration.ofSeconds(10), new QueryConfig.ChaosIdentity("Cairn test", "host1", null)));

  static List<Record> parse(String origin, String text) {
    return org.cairndns.server.ServerFixture.parse(origin, text);
  }

  static Requester over(Transport t) {
    return Requester.of(new InetSocketAddress("127.0.0.1", 5353), t);
  }

  Message ask(Message query, Transport transport) throws Exception {
    Outcome o = processor.handle(query.toWire(), over(transport));
    return new Message(assertInstanceOf(Outcome.Reply.class, o).wire());
  }

  static Message query(String name, int type) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  static final String SOA = "q.test. SOA ns1.q.test. hm.q.test. 42 3600 600 86400 120";

  static Stream<Arguments> answers() {
    // qname, qtype, rcode, aa, then the records (owner type rdata) of ANSWER, AUTHORITY and ADDITIONAL
    return Stream.of(
        Arguments.of("www.q.test.", Type.A, Rcode.NOERROR, true,
            List.of("www.q.test. A 192.0.2.80"), List.of(), List.of()),
        Arguments.of("www.q.test.", Type.MX, Rcode.NOERROR, true,
            List.of(), List.of(SOA), List.of()),
        Arguments.of("nope.q.test.", Type.A, Rcode.NXDOMAIN, true,
            List.of(), List.of(SOA), List.of()),
        Arguments.of("alias.q.test.", Type.A, Rcode.NOERROR, true,
            List.of("alias.q.test. CNAME www.q.test.", "www.q.test. A 192.0.2.80"), List.of(), List.of()),
        Arguments.of("chain.q.test.", Type.A, Rcode.NOERROR, true,
            List.of("chain.q.test. CNAME alias.q.test.", "alias.q.test. CNAME www.q.test.", "www.q.test. A 192.0.2.80"),
            List.of(), List.of()),
        Arguments.of("loop1.q.test.", Type.A, Rcode.SERVFAIL, true,
            List.of("loop1.q.test. CNAME loop2.q.test.", "loop2.q.test. CNAME loop1.q.test."), List.of(), List.of()),
        Arguments.of("out.q.test.", Type.A, Rcode.NOERROR, true,
            List.of("out.q.test. CNAME www.elsewhere.test."), List.of(), List.of()),
        Arguments.of("a.b.wild.q.test.", Type.A, Rcode.NOERROR, true,
            List.of("a.b.wild.q.test. A 192.0.2.99"), List.of(), List.of()),
        Arguments.of("h.d.q.test.", Type.A, Rcode.NOERROR, true,
            List.of("d.q.test. DNAME t.q.test.", "h.d.q.test. CNAME h.t.q.test.", "h.t.q.test. A 192.0.2.55"),
            List.of(), List.of()),
        Arguments.of("x.d.q.test.", Type.A, Rcode.NXDOMAIN, true,
            List.of("d.q.test. DNAME t.q.test.", "x.d.q.test. CNAME x.t.q.test."), List.of(SOA), List.of()),
        Arguments.of("www.sub.q.test.", Type.A, Rcode.NOERROR, false,
            List.of(), List.of("sub.q.test. NS ns.sub.q.test."), List.of("ns.sub.q.test. A 192.0.2.53")),
        Arguments.of("q.test.", Type.MX, Rcode.NOERROR, true,
            List.of("q.test. MX 10 mail.q.test."), List.of(), List.of("mail.q.test. A 192.0.2.25")),
        Arguments.of("www.elsewhere.test.", Type.A, Rcode.REFUSED, false,
            List.of(), List.of(), List.of()));
  }

  /** A section's records as "owner type rdata", in the order the response has them. */
  static List<String> records(Message r, int section) {
    return r.getSection(section).stream()
        .map(rr -> rr.getName() + " " + Type.string(rr.getType()) + " " + rr.rdataToString())
        .toList();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("answers")
  void answersFollowRfc1034(String qname, int qtype, int rcode, boolean aa,
      List<String> answer, List<String> authority, List<String> additional) throws Exception {
    Message r = ask(query(qname, qtype), Transport.UDP);
    assertEquals(rcode, r.getRcode(), r.toString());
    assertEquals(aa, r.getHeader().getFlag(Flags.AA), r.toString());
    assertEquals(answer, records(r, Section.ANSWER), r.toString());
    assertEquals(authority, records(r, Section.AUTHORITY), r.toString());
    assertEquals(additional, records(r, Section.ADDITIONAL), r.toString());
    assertTrue(r.getHeader().getFlag(Flags.QR));
    assertFalse(r.getHeader().getFlag(Flags.RA));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("answers")
  void cachedAnswersEqualFreshOnesButForId(String qname, int qtype) throws Exception {
    QueryProcessor fresh = new QueryProcessor(ZONES, null, null, QueryConfig.defaults());
    for (boolean edns : new boolean[] {false, true}) {
      Message first = query(qname, qtype);
      Message second = query(qname, qtype);
      if (edns) {
        first.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        second.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
      }
      processor.handle(first.toWire(), over(Transport.UDP)); // fills the cache
      byte[] cached = ((Outcome.Reply) processor.handle(second.toWire(), over(Transport.UDP))).wire();
      byte[] uncached = ((Outcome.Reply) fresh.handle(second.toWire(), over(Transport.UDP))).wire();
      assertArrayEquals(uncached, cached, qname + " edns=" + edns);
      assertEquals(second.getHeader().getID(), new Message(cached).getHeader().getID());
    }
  }

  /**
   * The cache folds case and EDNS size: a question asked first in lower case and then in another
   * case and size is answered from the same entry, byte for byte as the full path answers it
   * (question, owners and synthesized names in the asker's case).
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("answers")
  void cachedAnswersToOtherCasesAndSizesEqualFreshOnes(String qname, int qtype) throws Exception {
    QueryProcessor cached = new QueryProcessor(ZONES, null, null, QueryConfig.defaults());
    QueryProcessor fresh = new QueryProcessor(ZONES, null, null, QueryConfig.defaults());
    String mixed = mixedCase(qname);
    for (Transport t : new Transport[] {Transport.UDP, Transport.TCP}) {
      for (int size : new int[] {-1, 512, 1232, 1100, 700, 4096}) {
        cached.handle(withEdns(query(qname, qtype), size).toWire(), over(t)); // fills (or hits) the entry
        byte[] asked = withEdns(query(mixed, qtype), size + 1).toWire();
        byte[] fromCache = ((Outcome.Reply) cached.handle(asked, over(t))).wire();
        assertArrayEquals(((Outcome.Reply) fresh.handle(asked, over(t))).wire(), fromCache, mixed + " " + t + " edns=" + size);
        assertEquals(mixed, new Message(fromCache).getQuestion().getName().toString());
      }
    }
  }

  static String mixedCase(String name) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      sb.append(i % 2 == 0 ? Character.toUpperCase(name.charAt(i)) : name.charAt(i));
    }
    return sb.toString();
  }

  /** {@code name} with its letters upper-cased where the bits of {@code variant} say. */
  static String caseVariant(String name, int variant) {
    StringBuilder sb = new StringBuilder();
    int bit = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      sb.append(Character.isLetter(c) && (variant >> bit++ & 1) == 1 ? Character.toUpperCase(c) : c);
    }
    return sb.toString();
  }

  static Message withEdns(Message q, int size) {
    if (size > 0) {
      q.addRecord(new OPTRecord(size, 0, 0), Section.ADDITIONAL);
    }
    return q;
  }

  @Test
  void theCacheStaysWithinItsBytesWhateverTheVariants() throws Exception {
    QueryProcessor small = new QueryProcessor(ZONES, null, null, new QueryConfig(1232, Duration.ofSeconds(10), null, 20_000));
    for (int i = 0; i < 2_000; i++) {
      small.handle(withEdns(query("h" + i + ".wild.q.test.", Type.A), 512 + i).toWire(), over(Transport.TCP));
      assertTrue(small.responseCacheBytes() <= 20_000, small.responseCacheBytes() + " bytes");
    }
    // A thousand variants of one name (case and EDNS size) share one entry.
    QueryProcessor one = new QueryProcessor(ZONES, null, null, QueryConfig.defaults());
    one.handle(withEdns(query("big.q.test.", Type.TXT), 1232).toWire(), over(Transport.TCP));
    long single = one.responseCacheBytes();
    for (int i = 0; i < 1_000; i++) {
      String name = caseVariant("big.q.test.", i);
      byte[] asked = withEdns(query(name, Type.TXT), 512 + i * 3).toWire();
      Message r = new Message(((Outcome.Reply) one.handle(asked, over(Transport.TCP))).wire());
      assertEquals(name, r.getQuestion().getName().toString());
    }
    assertEquals(single, one.responseCacheBytes(), "one entry for every variant");
  }

  @Test
  void aNewZoneVersionIsNeverAnsweredFromTheCache() throws Exception {
    ZoneSet zones = new ZoneSet();
    zones.publish(ZoneSnapshot.build(Name.fromString("q.test."), parse("q.test.", ZONE_TEXT)));
    QueryProcessor p = new QueryProcessor(zones, null, null, QueryConfig.defaults());
    byte[] q = query("www.q.test.", Type.A).toWire();
    p.handle(q, over(Transport.UDP));
    zones.publish(ZoneSnapshot.build(Name.fromString("q.test."), parse("q.test.", ZONE_TEXT.replace("192.0.2.80", "192.0.2.81"))));
    Message r = new Message(((Outcome.Reply) p.handle(q, over(Transport.UDP))).wire());
    assertEquals("192.0.2.81", r.getSection(Section.ANSWER).get(0).rdataToString());
  }

  @Test
  void negativeAnswersCarrySoaWithMinimumTtl() throws Exception {
    Message r = ask(query("nope.q.test.", Type.A), Transport.UDP);
    Record soa = r.getSection(Section.AUTHORITY).get(0);
    assertEquals(Type.SOA, soa.getType());
    assertEquals(120, soa.getTTL(), "min(SOA TTL 300, minimum 120)");
  }

  @Test
  void referralHasGlueAndAdditionalAddresses() throws Exception {
    Message r = ask(query("www.sub.q.test.", Type.A), Transport.UDP);
    assertEquals("ns.sub.q.test.", r.getSection(Section.ADDITIONAL).get(0).getName().toString());
    Message mx = ask(query("q.test.", Type.MX), Transport.UDP);
    assertEquals(Type.A, mx.getSection(Section.ADDITIONAL).get(0).getType(), "address of the in-zone MX target");
  }

  @Test
  void questionCaseIsEchoed() throws Exception {
    Message r = ask(query("WwW.Q.tEsT.", Type.A), Transport.UDP);
    assertEquals("WwW.Q.tEsT.", r.getQuestion().getName().toString());
    assertEquals("WwW.Q.tEsT.", r.getSection(Section.ANSWER).get(0).getName().toString());
  }

  @Test
  void udpTruncatesAndTcpDoesNot() throws Exception {
    Message q = query("big.q.test.", Type.TXT); // ~650 bytes of answer, no EDNS: 512 limit
    Message udp = ask(q, Transport.UDP);
    assertTrue(udp.getHeader().getFlag(Flags.TC));
    Message tcp = ask(q, Transport.TCP);
    assertFalse(tcp.getHeader().getFlag(Flags.TC));
    assertEquals(6, tcp.getSection(Section.ANSWER).size());
    Message edns = query("big.q.test.", Type.TXT);
    edns.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
    assertFalse(ask(edns, Transport.UDP).getHeader().getFlag(Flags.TC), "fits in 1232");
  }

  @Test
  void ednsIsEchoedWithOurPayloadAndBadversForVersion1() throws Exception {
    Message q = query("www.q.test.", Type.A);
    q.addRecord(new OPTRecord(4096, 0, 0, Flags.DO), Section.ADDITIONAL);
    Message r = ask(q, Transport.UDP);
    assertEquals(1232, r.getOPT().getPayloadSize());
    assertEquals(Flags.DO, r.getOPT().getFlags() & Flags.DO);
    Message v1 = query("www.q.test.", Type.A);
    v1.addRecord(new OPTRecord(4096, 0, 1), Section.ADDITIONAL);
    assertEquals(Rcode.BADVERS, ask(v1, Transport.UDP).getRcode());
    assertNull(ask(query("www.q.test.", Type.A), Transport.UDP).getOPT(), "no OPT without EDNS");
  }

  @Test
  void keepaliveOnlyOverStreamsAndFormerrOverUdp() throws Exception {
    Message q = query("www.q.test.", Type.A);
    q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new GenericEDNSOption(11, new byte[0]))), Section.ADDITIONAL);
    Message tcp = ask(q, Transport.TCP);
    List<EDNSOption> ka = tcp.getOPT().getOptions(11);
    assertEquals(1, ka.size());
    byte[] option = ka.get(0).toWire();
    assertArrayEquals(new byte[] {0, 100}, java.util.Arrays.copyOfRange(option, 4, 6), "10 s in 100 ms units");
    assertEquals(Rcode.FORMERR, ask(q, Transport.UDP).getRcode());
  }

  @Test
  void paddingOnlyOverTlsInBlocksOf468() throws Exception {
    Message q = query("www.q.test.", Type.A);
    q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new GenericEDNSOption(12, new byte[8]))), Section.ADDITIONAL);
    byte[] tls = ((Outcome.Reply) processor.handle(q.toWire(), over(Transport.TLS))).wire();
    assertEquals(0, tls.length % 468, "padded to the block size");
    assertEquals(1, new Message(tls).getOPT().getOptions(12).size());
    byte[] tcp = ((Outcome.Reply) processor.handle(q.toWire(), over(Transport.TCP))).wire();
    assertTrue(new Message(tcp).getOPT().getOptions(12).isEmpty(), "never padded in the clear");
  }

  @Test
  void malformedRequests() throws Exception {
    assertInstanceOf(Outcome.Drop.class, processor.handle(new byte[5], over(Transport.UDP)));
    byte[] garbage = query("www.q.test.", Type.A).toWire();
    byte[] truncated = java.util.Arrays.copyOf(garbage, garbage.length - 3);
    Message formerr = new Message(((Outcome.Reply) processor.handle(truncated, over(Transport.UDP))).wire());
    assertEquals(Rcode.FORMERR, formerr.getRcode());
    Message response = query("www.q.test.", Type.A);
    response.getHeader().setFlag(Flags.QR);
    assertInstanceOf(Outcome.Drop.class, processor.handle(response.toWire(), over(Transport.UDP)), "responses are dropped");
    Message noQuestion = new Message();
    assertEquals(Rcode.FORMERR, ask(noQuestion, Transport.UDP).getRcode());
    Message update = query("www.q.test.", Type.A);
    update.getHeader().setOpcode(Opcode.UPDATE);
    assertEquals(Rcode.NOTIMP, ask(update, Transport.UDP).getRcode());
    Message twoOpt = query("www.q.test.", Type.A);
    twoOpt.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    byte[] wire = twoOpt.toWire();
    // Append a second OPT record by hand and bump ARCOUNT.
    byte[] opt = new OPTRecord(1232, 0, 0).toWire(Section.ADDITIONAL);
    byte[] doubled = java.util.Arrays.copyOf(wire, wire.length + opt.length);
    System.arraycopy(opt, 0, doubled, wire.length, opt.length);
    doubled[11] = 2;
    assertEquals(Rcode.FORMERR, new Message(((Outcome.Reply) processor.handle(doubled, over(Transport.UDP))).wire()).getRcode());
  }

  /**
   * A 42-byte query with TC=1 whose additional section is cut short: dnsjava keeps what it could
   * parse of a truncated message, and asking it for the missing last record (the TSIG) threw.
   */
  static byte[] truncatedAdditional() throws Exception {
    Message q = query("www.q.test.", Type.A);
    q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    byte[] wire = q.toWire();
    byte[] cut = java.util.Arrays.copyOf(wire, 42); // the OPT, then a few bytes of a second record
    cut[2] |= 0x02; // TC
    cut[11] = 2; // ARCOUNT
    return cut;
  }

  @Test
  void aTruncatedQueryWithAShortAdditionalSectionIsFormerrAndCounted() throws Exception {
    byte[] packet = truncatedAdditional();
    assertEquals(42, packet.length);
    long before = processor.malformedRequests();
    Message r = new Message(((Outcome.Reply) processor.handle(packet, over(Transport.UDP))).wire());
    assertEquals(Rcode.FORMERR, r.getRcode());
    assertEquals(packet[0], (byte) (r.getHeader().getID() >> 8));
    assertEquals(before + 1, processor.malformedRequests());
  }

  @Test
  void chaosIdentityAndRefusalWhenOff() throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString("version.bind."), Type.TXT, DClass.CH));
    Message r = ask(q, Transport.UDP);
    assertEquals(Rcode.NOERROR, r.getRcode());
    assertTrue(r.getSection(Section.ANSWER).get(0).rdataToString().contains("Cairn test"));
    QueryProcessor off = new QueryProcessor(ZONES, null, null, QueryConfig.defaults());
    Message refused = new Message(((Outcome.Reply) off.handle(q.toWire(), over(Transport.UDP))).wire());
    assertEquals(Rcode.REFUSED, refused.getRcode());
  }

  @Test
  void transfersWithoutAResponderAreRefusedAndAxfrOverUdpIsFormerr() throws Exception {
    assertEquals(Rcode.REFUSED, ask(query("q.test.", Type.AXFR), Transport.TCP).getRcode());
    assertEquals(Rcode.FORMERR, ask(query("q.test.", Type.AXFR), Transport.UDP).getRcode());
    Message ixfr = query("q.test.", Type.IXFR);
    ixfr.addRecord(parse("q.test.", "@ IN SOA ns1 hm 42 3600 600 86400 120\n").get(0), Section.AUTHORITY);
    Message current = ask(ixfr, Transport.UDP);
    assertEquals(1, current.getSection(Section.ANSWER).size(), "IXFR over UDP for a current serial: the SOA");
    Message old = query("q.test.", Type.IXFR);
    old.addRecord(parse("q.test.", "@ IN SOA ns1 hm 41 3600 600 86400 120\n").get(0), Section.AUTHORITY);
    assertTrue(ask(old, Transport.UDP).getHeader().getFlag(Flags.TC), "older serial: retry over TCP");
  }

  @Test
  void anyIsMinimalOverUdp() throws Exception {
    Message udp = ask(query("q.test.", Type.ANY), Transport.UDP);
    assertEquals(1, udp.getSection(Section.ANSWER).size());
    Message tcp = ask(query("q.test.", Type.ANY), Transport.TCP);
    assertTrue(tcp.getSection(Section.ANSWER).size() > 1);
    assertNotNull(tcp.getQuestion());
  }

  @Test
  void signaturesGoWithTheirRrsetAndAnswerTypeRrsig() throws Exception {
    String sig = " 13 3 300 20261231000000 20261101000000 12345 s.test. AAECAwQFBgcICQoLDA0ODw==";
    ZoneSet zones = new ZoneSet();
    zones.publish(ZoneSnapshot.build(Name.fromString("s.test."), parse("s.test.", """
        @ IN SOA ns1 hm 1 3600 600 86400 120
        @ IN NS ns1
        ns1 IN A 192.0.2.1
        www IN A 192.0.2.80
        www IN TXT "signed too"
        www IN RRSIG A""" + sig + "\nwww IN RRSIG TXT" + sig + "\n")));
    QueryProcessor signed = new QueryProcessor(zones, null, null, new QueryConfig(1232, Duration.ofSeconds(10), null));
    Message withDo = query("www.s.test.", Type.A);
    withDo.addRecord(new OPTRecord(1232, 0, 0, 0x8000), Section.ADDITIONAL);
    List<Record> a = new Message(((Outcome.Reply) signed.handle(withDo.toWire(), over(Transport.UDP))).wire())
        .getSection(Section.ANSWER);
    assertEquals(List.of(Type.A, Type.RRSIG), a.stream().map(Record::getType).toList(), "the A RRset and its own signature");
    assertEquals(Type.A, ((RRSIGRecord) a.get(1)).getTypeCovered());
    List<Record> rrsig = new Message(((Outcome.Reply) signed.handle(query("www.s.test.", Type.RRSIG).toWire(),
        over(Transport.UDP))).wire()).getSection(Section.ANSWER);
    assertEquals(Set.of(Type.A, Type.TXT), rrsig.stream().map(r -> ((RRSIGRecord) r).getTypeCovered()).collect(Collectors.toSet()),
        "type RRSIG: every signature at the name, and nothing else");
  }
}
