package org.cairndns.xfr.secondary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cairndns.zone.LookupResult;
import org.cairndns.zone.ZoneSnapshot;
import org.cairndns.zone.master.ZoneFileReader;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Response messages built with dnsjava, read as a secondary reads them. */
class TransferReaderTest {
  static final Name ZONE = Name.fromConstantString("r.test.");

  static Record rr(String text) throws Exception {
    return ZoneFileReader.parse(ZONE, "$TTL 300\n" + text + "\n").get(0);
  }

  static Record soa(long serial) throws Exception {
    return rr("@ IN SOA ns hm " + serial + " 3600 600 86400 60");
  }

  static byte[] msg(Record... records) {
    return message(records).toWire();
  }

  static Message message(Record... records) {
    Message m = new Message(1);
    for (Record r : records) {
      m.addRecord(r, Section.ANSWER);
    }
    return m;
  }

  static byte[] empty() {
    Message m = new Message(1);
    m.addRecord(
        new OPTRecord(1232, 0, 0), Section.ADDITIONAL); // RFC 9103 §7.9.1: no answer records
    return m.toWire();
  }

  @Test
  void axfrAcrossMessagesWithEmptyOnesInside() throws Exception {
    TransferReader reader = new TransferReader(ZONE, -1);
    reader.feed(msg(soa(5), rr("@ IN NS ns")));
    reader.feed(empty());
    boolean done = reader.feed(msg(rr("ns IN A 192.0.2.1"), soa(5)));
    assertEquals(true, done);
    TransferReader.Result.Full full =
        assertInstanceOf(TransferReader.Result.Full.class, reader.result());
    assertEquals(5, full.serial());
    assertEquals(3, full.snapshot().size());
    assertEquals(
        3,
        full.encoded().count(),
        "AXFR-style responses are encoded for the store as they stream in");
  }

  @Test
  void ixfrIncrementalAcrossTwoSteps() throws Exception {
    TransferReader reader = new TransferReader(ZONE, 1);
    reader.feed(msg(soa(3), soa(1), rr("old IN A 192.0.2.1"), soa(2), rr("mid IN A 192.0.2.2")));
    reader.feed(msg(soa(2), rr("mid IN A 192.0.2.2"), soa(3), rr("new IN A 192.0.2.3"), soa(3)));
    TransferReader.Result.Incremental inc =
        assertInstanceOf(TransferReader.Result.Incremental.class, reader.result());
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
    assertThrows(
        TransferFailure.class,
        () -> new TransferReader(ZONE, -1).feed(msg(rr("www IN A 192.0.2.1"))),
        "no SOA first");
    TransferReader unfinished = new TransferReader(ZONE, -1);
    unfinished.feed(msg(soa(5), rr("@ IN NS ns")));
    assertThrows(TransferFailure.class, unfinished::result, "ended before the closing SOA");
    Message refused = message();
    refused.getHeader().setRcode(Rcode.REFUSED);
    assertThrows(TransferFailure.class, () -> new TransferReader(ZONE, -1).feed(refused.toWire()));
    assertThrows(
        TransferFailure.class,
        () -> new TransferReader(ZONE, 9).feed(msg(soa(5))),
        "serial going backwards");
    TransferReader gap = new TransferReader(ZONE, 1);
    gap.feed(msg(soa(3), soa(2), soa(3), soa(3)));
    assertThrows(
        TransferFailure.class, gap::result, "difference sequence not starting at our serial");
    assertThrows(
        TransferFailure.class,
        () ->
            new TransferReader(ZONE, -1)
                .feed(
                    msg(
                        soa(5),
                        ZoneFileReader.parse(
                                Name.fromString("other.test."), "$TTL 1\nx IN A 192.0.2.1\n")
                            .get(0))),
        "record outside the zone");
  }

  /**
   * A record the primary sends twice is kept once, and the store's encoding holds what is served.
   */
  @Test
  void aRecordSentTwiceIsKeptAndStoredOnce() throws Exception {
    TransferReader reader = new TransferReader(ZONE, -1);
    reader.feed(msg(soa(5), rr("@ IN NS ns"), rr("ns IN A 192.0.2.1"), rr("@ IN MX 10 ns")));
    assertEquals(
        true,
        reader.feed(msg(rr("ns IN A 192.0.2.1"), rr("@ IN MX 10 ns"), rr("@ IN NS ns"), soa(5))));
    TransferReader.Result.Full full =
        assertInstanceOf(TransferReader.Result.Full.class, reader.result());
    assertEquals(4, full.snapshot().size());
    assertEquals(4, full.encoded().count());
  }

