package org.cairndns.server.query;

import static org.cairndns.server.query.ZoneAnswererTest.ZONES;
import static org.cairndns.server.query.ZoneAnswererTest.ZONE_TEXT;
import static org.cairndns.server.query.ZoneAnswererTest.parse;
import static org.cairndns.server.query.ZoneAnswererTest.query;
import static org.cairndns.server.query.ZoneAnswererTest.records;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
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
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * Bytes in, parsed response out: the processor's own rules (header, OPT, TSIG, class, zone, the
 * response cache, size limits) and that each kind of request reaches its answerer. No sockets.
 */
class QueryProcessorTest {
  final QueryProcessor processor =
      new QueryProcessor(
          ZONES,
          null,
          null,
          new QueryConfig(
              1232,
              Duration.ofSeconds(10),
              new QueryConfig.ChaosIdentity("Cairn test", "host1", null)));

  static Requester over(Transport t) {
    return Requester.of(new InetSocketAddress("127.0.0.1", 5353), t);
  }

  Message ask(Message query, Transport transport) throws Exception {
    Outcome o = processor.handle(query.toWire(), over(transport));
    return new Message(assertInstanceOf(Outcome.Reply.class, o).wire());
  }

  /** The questions of the answer table, and one outside our zones. */
  static Stream<Arguments> questions() {
    return Stream.concat(
        ZoneAnswererTest.answers(), Stream.of(Arguments.of("www.elsewhere.test.", Type.A)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("questions")
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
      byte[] cached =
          ((Outcome.Reply) processor.handle(second.toWire(), over(Transport.UDP))).wire();
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
  @MethodSource("questions")
  void cachedAnswersToOtherCasesAndSizesEqualFreshOnes(String qname, int qtype) throws Exception {
    QueryProcessor cached = new QueryProcessor(ZONES, null, null, QueryConfig.defaults());
    QueryProcessor fresh = new QueryProcessor(ZONES, null, null, QueryConfig.defaults());
    String mixed = mixedCase(qname);
    for (Transport t : new Transport[] {Transport.UDP, Transport.TCP}) {
      for (int size : new int[] {-1, 512, 1232, 1100, 700, 4096}) {
        cached.handle(
            withEdns(query(qname, qtype), size).toWire(), over(t)); // fills (or hits) the entry
        byte[] asked = withEdns(query(mixed, qtype), size + 1).toWire();
        byte[] fromCache = ((Outcome.Reply) cached.handle(asked, over(t))).wire();
        assertArrayEquals(
            ((Outcome.Reply) fresh.handle(asked, over(t))).wire(),
            fromCache,
            mixed + " " + t + " edns=" + size);
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
      sb.append(
          Character.isLetter(c) && (variant >> bit++ & 1) == 1 ? Character.toUpperCase(c) : c);
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
    QueryProcessor small =
        new QueryProcessor(
            ZONES, null, null, new QueryConfig(1232, Duration.ofSeconds(10), null, 20_000));
    for (int i = 0; i < 2_000; i++) {
      small.handle(
          withEdns(query("h" + i + ".wild.q.test.", Type.A), 512 + i).toWire(),
          over(Transport.TCP));
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
    zones.publish(
        ZoneSnapshot.build(
            Name.fromString("q.test."),
            parse("q.test.", ZONE_TEXT.replace("192.0.2.80", "192.0.2.81"))));
    Message r = new Message(((Outcome.Reply) p.handle(q, over(Transport.UDP))).wire());
    assertEquals("192.0.2.81", r.getSection(Section.ANSWER).get(0).rdataToString());
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
    q.addRecord(
        new OPTRecord(1232, 0, 0, 0, List.of(new GenericEDNSOption(11, new byte[0]))),
        Section.ADDITIONAL);
    Message tcp = ask(q, Transport.TCP);
    List<EDNSOption> ka = tcp.getOPT().getOptions(11);
    assertEquals(1, ka.size());
    byte[] option = ka.get(0).toWire();
    assertArrayEquals(
        new byte[] {0, 100}, java.util.Arrays.copyOfRange(option, 4, 6), "10 s in 100 ms units");
    assertEquals(Rcode.FORMERR, ask(q, Transport.UDP).getRcode());
  }

  @Test
  void paddingOnlyOverTlsInBlocksOf468() throws Exception {
    Message q = query("www.q.test.", Type.A);
    q.addRecord(
        new OPTRecord(1232, 0, 0, 0, List.of(new GenericEDNSOption(12, new byte[8]))),
        Section.ADDITIONAL);
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
    Message formerr =
        new Message(((Outcome.Reply) processor.handle(truncated, over(Transport.UDP))).wire());
    assertEquals(Rcode.FORMERR, formerr.getRcode());
    Message response = query("www.q.test.", Type.A);
    response.getHeader().setFlag(Flags.QR);
    assertInstanceOf(
        Outcome.Drop.class,
        processor.handle(response.toWire(), over(Transport.UDP)),
        "responses are dropped");
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
    assertEquals(
        Rcode.FORMERR,
        new Message(((Outcome.Reply) processor.handle(doubled, over(Transport.UDP))).wire())
            .getRcode());
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

  static Message notifyOf(String zone) throws Exception {
    Message n = query(zone, Type.SOA);
    n.getHeader().setOpcode(Opcode.NOTIFY);
    return n;
  }

  static Message ixfr(String zone, long serial) throws Exception {
    Message q = query(zone, Type.IXFR);
    q.addRecord(
        parse(zone, "@ IN SOA ns1 hm " + serial + " 3600 600 86400 120\n").get(0),
        Section.AUTHORITY);
    return q;
  }

  static Stream<Arguments> kinds() throws Exception {
    // what is asked, over which transport; then the rcode, AA, and the answer section
    return Stream.of(
        Arguments.of(
            "ordinary question",
            query("www.q.test.", Type.A),
            Transport.UDP,
            Rcode.NOERROR,
            true,
            List.of("www.q.test. A 192.0.2.80")),
        Arguments.of(
            "outside our zones",
            query("www.elsewhere.test.", Type.A),
            Transport.UDP,
            Rcode.REFUSED,
            false,
            List.of()),
        Arguments.of(
            "meta type",
            query("www.q.test.", Type.MAILA),
            Transport.UDP,
            Rcode.NOTIMP,
            false,
            List.of()),
        Arguments.of("NOTIFY", notifyOf("q.test."), Transport.UDP, Rcode.NOERROR, true, List.of()),
        Arguments.of(
            "CHAOS",
            Message.newQuery(
                Record.newRecord(Name.fromString("version.bind."), Type.TXT, DClass.CH)),
            Transport.UDP,
            Rcode.NOERROR,
            true,
            List.of("version.bind. TXT \"Cairn test\"")),
        Arguments.of(
            "class HS",
            Message.newQuery(Record.newRecord(Name.fromString("www.q.test."), Type.A, DClass.HS)),
            Transport.UDP,
            Rcode.REFUSED,
            false,
            List.of()),
        Arguments.of(
            "IXFR over UDP",
            ixfr("q.test.", 42),
            Transport.UDP,
            Rcode.NOERROR,
            true,
            List.of("q.test. SOA ns1.q.test. hm.q.test. 42 3600 600 86400 120")),
        Arguments.of(
            "AXFR without a responder",
            query("q.test.", Type.AXFR),
            Transport.TCP,
            Rcode.REFUSED,
            false,
            List.of()));
  }

  /**
   * The dispatch: each kind of request is answered by its answerer (whose own tests hold the
   * details).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void eachKindReachesItsAnswerer(
      String kind, Message request, Transport transport, int rcode, boolean aa, List<String> answer)
      throws Exception {
    QueryProcessor withNotify =
        new QueryProcessor(
            ZONES,
            null,
            (n, from) -> Rcode.NOERROR,
            new QueryConfig(
                1232,
                Duration.ofSeconds(10),
                new QueryConfig.ChaosIdentity("Cairn test", "host1", null)));
    Message r =
        new Message(
            assertInstanceOf(
                    Outcome.Reply.class, withNotify.handle(request.toWire(), over(transport)))
                .wire());
    assertEquals(rcode, r.getRcode(), r.toString());
    assertEquals(aa, r.getHeader().getFlag(Flags.AA), r.toString());
    assertEquals(request.getHeader().getOpcode(), r.getHeader().getOpcode());
    assertEquals(answer, records(r, Section.ANSWER), r.toString());
  }

  /**
   * A reload publishes new settings whole: the next request is answered under them (a cached answer
   * rendered under the old ones is not served), and a key rotated refuses the old secret.
   */
  @Test
  void publishedSettingsAnswerTheNextRequest() throws Exception {
    TSIG one = new TSIG(TSIG.HMAC_SHA256, "k.", "c2VjcmV0LW9uZQ==");
    TSIG two = new TSIG(TSIG.HMAC_SHA256, "k.", "c2VjcmV0LXR3bw==");
    QueryConfig before = new QueryConfig(1232, Duration.ofSeconds(10), null);
    QueryProcessor p =
        new QueryProcessor(
            ZONES, null, null, before, java.util.Map.of(Name.fromConstantString("k."), one));
    Message chaos =
        Message.newQuery(Record.newRecord(Name.fromString("version.bind."), Type.TXT, DClass.CH));
    Message plain = withEdns(query("www.q.test.", Type.A), 4096);
    assertEquals(Rcode.REFUSED, answer(p, chaos).getRcode(), "CHAOS off");
    assertEquals(1232, answer(p, plain).getOPT().getPayloadSize());
    Message signed = query("www.q.test.", Type.A);
    signed.setTSIG(one, Rcode.NOERROR, null);
    assertEquals(Rcode.NOERROR, answer(p, signed).getRcode());

    p.publish(
        new QueryConfig(
            1400, Duration.ofSeconds(10), new QueryConfig.ChaosIdentity("v2", null, null)),
        java.util.Map.of(Name.fromConstantString("k."), two));
    assertEquals(List.of("version.bind. TXT \"v2\""), records(answer(p, chaos), Section.ANSWER));
    assertEquals(1400, answer(p, plain).getOPT().getPayloadSize(), "not the cached answer");
    signed = query("www.q.test.", Type.A);
    signed.setTSIG(one, Rcode.NOERROR, null);
    assertEquals(Rcode.NOTAUTH, answer(p, signed).getRcode(), "the old secret");
    signed = query("www.q.test.", Type.A);
    signed.setTSIG(two, Rcode.NOERROR, null);
    assertEquals(Rcode.NOERROR, answer(p, signed).getRcode(), "the new secret");
  }

  /** {@code query} answered over UDP; rendered with a length limit, which is what signs it. */
  static Message answer(QueryProcessor p, Message query) throws Exception {
    return new Message(
        assertInstanceOf(Outcome.Reply.class, p.handle(query.toWire(65535), over(Transport.UDP)))
            .wire());
  }

  /**
   * A secondary zone not transferred yet answers SERVFAIL with EDE 14 Not Ready (with EDNS), one
   * past its expiry SERVFAIL: for questions and for transfers alike.
   */
  @Test
  void unavailableZonesAreServfail() throws Exception {
    ZoneSet zones = new ZoneSet();
    zones.publish(ZoneSnapshot.build(Name.fromString("q.test."), parse("q.test.", ZONE_TEXT)));
    zones.markNotReady(Name.fromString("sec.q.test."));
    QueryProcessor p = new QueryProcessor(zones, null, null, QueryConfig.defaults());
    Message r =
        new Message(
            ((Outcome.Reply)
                    p.handle(
                        withEdns(query("www.sec.q.test.", Type.A), 1232).toWire(),
                        over(Transport.UDP)))
                .wire());
    assertEquals(Rcode.SERVFAIL, r.getRcode());
    assertEquals(
        List.of(ExtendedErrorCodeOption.NOT_READY),
        r.getOPT().getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR).stream()
            .map(o -> ((ExtendedErrorCodeOption) o).getErrorCode())
            .toList());
    assertEquals(
        Rcode.NOERROR,
        new Message(
                ((Outcome.Reply)
                        p.handle(query("www.q.test.", Type.A).toWire(), over(Transport.UDP)))
                    .wire())
            .getRcode(),
        "the parent zone is answered");
    zones.setExpired(Name.fromString("q.test."), true);
    for (Message asked : List.of(query("www.q.test.", Type.A), ixfr("q.test.", 41))) {
      Message expired =
          new Message(((Outcome.Reply) p.handle(asked.toWire(), over(Transport.UDP))).wire());
      assertEquals(Rcode.SERVFAIL, expired.getRcode(), expired.toString());
      assertTrue(expired.getSection(Section.ANSWER).isEmpty());
    }
  }
}
