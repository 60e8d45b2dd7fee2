package org.cairndns.xfr.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class IxfrRequestTest {
  static final Name ZONE = Name.fromConstantString("x.test.");

  static SOARecord soa(long serial) {
    return new SOARecord(
        ZONE,
        DClass.IN,
        300,
        Name.fromConstantString("ns.x.test."),
        Name.fromConstantString("hm.x.test."),
        serial,
        1,
        1,
        1,
        1);
  }

  /**
   * An IXFR query for ZONE, with {@code authority} in its AUTHORITY section, through the wire and
   * back.
   */
  static Message ixfr(Record... authority) throws Exception {
    Message q = Message.newQuery(Record.newRecord(ZONE, Type.IXFR, DClass.IN));
    for (Record r : authority) {
      q.addRecord(r, Section.AUTHORITY);
    }
    return new Message(q.toWire());
  }

  @Test
  void noSoaMeansNoSerial() throws Exception {
    assertEquals(IxfrRequest.NO_SERIAL, IxfrRequest.clientSerial(ixfr()));
    assertEquals(
        IxfrRequest.NO_SERIAL,
        IxfrRequest.clientSerial(
            ixfr(new ARecord(ZONE, DClass.IN, 300, java.net.InetAddress.getByName("192.0.2.1")))));
  }

  @Test
  void oneSoaGivesItsSerial() throws Exception {
    assertEquals(7, IxfrRequest.clientSerial(ixfr(soa(7))));
    assertEquals(0, IxfrRequest.clientSerial(ixfr(soa(0))));
    assertEquals(
        0xFFFF_FFFFL, IxfrRequest.clientSerial(ixfr(soa(0xFFFF_FFFFL))), "unsigned, not -1");
  }

  @Test
  void ofTwoSoasTheFirstCounts() throws Exception {
    assertEquals(7, IxfrRequest.clientSerial(ixfr(soa(7), soa(3))));
    assertEquals(3, IxfrRequest.clientSerial(ixfr(soa(3), soa(7))));
  }

  @Test
  void aClientAtOrPastOurSerialIsCurrent() {
    assertTrue(IxfrRequest.isCurrent(7, 7));
    assertTrue(IxfrRequest.isCurrent(8, 7), "newer than ours");
    assertFalse(IxfrRequest.isCurrent(6, 7));
    assertTrue(IxfrRequest.isCurrent(0, 0xFFFF_FFFFL), "past ours across the wrap (RFC 1982)");
    assertFalse(IxfrRequest.isCurrent(0xFFFF_FFFFL, 0), "behind ours across the wrap");
    assertFalse(IxfrRequest.isCurrent(IxfrRequest.NO_SERIAL, 7), "no SOA in the request");
  }
}
