package org.cairndns.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.cairndns.zone.wire.NodeTable;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** What the byte-arena representation adds: the name table, record runs, decoding on demand. */
class ZoneSnapshotArenaTest {
  static final Name ORIGIN = Name.fromConstantString("a.test.");

  static Record rr(String owner, int type, String rdata) throws Exception {
    return Record.fromString(Name.fromString(owner, ORIGIN), type, DClass.IN, 300, rdata, ORIGIN);
  }

  static Record soa() throws Exception {
    return rr("@", Type.SOA, "ns hm 1 3600 600 86400 60");
  }

  /** The same records added in wire form, as a transfer would. */
  static ZoneSnapshot fromWire(List<Record> records) {
    SnapshotBuilder builder = new SnapshotBuilder(ORIGIN);
    for (Record r : records) {
      byte[] wire = r.toWire(Section.ANSWER);
      int rdata = r.getName().length() + 10;
      builder.add(
          wire, 0, r.getType(), r.getDClass(), r.getTTL(), wire, rdata, wire.length - rdata);
    }
    return builder.build();
  }

  @Test
  void manyNamesGrowTheTableAndAllAreFound() throws Exception {
    List<Record> records = new ArrayList<>(List.of(soa()));
    int n = 50_000; // h123 names: dnsjava's Name.hashCode collides a lot on these
    for (int i = 0; i < n; i++) {
      records.add(rr("h" + i, Type.A, "10.0." + (i >> 8 & 255) + "." + (i & 255)));
    }
    ZoneSnapshot zone = ZoneSnapshot.build(ORIGIN, records);
    for (int i = 0; i < n; i++) {
      LookupResult r = zone.lookup(Name.fromString("h" + i, ORIGIN), Type.A);
      assertEquals(records.get(i + 1), ((LookupResult.Answer) r).rrsets().get(0).first());
    }
    assertInstanceOf(
        LookupResult.NxDomain.class, zone.lookup(Name.fromString("h" + n, ORIGIN), Type.A));
    Set<Integer> hashes = new HashSet<>();
    for (int i = 0; i < n; i++) {
      byte[] wire = Name.fromString("h" + i, ORIGIN).toWireCanonical();
      hashes.add(NodeTable.state(wire, 0, wire.length));
    }
    assertTrue(
        hashes.size() > n - 5, "hash states of h0..h" + n + ": " + hashes.size() + " distinct");
  }

  @Test
  void anOwnerWhoseRecordsArriveApartKeepsThemAll() throws Exception {
    List<Record> records = new ArrayList<>(List.of(soa(), rr("www", Type.A, "192.0.2.1")));
    for (int i = 0;
        i < 200;
        i++) { // www gets a record between every other owner's: moved, then packed
      records.add(rr("h" + i, Type.A, "192.0.2.2"));
      records.add(rr("www", Type.TXT, "\"t" + i + "\""));
    }
    records.add(rr("www", Type.A, "192.0.2.3"));
    for (ZoneSnapshot zone : List.of(ZoneSnapshot.build(ORIGIN, records), fromWire(records))) {
      Name www = Name.fromString("www", ORIGIN);
      assertEquals(2, zone.rrset(www, Type.A).size());
      assertEquals(200, zone.rrset(www, Type.TXT).size());
      assertEquals(1, zone.rrset(Name.fromString("h199", ORIGIN), Type.A).size());
      assertEquals(new HashSet<>(records), new HashSet<>(zone.records()));
      assertEquals(records.size(), zone.records().size());
    }
  }

  @Test
  void lookupsIgnoreCaseAndAnswersKeepTheZonesSpelling() throws Exception {
    ZoneSnapshot zone =
        ZoneSnapshot.build(
            ORIGIN,
            List.of(
                soa(),
                rr("MixedCase", Type.CNAME, "Target.Example."),
                rr("mixedcase", Type.TXT, "\"x\"")));
    LookupResult.Answer a =
        (LookupResult.Answer) zone.lookup(Name.fromString("MIXEDCASE.A.TEST."), Type.TXT);
    assertEquals("MixedCase.a.test.", a.rrsets().get(0).getName().toString());
    LookupResult.Cname c =
        (LookupResult.Cname) zone.lookup(Name.fromString("mixedcase.a.test."), Type.A);
    assertEquals("Target.Example.", c.cname().getTarget().toString());
    assertEquals("MixedCase.a.test.", c.cname().getName().toString());
  }

  @Test
  void emptyNonTerminalsExistWithoutData() throws Exception {
    List<Record> records =
        List.of(soa(), rr("x.y.z", Type.A, "192.0.2.1"), rr("Y.z", Type.TXT, "\"later\""));
    ZoneSnapshot zone = ZoneSnapshot.build(ORIGIN, records);
    assertInstanceOf(LookupResult.NoData.class, zone.lookup(Name.fromString("z.a.test."), Type.A));
    assertInstanceOf(
        LookupResult.NoData.class, zone.lookup(Name.fromString("z.a.test."), Type.ANY));
    assertInstanceOf(
        LookupResult.NxDomain.class, zone.lookup(Name.fromString("w.z.a.test."), Type.A));
    // y.z was an empty non-terminal until its own record came: its spelling is the record's
    RRset txt =
        ((LookupResult.Answer) zone.lookup(Name.fromString("y.z.a.test."), Type.TXT))
            .rrsets()
            .get(0);
    assertEquals("Y.z.a.test.", txt.getName().toString());
    assertEquals(records.size(), zone.records().size());
  }

