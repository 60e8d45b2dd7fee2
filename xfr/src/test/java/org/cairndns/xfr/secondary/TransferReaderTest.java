package org.cairndns.xfr.secondary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.cairndns.zone.master.ZoneFileReader;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/** Response messages built with dnsjava, read as a secondary reads them. */
class TransferReaderTest {
  static final Name ZONE = Name.fromConstantString("r.test.");

  static Record rr(String text) throws Exception {
    return ZoneFileReader.parse(ZONE, "$TTL 300\n" + text + "\n").get(0);
  }

  static Record soa(long serial) throws Exception {
    return rr("@ IN SOA ns hm " + serial + " 3600 600 86400 60");
  }

  static Message msg(Record... records) {
    Message m = new Message(1);
    for (Record r : records) {
      m.addRecord(r, Section.ANSWER);
    }
    return m;
  }

  static Message empty() {
    Message m = new Message(1);
    m.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL); // RFC 9103 §7.9.1: no answer records
    return m;
  }

  @Test
  void axfrAcrossMessagesWithEmptyOnesInside() throws Exception {
    TransferReader reader = new TransferReader(ZONE, -1);
    reader.feed(msg(soa(5), rr("@ IN NS ns")));
    reader.feed(empty());
    boolean done = reader.feed(msg(rr("ns IN A 192.0.2.1"), soa(5)));
    assertEquals(true, done);
    TransferReader.Result.Full full = assertInstanceOf(TransferReader.Result.Full.class, reader.result());
    assertEquals(5, full.serial());
    assertEquals(3, full.records().size());
    assertNotNull(full.encoded(), "AXFR-style responses are encoded for the store as they stream in");
  }

  @Test
  void ixfrIncrementalAcrossTwoSteps() throws Exception {
    TransferReader reader = new TransferReader(ZONE, 1);
    reader.feed(msg(soa(3), soa(1), rr("old IN A 192.0.2.1"), soa(2), rr("mid IN A 192.0.2.2")));
    reader.feed(msg(soa(2), rr("mid IN A 192.0.2.2"), soa(3), rr("new IN A 192.0.2.3"), soa(3)));
    TransferReader.Result.Incremental inc = assertInstanceOf(TransferReader.Result.Incremental.class, reader.result());
    assertEquals(2, inc.steps().size());
    assertEquals(1, inc.steps().get(0).fromSerial());
    assertEquals(3, inc.steps().get(1).toSerial());
    assertEquals("new.r.test.", inc.steps().get(1).added().get(0).getName().toString());
  }

  @Test
  void ixfrAnsweredWithTheWholeZoneIsAFullTransfer() throws Exception {
    TransferReader reader = new TransferReader(ZONE, 1);
    reader.feed(msg(soa(4), rr("@ IN NS ns"), rr("ns IN A 192.0.2.1"), soa(4)));
    assertInstanceOf(TransferReader.Result.Full.class, reader.result());
  }

  @Test
  void singleSoaMeansUpToDate() throws Exception {
    TransferReader reader = new TransferReader(ZONE, 4);
    assertEquals(true, reader.feed(msg(soa(4))));
    assertInstanceOf(TransferReader.Result.UpToDate.class, reader.result());
  }

  @Test
  void brokenTransfersAreRejected() throws Exception {
    assertThrows(TransferFailure.class, () -> new TransferReader(ZONE, -1).feed(msg(rr("www IN A 192.0.2.1"))), "no SOA first");
    TransferReader unfinished = new TransferReader(ZONE, -1);
    unfinished.feed(msg(soa(5), rr("@ IN NS ns")));
    assertThrows(TransferFailure.class, unfinished::result, "ended before the closing SOA");
    Message refused = msg();
    refused.getHeader().setRcode(Rcode.REFUSED);
    assertThrows(TransferFailure.class, () -> new TransferReader(ZONE, -1).feed(refused));
    assertThrows(TransferFailure.class, () -> new TransferReader(ZONE, 9).feed(msg(soa(5))), "serial going backwards");
    TransferReader gap = new TransferReader(ZONE, 1);
    gap.feed(msg(soa(3), soa(2), soa(3), soa(3)));
    assertThrows(TransferFailure.class, gap::result, "difference sequence not starting at our serial");
    assertThrows(TransferFailure.class, () -> new TransferReader(ZONE, -1).feed(msg(soa(5), ZoneFileReader.parse(Name.fromString("other.test."),
        "$TTL 1\nx IN A 192.0.2.1\n").get(0))), "record outside the zone");
  }

}