  @Test
  void wholeZoneIsServedAsSentWithCompressedNamesResolvedAndCaseKept() throws Exception {
    java.util.List<Record> zone =
        java.util.List.of(
            soa(7),
            rr("@ IN NS ns"),
            rr("@ IN MX 10 Mail"),
            rr("Mail IN A 192.0.2.25"),
            rr("mail IN AAAA 2001:db8::25"),
            rr("www IN CNAME Mail"),
            rr("txt IN TXT \"a b\" \"c\""),
            rr("sub IN NS ns.sub"),
            rr("ns.sub IN A 192.0.2.53"),
            rr("ns IN A 192.0.2.1"),
            rr("www2 IN A 192.0.2.80"),
            rr("www2 IN TXT \"late\""));
    TransferReader reader = new TransferReader(ZONE, -1);
    reader.feed(
        msg(zone.subList(0, 6).toArray(Record[]::new))); // dnsjava compresses every name it can
    assertEquals(true, reader.feed(msg(append(zone.subList(6, zone.size()), soa(7)))));
    TransferReader.Result.Full full =
        assertInstanceOf(TransferReader.Result.Full.class, reader.result());
    ZoneSnapshot served = full.snapshot();
    assertEquals(ZoneSnapshot.build(ZONE, zone).records(), served.records());
    assertEquals(zone.size(), full.encoded().count());
    RRset a = served.rrset(Name.fromString("mail.r.test."), Type.A);
    assertEquals("Mail.r.test.", a.getName().toString(), "owner case as the primary sent it");
    assertInstanceOf(
        LookupResult.Delegation.class, served.lookup(Name.fromString("x.sub.r.test."), Type.A));
    assertEquals(
        2,
        served
            .rrset(Name.fromString("txt.r.test."), Type.TXT)
            .first()
            .rdataToString()
            .split("\" ")
            .length);
  }

  @Test
  void aSecondCopyOfTheSoaInsideTheZoneIsRefusedNotTakenForTheEnd() throws Exception {
    TransferReader axfr = new TransferReader(ZONE, -1);
    TransferFailure e =
        assertThrows(
            TransferFailure.class,
            () ->
                axfr.feed(msg(soa(5), rr("@ IN NS ns"), soa(5), rr("ns IN A 192.0.2.1"), soa(5))));
    assertTrue(e.getMessage().contains("records after its closing SOA"), e.getMessage());
    TransferReader ixfr = new TransferReader(ZONE, 1);
    assertThrows(
        TransferFailure.class,
        () ->
            ixfr.feed(
                msg(
                    soa(3),
                    soa(1),
                    soa(3),
                    rr("new IN A 192.0.2.3"),
                    soa(3),
                    rr("late IN A 192.0.2.4"))));
  }

  @Test
  void aZoneOfNothingButItsSoaIsRefusedForWantOfApexNs() throws Exception {
    TransferReader reader = new TransferReader(ZONE, -1);
    assertTrue(reader.feed(msg(soa(5), soa(5))));
    TransferFailure e = assertThrows(TransferFailure.class, reader::result);
    assertTrue(e.getMessage().contains("no NS records at the apex"), e.getMessage());
  }