  @Test
  void wireBuiltAndRecordBuiltSnapshotsAreTheSame() throws Exception {
    List<Record> records =
        new ArrayList<>(
            List.of(
                soa(),
                rr("@", Type.NS, "ns"),
                rr("ns", Type.A, "192.0.2.1"),
                rr("sub", Type.NS, "ns.sub"),
                rr("ns.sub", Type.AAAA, "2001:db8::1"),
                rr("*.w", Type.MX, "10 mail"),
                rr("mail", Type.A, "192.0.2.25"),
                rr("d", Type.DNAME, "elsewhere.test."),
                rr("s", Type.RRSIG, "A 8 3 300 20300101000000 20200101000000 1 a.test. AAAA"),
                rr("s", Type.A, "192.0.2.9"),
                rr("s", Type.RRSIG, "TXT 8 3 300 20300101000000 20200101000000 1 a.test. AAAA"),
                rr("s", Type.TXT, "\"signed\"")));
    Collections.shuffle(records.subList(1, records.size()), new Random(7));
    ZoneSnapshot byRecord = ZoneSnapshot.build(ORIGIN, records);
    ZoneSnapshot byWire = fromWire(records);
    assertEquals(byRecord.records(), byWire.records());
    assertEquals(records.size(), byRecord.records().size());
    assertEquals(byRecord.soa(), byWire.soa());
    for (String q : List.of("@", "ns", "sub", "x.sub", "ns.sub", "q.w", "mail", "x.d", "s", "nx")) {
      for (int type :
          new int[] {Type.A, Type.AAAA, Type.NS, Type.MX, Type.TXT, Type.ANY, Type.DS}) {
        Name qname = Name.fromString(q, ORIGIN);
        assertEquals(
            byRecord.lookup(qname, type), byWire.lookup(qname, type), q + " " + Type.string(type));
      }
    }
    RRset a = byRecord.rrset(Name.fromString("s", ORIGIN), Type.A);
    assertEquals(1, a.sigs().size()); // an RRSIG goes with the RRset it covers
    List<Record> sorted = byRecord.records();
    int at = sorted.indexOf(a.first());
    assertEquals(Type.RRSIG, sorted.get(at + 1).getType());
    LookupResult.Delegation d =
        (LookupResult.Delegation) byWire.lookup(Name.fromString("x.sub", ORIGIN), Type.A);
    assertEquals(Type.AAAA, d.glue().get(0).getType());
  }

  @Test
  void malformedWireRecordsAreRefused() throws Exception {
    SnapshotBuilder builder = new SnapshotBuilder(ORIGIN);
    byte[] compressed = {3, 'w', 'w', 'w', (byte) 0xC0, 12};
    byte[] truncated = {3, 'w', 'w'};
    byte[] owner = Name.fromString("www", ORIGIN).toWire();
    byte[] rdata = {1, 2, 3, 4};
    assertThrows(
        IllegalArgumentException.class,
        () -> builder.add(compressed, 0, Type.A, 1, 60, rdata, 0, 4));
    assertThrows(
        IllegalArgumentException.class,
        () -> builder.add(truncated, 0, Type.A, 1, 60, rdata, 0, 4));
    assertThrows(
        IllegalArgumentException.class, () -> builder.add(owner, 0, Type.A, 1, 60, rdata, 2, 4));
    assertThrows(
        IllegalArgumentException.class, () -> builder.add(owner, 0, Type.A, 1, -1, rdata, 0, 4));
    assertThrows(
        IllegalArgumentException.class, () -> builder.add(owner, 0, 65536, 1, 60, rdata, 0, 4));
    assertEquals(0, builder.size());
  }

  @Test
  void concurrentLookupsDecodeTheSameOwnersSafely() throws Exception {
    List<Record> records = new ArrayList<>(List.of(soa()));
    for (int i = 0; i < 2000; i++) {
      records.add(rr("h" + i, Type.A, "10.0." + (i >> 8) + "." + (i & 255)));
      records.add(rr("h" + i, Type.TXT, "\"" + i + "\""));
    }
    ZoneSnapshot zone = ZoneSnapshot.build(ORIGIN, records);
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<RRset>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      results.add(
          pool.submit(
              () -> {
                start.await();
                List<RRset> seen = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                  LookupResult r = zone.lookup(Name.fromString("h" + i, ORIGIN), Type.TXT);
                  seen.add(((LookupResult.Answer) r).rrsets().get(0));
                }
                return seen;
              }));
    }
    start.countDown();
    List<RRset> first = results.get(0).get();
    for (Future<List<RRset>> f : results) {
      List<RRset> seen = f.get();
      for (int i = 0; i < 2000; i++) {
        assertEquals(first.get(i), seen.get(i));
        assertEquals("\"" + i + "\"", seen.get(i).first().rdataToString());
      }
    }
    pool.shutdown();
    // Once decoded, a node is kept: the next lookup returns the same objects.
    Name h7 = Name.fromString("h7", ORIGIN);
    RRset once = zone.rrset(h7, Type.A);
    assertNotNull(once);
    assertSame(once, zone.rrset(h7, Type.A));
  }
}
