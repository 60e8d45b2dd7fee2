package org.cairndns.zone.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cairndns.zone.TestZones;
import org.cairndns.zone.ZoneSnapshot;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/** Transfer responses as dnsjava reads and verifies them, message by message. */
class TransferMessagesTest {
  private static final Name ORIGIN = Name.fromConstantString("t.test.");
  private static final TSIG KEY =
      new TSIG("hmac-sha256", "xfr-key.", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0");
  private static final ZoneSnapshot ZONE = zone();

  private static ZoneSnapshot zone() {
    StringBuilder text =
        new StringBuilder("@ IN SOA ns hm 3 3600 600 86400 60\n@ IN NS ns\nns IN A 192.0.2.1\n");
    for (int i = 0; i < 1500; i++) {
      text.append("Host")
          .append(i)
          .append(" IN A 10.0.")
          .append(i / 256)
          .append('.')
          .append(i % 256)
          .append('\n');
      text.append("mail").append(i).append(" IN MX 10 host").append(i).append('\n');
    }
    return ZoneSnapshot.build(ORIGIN, TestZones.parse(ORIGIN.toString(), text.toString()));
  }

  private static Message request(int type, boolean signed) throws Exception {
    Message q = Message.newQuery(Record.newRecord(ORIGIN, type, DClass.IN));
    q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    if (signed) {
      q.setTSIG(KEY);
    }
    return new Message(q.toWire(65_535)); // dnsjava signs in toWire(max)
  }

  /** Every message, checked against the limit and, when signed, verified as a secondary would. */
  private static List<Message> render(TransferMessages messages, Message request, int limit)
      throws Exception {
    TSIG.StreamVerifier verifier =
        request.getTSIG() == null ? null : new TSIG.StreamVerifier(KEY, request.getTSIG());
    List<Message> out = new ArrayList<>();
    while (messages.hasNext()) {
      byte[] wire = messages.next();
      assertTrue(wire.length <= limit, "message of " + wire.length + " bytes");
      Message m = new Message(wire);
      if (verifier != null) {
        assertEquals(Rcode.NOERROR, verifier.verify(m, wire), "message " + out.size());
      }
      assertNotNull(m.getOPT(), "OPT on every message, as the request had it");
      assertEquals(out.isEmpty() ? 1 : 0, m.getHeader().getCount(Section.QUESTION));
      out.add(m);
    }
    return out;
  }

  private static List<Record> answers(List<Message> messages) {
    List<Record> all = new ArrayList<>();
    messages.forEach(m -> all.addAll(m.getSection(Section.ANSWER)));
    return all;
  }

  @Test
  void signedAndUnsignedAxfrCarryTheSameRecordsInAxfrOrder() throws Exception {
    Message plain = request(Type.AXFR, false);
    Message signed = request(Type.AXFR, true);
    List<Message> unsigned =
        render(TransferMessages.of(plain, ZONE.axfrRecords(), 4_000, 0, null), plain, 4_000);
    List<Message> withTsig =
        render(TransferMessages.of(signed, ZONE.axfrRecords(), 4_000, 0, KEY), signed, 4_000);
    assertTrue(withTsig.size() > 10, withTsig.size() + " messages");
    unsigned.forEach(m -> assertNull(m.getTSIG()));
    List<Record> expected = new ArrayList<>(ZONE.records());
    expected.add(ZONE.soa());
    assertEquals(expected, answers(unsigned));
    assertEquals(expected, answers(withTsig));
  }

  @Test
  void recordsGoOutInTheirOrderWithinTheRecordCap() throws Exception {
    Message request = request(Type.IXFR, true);
    List<Record> increment =
        List.of(ZONE.soa(), ZONE.records().get(1), ZONE.records().get(2), ZONE.soa());
    List<Message> messages =
        render(TransferMessages.of(request, increment, 65_000, 1, KEY), request, 65_000);
    assertEquals(4, messages.size());
    assertEquals(increment, answers(messages));
  }

  @Test
  void aTransferWithNothingToSendStillAnswersWithTheQuestion() throws Exception {
    Message request = request(Type.IXFR, false);
    List<Message> messages =
        render(TransferMessages.of(request, List.of(), 65_000, 0, null), request, 65_000);
    assertEquals(1, messages.size());
    assertEquals(request.getQuestion(), messages.get(0).getQuestion());
  }
}
