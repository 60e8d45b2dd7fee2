package org.cairndns.server.query;

import static org.cairndns.server.query.QueryProcessorTest.ixfr;
import static org.cairndns.server.query.QueryProcessorTest.over;
import static org.cairndns.server.query.ZoneAnswererTest.ZONES;
import static org.cairndns.server.query.ZoneAnswererTest.query;
import static org.cairndns.server.query.ZoneAnswererTest.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.cairndns.request.Transport;
import org.cairndns.xfr.TransferResponder;
import org.cairndns.xfr.acl.TransferPolicy;
import org.cairndns.xfr.primary.TransferService;
import org.cairndns.xfr.primary.TransferSettings;
import org.cairndns.zone.ZoneSnapshot;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** AXFR and IXFR questions: the one-message answers over UDP, and the stream handed on over TCP. */
class TransferAnswererTest {
  static final Name ZONE = Name.fromConstantString("q.test.");
  static final String SOA = "q.test. SOA ns1.q.test. hm.q.test. 42 3600 600 86400 120";

  /** The primary side as the server runs it: loopback clients may transfer q.test. over TCP. */
  static final TransferResponder PRIMARY =
      new TransferService(
          ZONES::get,
          (zone, serial) -> Optional.empty(),
          new TransferSettings(
              65_000,
              0,
              10,
              2,
              Duration.ofMillis(50),
              Map.of(
                  ZONE,
                  new TransferPolicy(
                      List.of(
                          new TransferPolicy.Entry(
                              TransferPolicy.Cidr.parse("127.0.0.0/8"), null, null, null)),
                      Set.of(Transport.TCP))),
              Map.of()));

  final TransferAnswerer answerer = new TransferAnswerer(PRIMARY);

  /** The answer when it is one message, through the wire and back; fails when it is a stream. */
  Message single(TransferAnswerer transfers, Message query, ZoneSnapshot zone, Transport transport)
      throws Exception {
    Message parsed = new Message(query.toWire());
    Message r = QueryProcessor.response(parsed, Rcode.NOERROR);
    assertNull(transfers.answer(parsed, query.toWire(), zone, r, over(transport)), "a stream");
    return new Message(r.toWire());
  }

  @Test
  void ixfrOverUdpIsTheSoaForACurrentClientElseTc() throws Exception {
    for (long serial : new long[] {42, 43}) { // current, or newer than ours (RFC 1982)
      Message current = single(answerer, ixfr("q.test.", serial), ZONES.get(ZONE), Transport.UDP);
      assertEquals(Rcode.NOERROR, current.getRcode());
      assertTrue(current.getHeader().getFlag(Flags.AA));
      assertFalse(current.getHeader().getFlag(Flags.TC));
      assertEquals(List.of(SOA), records(current, Section.ANSWER), "serial " + serial);
    }
    for (Message behind :
        List.of(ixfr("q.test.", 41), query("q.test.", Type.IXFR))) { // older, or no SOA at all
      Message retry = single(answerer, behind, ZONES.get(ZONE), Transport.UDP);
      assertEquals(Rcode.NOERROR, retry.getRcode());
      assertTrue(retry.getHeader().getFlag(Flags.TC), "retry over TCP");
      assertTrue(retry.getSection(Section.ANSWER).isEmpty());
    }
  }

  @Test
  void axfrOverUdpIsFormerrAndAZoneWeDoNotHaveNotauth() throws Exception {
    assertEquals(
        Rcode.FORMERR,
        single(answerer, query("q.test.", Type.AXFR), ZONES.get(ZONE), Transport.UDP).getRcode());
    assertEquals(
        Rcode.NOTAUTH, single(answerer, ixfr("other.test.", 1), null, Transport.UDP).getRcode());
  }

  @Test
  void withoutAResponderStreamsAreRefused() throws Exception {
    TransferAnswerer none = new TransferAnswerer(null);
    for (int type : new int[] {Type.AXFR, Type.IXFR}) {
      assertEquals(
          Rcode.REFUSED,
          single(none, query("q.test.", type), ZONES.get(ZONE), Transport.TCP).getRcode());
    }
    assertEquals(
        List.of(SOA),
        records(single(none, ixfr("q.test.", 42), ZONES.get(ZONE), Transport.UDP), Section.ANSWER),
        "IXFR over UDP needs no responder");
  }

  @Test
  void overTcpTheResponderStreamsTheZone() throws Exception {
    Message query = query("q.test.", Type.AXFR);
    Message r = QueryProcessor.response(query, Rcode.NOERROR);
    Iterator<byte[]> messages =
        answerer.answer(query, query.toWire(), ZONES.get(ZONE), r, over(Transport.TCP));
    assertNotNull(messages);
    List<Record> records = new ArrayList<>();
    while (messages.hasNext()) {
      Message m = new Message(messages.next());
      assertEquals(Rcode.NOERROR, m.getRcode());
      records.addAll(m.getSection(Section.ANSWER));
    }
    assertEquals(
        ZONES.get(ZONE).records().size() + 1, records.size(), "every record, and the closing SOA");
    assertEquals(SOA, text(records.get(0)));
    assertEquals(SOA, text(records.get(records.size() - 1)));
  }

  private static String text(Record rr) {
    return rr.getName() + " " + Type.string(rr.getType()) + " " + rr.rdataToString();
  }
}
