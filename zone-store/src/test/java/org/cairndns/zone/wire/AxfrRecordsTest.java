package org.cairndns.zone.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cairndns.zone.TestZones;
import org.cairndns.zone.ZoneSnapshot;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/** AXFR written from a snapshot's bytes, read back by dnsjava message by message. */
class AxfrRecordsTest {
  /** Renders every message of {@code zone}'s AXFR at {@code limit} bytes; returns their answers. */
  static List<List<Record>> messages(ZoneSnapshot zone, int limit) throws Exception {
    List<List<Record>> messages = new ArrayList<>();
    AxfrRecords axfr = zone.axfrRecords();
    while (axfr.hasMore()) {
      DNSOutput out = new DNSOutput();
      out.writeU16(1);
      out.writeU16(0x8400);
      out.writeU16(0);
      out.writeU16(0); // ANCOUNT, patched
      out.writeU32(0);
      axfr.startMessage();
      int count = 0;
      while (axfr.hasMore() && axfr.writeNext(out, limit, count == 0)) {
        count++;
      }
      byte[] wire = out.toByteArray();
      assertTrue(
          wire.length <= limit || count == 1,
          "message of " + wire.length + " bytes, " + count + " records");
      wire[6] = (byte) (count >>> 8);
      wire[7] = (byte) count;
      messages.add(new Message(wire).getSection(Section.ANSWER));
    }
    return messages;
  }

  static List<Record> axfrOrder(ZoneSnapshot zone) {
    List<Record> expected = new ArrayList<>(zone.records());
    expected.add(zone.soa());
    return expected;
  }

  @Test
  void theZoneGoesOutAsItsRecordListSaysWithNamesCompressed() throws Exception {
    ZoneSnapshot zone =
        ZoneSnapshot.build(
            Name.fromString("l.test."),
            TestZones.parse(
                "l.test.",
                """
        @ IN SOA ns hm 7 3600 600 86400 60
        @ IN NS ns
        ns IN A 192.0.2.1
        www IN A 192.0.2.80
        alias IN CNAME www
        *.wild IN A 192.0.2.99
        d IN DNAME t.l.test.
        sub IN NS ns.sub
        ns.sub IN A 192.0.2.53
        mx IN MX 10 ns.sub
        """));
    List<List<Record>> one = messages(zone, 65_000);
    assertEquals(1, one.size());
    assertEquals(axfrOrder(zone), one.get(0));
  }

  @Test
  void manyMessagesOutOfOrderInputAndMixedCase() throws Exception {
    StringBuilder text =
        new StringBuilder("@ IN SOA ns hm 9 3600 600 86400 60\n@ IN NS ns\nns IN A 192.0.2.1\n");
    for (int i = 999; i >= 0; i--) { // the reverse of canonical order: sorted before it goes out
      text.append("Host")
          .append(i)
          .append(".Sub IN A 10.0.")
          .append(i / 256)
          .append('.')
          .append(i % 256)
          .append('\n');
      text.append("host").append(i).append(".sub IN TXT \"t").append(i).append("\"\n");
      text.append("mail").append(i).append(" IN MX 10 host").append(i).append(".sub\n");
    }
    ZoneSnapshot zone =
        ZoneSnapshot.build(Name.fromString("m.test."), TestZones.parse("m.test.", text.toString()));
    List<List<Record>> messages = messages(zone, 1_000);
    assertTrue(messages.size() > 50, messages.size() + " messages");
    List<Record> all = new ArrayList<>();
    messages.forEach(all::addAll);
    assertEquals(axfrOrder(zone), all);
    // the same again: a second transfer of the same version starts from the beginning
    List<Record> again = new ArrayList<>();
    messages(zone, 60_000).forEach(again::addAll);
    assertEquals(all, again);
  }

  @Test
  void aRecordGivenTwiceIsKeptAndSentOnce() throws Exception {
    ZoneSnapshot zone =
        ZoneSnapshot.build(
            Name.fromString("d.test."),
            TestZones.parse(
                "d.test.",
                """
        @ IN SOA ns hm 1 3600 600 86400 60
        @ IN NS ns
        ns IN A 192.0.2.1
        www IN A 192.0.2.80
        www IN A 192.0.2.80
        """));
    assertEquals(4, zone.size());
    List<Record> sent = messages(zone, 65_000).get(0);
    assertEquals(5, sent.size(), "SOA, NS, A, A, SOA: " + sent);
  }

  @Test
  void aRecordGivenTwiceAtAnOwnerPast16KbIsKeptAndSentOnceToo() throws Exception {
    StringBuilder text =
        new StringBuilder("@ IN SOA ns hm 1 3600 600 86400 60\n@ IN NS ns\nns IN A 192.0.2.1\n");
    for (int i = 0; i < 3000; i++) { // 14 bytes each in the arena: 42 KB at one owner
      text.append("big IN A 10.0.").append(i / 256).append('.').append(i % 256).append('\n');
    }
    text.append(
        "big IN A 10.0.0.7\nbig IN A 10.0.11.183\n"); // again, first and last, long after 16 KB
    ZoneSnapshot zone =
        ZoneSnapshot.build(Name.fromString("h.test."), TestZones.parse("h.test.", text.toString()));
    assertEquals(3003, zone.size());
    List<Record> sent = new ArrayList<>();
    messages(zone, 65_000).forEach(sent::addAll);
    assertEquals(3004, sent.size());
    assertEquals(axfrOrder(zone), sent); // the same records as the signed path's list
  }
}
