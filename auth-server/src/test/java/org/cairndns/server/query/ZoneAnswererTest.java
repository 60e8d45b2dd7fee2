package org.cairndns.server.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.cairndns.request.Transport;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.ZoneSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Ordinary questions answered from a zone: the RFC 1034 answer table and the rules beside it. */
class ZoneAnswererTest {
  static final String ZONE_TEXT =
      """
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
    ZONES.publish(
        ZoneSnapshot.build(Name.fromConstantString("q.test."), parse("q.test.", ZONE_TEXT)));
  }

  static final String SOA = "q.test. SOA ns1.q.test. hm.q.test. 42 3600 600 86400 120";

  static List<Record> parse(String origin, String text) {
    return org.cairndns.server.ServerFixture.parse(origin, text);
  }

  static Message query(String name, int type) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  /** A section's records as "owner type rdata", in the order the response has them. */
  static List<String> records(Message r, int section) {
    return r.getSection(section).stream()
        .map(rr -> rr.getName() + " " + Type.string(rr.getType()) + " " + rr.rdataToString())
        .toList();
  }

  /**
   * {@code query} answered from the zone in {@code zones} enclosing its name, through the wire and
   * back.
   */
  static Message ask(ZoneSet zones, Message query, Transport transport) throws Exception {
    Message parsed = new Message(query.toWire());
    Message r = QueryProcessor.response(parsed, Rcode.NOERROR);
    new ZoneAnswerer(zones)
        .answer(parsed, zones.find(parsed.getQuestion().getName()), r, transport);
    return new Message(r.toWire());
  }

  static Message ask(Message query, Transport transport) throws Exception {
    return ask(ZONES, query, transport);
  }

  static Stream<Arguments> answers() {
    // qname, qtype, rcode, aa, then the records (owner type rdata) of ANSWER, AUTHORITY and
    // ADDITIONAL
    return Stream.of(
        Arguments.of(
            "www.q.test.",
            Type.A,
            Rcode.NOERROR,
            true,
            List.of("www.q.test. A 192.0.2.80"),
            List.of(),
            List.of()),
        Arguments.of(
            "www.q.test.", Type.MX, Rcode.NOERROR, true, List.of(), List.of(SOA), List.of()),
        Arguments.of(
            "nope.q.test.", Type.A, Rcode.NXDOMAIN, true, List.of(), List.of(SOA), List.of()),
        Arguments.of(
            "alias.q.test.",
            Type.A,
            Rcode.NOERROR,
            true,
            List.of("alias.q.test. CNAME www.q.test.", "www.q.test. A 192.0.2.80"),
            List.of(),
            List.of()),
        Arguments.of(
            "chain.q.test.",
            Type.A,
            Rcode.NOERROR,
            true,
            List.of(
                "chain.q.test. CNAME alias.q.test.",
                "alias.q.test. CNAME www.q.test.",
                "www.q.test. A 192.0.2.80"),
            List.of(),
            List.of()),
        Arguments.of(
            "loop1.q.test.",
            Type.A,
            Rcode.SERVFAIL,
            true,
            List.of("loop1.q.test. CNAME loop2.q.test.", "loop2.q.test. CNAME loop1.q.test."),
            List.of(),
            List.of()),
        Arguments.of(
            "out.q.test.",
            Type.A,
            Rcode.NOERROR,
            true,
            List.of("out.q.test. CNAME www.elsewhere.test."),
            List.of(),
            List.of()),
        Arguments.of(
            "a.b.wild.q.test.",
            Type.A,
            Rcode.NOERROR,
            true,
            List.of("a.b.wild.q.test. A 192.0.2.99"),
            List.of(),
            List.of()),
        Arguments.of(
            "h.d.q.test.",
            Type.A,
            Rcode.NOERROR,
            true,
            List.of(
                "d.q.test. DNAME t.q.test.",
                "h.d.q.test. CNAME h.t.q.test.",
                "h.t.q.test. A 192.0.2.55"),
            List.of(),
            List.of()),
        Arguments.of(
            "x.d.q.test.",
            Type.A,
            Rcode.NXDOMAIN,
            true,
            List.of("d.q.test. DNAME t.q.test.", "x.d.q.test. CNAME x.t.q.test."),
            List.of(SOA),
            List.of()),
        Arguments.of(
            "www.sub.q.test.",
            Type.A,
            Rcode.NOERROR,
            false,
            List.of(),
            List.of("sub.q.test. NS ns.sub.q.test."),
            List.of("ns.sub.q.test. A 192.0.2.53")),
        Arguments.of(
            "q.test.",
            Type.MX,
            Rcode.NOERROR,
            true,
            List.of("q.test. MX 10 mail.q.test."),
            List.of(),
            List.of("mail.q.test. A 192.0.2.25")));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("answers")
  void answersFollowRfc1034(
      String qname,
      int qtype,
      int rcode,
      boolean aa,
      List<String> answer,
      List<String> authority,
      List<String> additional)
      throws Exception {
    Message r = ask(query(qname, qtype), Transport.UDP);
    assertEquals(rcode, r.getRcode(), r.toString());
    assertEquals(aa, r.getHeader().getFlag(Flags.AA), r.toString());
    assertEquals(answer, records(r, Section.ANSWER), r.toString());
    assertEquals(authority, records(r, Section.AUTHORITY), r.toString());
    assertEquals(additional, records(r, Section.ADDITIONAL), r.toString());
    assertTrue(r.getHeader().getFlag(Flags.QR));
    assertFalse(r.getHeader().getFlag(Flags.RA));
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
    assertEquals(
        Type.A,
        mx.getSection(Section.ADDITIONAL).get(0).getType(),
        "address of the in-zone MX target");
  }

  @Test
  void answerOwnersTakeTheQuestionsCase() throws Exception {
    Message r = ask(query("WwW.Q.tEsT.", Type.A), Transport.UDP);
    assertEquals("WwW.Q.tEsT.", r.getSection(Section.ANSWER).get(0).getName().toString());
  }

  @Test
  void anyIsMinimalOverUdp() throws Exception {
    Message udp = ask(query("q.test.", Type.ANY), Transport.UDP);
    assertEquals(1, udp.getSection(Section.ANSWER).size());
    Message tcp = ask(query("q.test.", Type.ANY), Transport.TCP);
    assertTrue(tcp.getSection(Section.ANSWER).size() > 1);
    assertEquals(
        Set.of(Type.SOA, Type.NS, Type.MX),
        tcp.getSection(Section.ANSWER).stream().map(Record::getType).collect(Collectors.toSet()));
  }

  @Test
  void signaturesGoWithTheirRrsetAndAnswerTypeRrsig() throws Exception {
    String sig = " 13 3 300 20261231000000 20261101000000 12345 s.test. AAECAwQFBgcICQoLDA0ODw==";
    ZoneSet zones = new ZoneSet();
    zones.publish(
        ZoneSnapshot.build(
            Name.fromString("s.test."),
            parse(
                "s.test.",
                """
        @ IN SOA ns1 hm 1 3600 600 86400 120
        @ IN NS ns1
        ns1 IN A 192.0.2.1
        www IN A 192.0.2.80
        www IN TXT "signed too"
        www IN RRSIG A"""
                    + sig
                    + "\nwww IN RRSIG TXT"
                    + sig
                    + "\n")));
    Message withDo = query("www.s.test.", Type.A);
    withDo.addRecord(new OPTRecord(1232, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
    List<Record> a = ask(zones, withDo, Transport.UDP).getSection(Section.ANSWER);
    assertEquals(
        List.of(Type.A, Type.RRSIG),
        a.stream().map(Record::getType).toList(),
        "the A RRset and its own signature");
    assertEquals(Type.A, ((RRSIGRecord) a.get(1)).getTypeCovered());
    List<Record> withoutDo =
        ask(zones, query("www.s.test.", Type.A), Transport.UDP).getSection(Section.ANSWER);
    assertEquals(
        List.of(Type.A),
        withoutDo.stream().map(Record::getType).toList(),
        "no signature without DO");
    List<Record> rrsig =
        ask(zones, query("www.s.test.", Type.RRSIG), Transport.UDP).getSection(Section.ANSWER);
    assertEquals(
        Set.of(Type.A, Type.TXT),
        rrsig.stream().map(r -> ((RRSIGRecord) r).getTypeCovered()).collect(Collectors.toSet()),
        "type RRSIG: every signature at the name, and nothing else");
  }
}