  @Test
  void incrementalTransfersCountTowardsTheLimits() throws Exception {
    java.time.Duration hour = java.time.Duration.ofHours(1);
    Record[] ixfr = {
      soa(3),
      soa(1),
      rr("old IN A 192.0.2.1"),
      rr("old2 IN A 192.0.2.2"),
      soa(3),
      rr("new IN A 192.0.2.3")
    };
    TransferFailure records =
        assertThrows(
            TransferFailure.class,
            () ->
                new TransferReader(ZONE, 1, new TransferLimits(5, 1 << 20, hour)).feed(msg(ixfr)));
    assertTrue(
        records.getMessage().contains("more than max-records 5 records (6 records"),
        records.getMessage());
    byte[] wire = msg(ixfr);
    TransferFailure bytes =
        assertThrows(
            TransferFailure.class,
            () ->
                new TransferReader(ZONE, 1, new TransferLimits(100, wire.length - 1, hour))
                    .feed(wire));
    assertTrue(
        bytes.getMessage().contains("max-zone-size " + (wire.length - 1)), bytes.getMessage());
    TransferReader within =
        new TransferReader(ZONE, 1, new TransferLimits(7, wire.length + 200, hour));
    within.feed(wire);
    assertTrue(
        within.feed(msg(soa(3))), "7 records and the bytes of both messages are within the limits");
    assertInstanceOf(TransferReader.Result.Incremental.class, within.result());
  }

  @Test
  void repeatedCurrentSoasCostLinearTime() throws Exception {
    // (older SOA, current SOA) pairs never end an IXFR; each current SOA once rescanned every
    // record
    TransferReader reader = new TransferReader(ZONE, 1);
    reader.feed(msg(soa(3)));
    Record older = soa(2);
    Record current = soa(3);
    long started = System.nanoTime();
    for (int m = 0; m < 100; m++) { // 100 messages of 1,000 pairs: 200,000 records
      Record[] pairs = new Record[2000];
      for (int i = 0; i < pairs.length; i += 2) {
        pairs[i] = older;
        pairs[i + 1] = current;
      }
      assertEquals(false, reader.feed(msg(pairs)));
    }
    assertTrue(System.nanoTime() - started < 10_000_000_000L, "200,000 records read in under 10 s");
  }

  @Test
  void closingSoaWithAnotherSerialFailsTheTransfer() throws Exception {
    TransferReader reader = new TransferReader(ZONE, -1);
    assertThrows(TransferFailure.class, () -> reader.feed(msg(soa(5), rr("@ IN NS ns"), soa(6))));
  }

  @Test
  void malformedWireIsATransferFailure() throws Exception {
    byte[] good = msg(soa(5), rr("www IN A 192.0.2.80"), soa(5));
    TransferReader reader = new TransferReader(ZONE, -1);
    reader.feed(msg(soa(5)));
    // A compression pointer to itself where the A record's owner starts (right after the header,
    // these messages have no question): a loop.
    byte[] loop = msg(rr("www IN A 192.0.2.80"));
    loop[12] = (byte) 0xC0;
    loop[13] = 12;
    TransferFailure e = assertThrows(TransferFailure.class, () -> reader.feed(loop));
    assertTrue(e.getMessage().contains("pointer"), e.getMessage());
    assertThrows(
        TransferFailure.class,
        () -> new TransferReader(ZONE, -1).feed(java.util.Arrays.copyOf(good, good.length - 3)),
        "a record cut short");
    assertThrows(
        TransferFailure.class,
        () -> new TransferReader(ZONE, -1).feed(new byte[5]),
        "shorter than a header");
  }

  @Test
  void corruptedMessagesFailAsTransferFailuresOnly() throws Exception {
    byte[] good =
        msg(
            soa(5),
            rr("@ IN NS ns"),
            rr("@ IN MX 10 Mail"),
            rr("Mail IN A 192.0.2.25"),
            rr("www IN CNAME Mail"),
            rr("txt IN TXT \"a\" \"b\""),
            rr("v6 IN AAAA 2001:db8::1"),
            soa(5));
    java.util.Random random = new java.util.Random(6);
    for (int i = 0; i < 3000; i++) { // bounded: a few milliseconds each
      byte[] bad =
          java.util.Arrays.copyOf(
              good, random.nextInt(4) == 0 ? random.nextInt(good.length) : good.length);
      for (int flips = 1 + random.nextInt(4); flips > 0 && bad.length > 0; flips--) {
        bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
      }
      TransferReader reader = new TransferReader(ZONE, -1);
      try {
        if (reader.feed(bad)) {
          reader.result();
        }
      } catch (TransferFailure expected) {
        // the only way a transfer may fail
      }
    }
  }

  private static Record[] append(java.util.List<Record> records, Record last) {
    java.util.List<Record> all = new java.util.ArrayList<>(records);
    all.add(last);
    return all.toArray(Record[]::new);
  }
}
