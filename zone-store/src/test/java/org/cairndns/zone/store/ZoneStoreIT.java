package org.cairndns.zone.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cairndns.zone.SnapshotBuilder;
import org.cairndns.zone.TestZones;
import org.cairndns.zone.ZoneSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

class ZoneStoreIT {
  static final Name ZONE = Name.fromConstantString("s.test.");
  @TempDir Path dir;
  ZoneStore store;

  @BeforeEach
  void open() throws Exception {
    store = ZoneStore.open(dir.resolve("db"), 3);
  }

  @AfterEach
  void close() {
    store.close();
  }

  static List<Record> zone(long serial, String... extra) {
    StringBuilder sb =
        new StringBuilder(
            "$TTL 300\n@ IN SOA ns hm "
                + serial
                + " 3600 600 86400 60\n@ IN NS ns\nns IN A 192.0.2.1\n");
    for (String e : extra) {
      sb.append(e).append('\n');
    }
    return TestZones.parse("s.test.", sb.toString());
  }

  static Set<String> texts(List<Record> records) {
    Set<String> out = new HashSet<>();
    records.forEach(r -> out.add(r.toString()));
    return out;
  }

  @Test
  void createThenSameContentIsANoOp() throws Exception {
    assertEquals(
        LoadOutcome.Kind.CREATED,
        store.load(ZONE, zone(1, "www IN A 192.0.2.80"), "t", false).kind());
    long counter = store.changeCounter();
    assertEquals(
        LoadOutcome.Kind.UNCHANGED,
        store.load(ZONE, zone(1, "www IN A 192.0.2.80"), "t", false).kind());
    assertEquals(counter, store.changeCounter());
    assertEquals(1, store.history(ZONE).size());
  }

  @Test
  void recordsEncodedAsTheyStreamedInAreStoredAsTheyWouldBeEncodedHere() throws Exception {
    List<Record> v1 = zone(1, "www IN A 192.0.2.80", "mail IN A 192.0.2.25");
    LoadOutcome created =
        store.load(ZONE, encode(v1), () -> fail("a new zone has no difference to compute"), "t");
    assertEquals(LoadOutcome.Kind.CREATED, created.kind());
    assertEquals(5, created.records());
    assertEquals(texts(v1), texts(store.current(ZONE).orElseThrow().records()));
    assertEquals(1, store.soa(ZONE).orElseThrow().getSerial());
    SnapshotBuilder read = new SnapshotBuilder(ZONE);
    assertTrue(
        store.current(ZONE, read::add),
        "read back in wire form, to the end of a blob of unknown count");
    assertEquals(ZoneSnapshot.build(ZONE, v1).records(), read.build().records());
    assertFalse(store.current(Name.fromString("absent.test."), read::add));
    // a zone with a version: the records are asked for, and the journal gets the difference
    List<Record> v2 = zone(2, "www IN A 192.0.2.81", "mail IN A 192.0.2.25");
    LoadOutcome updated = store.load(ZONE, encode(v2), () -> v2, "t");
    assertEquals(LoadOutcome.Kind.UPDATED, updated.kind());
    assertEquals(1, updated.deleted());
    assertEquals(1, updated.added());
    assertEquals(texts(v2), texts(store.current(ZONE).orElseThrow().records()));
    assertEquals(1, store.journal(ZONE, 1).orElseThrow().size());
  }

  /** The SOA first, then the others: every second one in wire form, as a transfer adds them. */
  private static EncodedRecords encode(List<Record> records) {
    EncodedRecords encoded = new EncodedRecords((SOARecord) records.get(0));
    for (int i = 1; i < records.size(); i++) {
      Record r = records.get(i);
      if (i % 2 == 0) {
        encoded.add(r);
        continue;
      }
      byte[] name = r.getName().toWire();
      byte[] rdata = r.rdataToWireCanonical();
      encoded.add(name, 0, r.getType(), r.getDClass(), r.getTTL(), rdata, 0, rdata.length);
    }
    return encoded;
  }

  @Test
  void changedContentNeedsANewerSerialOrBump() throws Exception {
    store.load(ZONE, zone(10, "www IN A 192.0.2.80"), "t", false);
    ZoneStoreException e =
        assertThrows(
            ZoneStoreException.class,
            () -> store.load(ZONE, zone(10, "www IN A 192.0.2.81"), "t", false));
    assertTrue(e.getMessage().contains("not newer"), e.getMessage());
    assertEquals(10, store.current(ZONE).orElseThrow().serial(), "refused load changed nothing");
    assertTrue(
        texts(store.current(ZONE).orElseThrow().records())
            .contains("www.s.test.\t\t300\tIN\tA\t192.0.2.80"));
    LoadOutcome bumped = store.load(ZONE, zone(9, "www IN A 192.0.2.81"), "t", true);
    assertEquals(ZoneStore.bumpedSerial(10), bumped.serial());
    assertTrue(Serials.isNewer(bumped.serial(), 10));
  }

  @Test
  void journalHoldsExactlyTheChangedRecords() throws Exception {
    store.load(ZONE, zone(1, "a IN A 192.0.2.1", "b IN A 192.0.2.2"), "v1", false);
    store.load(ZONE, zone(2, "a IN A 192.0.2.1", "c IN A 192.0.2.3"), "v2", false);
    store.load(ZONE, zone(3, "a 600 IN A 192.0.2.1", "c IN A 192.0.2.3"), "v3", false);
    ZoneDiff step = store.diff(ZONE, 1, 2).orElseThrow();
    assertEquals(Set.of("b.s.test.\t\t300\tIN\tA\t192.0.2.2"), texts(step.deleted()));
    assertEquals(Set.of("c.s.test.\t\t300\tIN\tA\t192.0.2.3"), texts(step.added()));
    ZoneDiff condensed = store.diff(ZONE, 1, 3).orElseThrow();
    assertEquals(2, condensed.deleted().size(), "b and the old-TTL a");
    assertEquals(2, condensed.added().size(), "c and the new-TTL a");
    assertEquals(2, store.journal(ZONE, 1).orElseThrow().size());
    assertEquals(
        List.of(), store.journal(ZONE, 3).orElseThrow(), "current serial: nothing to send");
    assertTrue(store.journal(ZONE, 77).isEmpty(), "unknown serial: full transfer");
  }

  @Test
  void olderVersionsAreRebuiltFromTheJournal() throws Exception {
    List<Record> v1 = zone(1, "a IN A 192.0.2.1", "b IN A 192.0.2.2");
    store.load(ZONE, v1, "v1", false);
    store.load(ZONE, zone(2, "a IN A 192.0.2.9"), "v2", false);
    assertEquals(texts(v1), texts(store.at(ZONE, 1).orElseThrow().records()));
    assertTrue(store.at(ZONE, 5).isEmpty());
  }

  @Test
  void retentionPrunesOldJournalSteps() throws Exception {
    for (int serial = 1; serial <= 6; serial++) {
      store.load(ZONE, zone(serial, "x IN TXT \"v" + serial + "\""), "v" + serial, false);
    }
    assertTrue(store.journal(ZONE, 1).isEmpty(), "pruned beyond 3 steps");
    assertEquals(3, store.journal(ZONE, 3).orElseThrow().size());
    assertEquals(6, store.list().get(0).serial());
  }

  @Test
  void applyDiffIsAtomicAndChecksTheBase() throws Exception {
    store.load(ZONE, zone(1, "a IN A 192.0.2.1"), "v1", false);
    ZoneDiff good =
        ZoneDiff.between(
            (org.xbill.DNS.SOARecord) zone(1).get(0), zone(1, "a IN A 192.0.2.1"),
            (org.xbill.DNS.SOARecord) zone(2).get(0), zone(2, "b IN A 192.0.2.2"));
    ZoneDiff wrongBase =
        new ZoneDiff(
            (org.xbill.DNS.SOARecord) zone(5).get(0),
            (org.xbill.DNS.SOARecord) zone(6).get(0),
            List.of(),
            List.of());
    assertThrows(
        ZoneStoreException.class,
        () -> store.applyDiff(ZONE, List.of(wrongBase), encode(zone(6)), "ixfr"));
    assertEquals(1, store.current(ZONE).orElseThrow().serial());
    assertThrows(
        ZoneStoreException.class,
        () -> store.applyDiff(ZONE, List.of(good), encode(zone(3)), "ixfr"),
        "a result whose serial is not where the steps lead");
    assertEquals(1, store.current(ZONE).orElseThrow().serial());
    LoadOutcome outcome =
        store.applyDiff(
            ZONE, List.of(good), encode(good.applyTo(zone(1, "a IN A 192.0.2.1"))), "ixfr");
    assertEquals(LoadOutcome.Kind.UPDATED, outcome.kind());
    assertEquals(1, outcome.deleted());
    assertEquals(1, outcome.added());
    assertEquals(
        texts(zone(2, "b IN A 192.0.2.2")), texts(store.current(ZONE).orElseThrow().records()));
    assertEquals(
        List.of(good.added()),
        store.journal(ZONE, 1).orElseThrow().stream().map(ZoneDiff::added).toList());
  }

  @Test
  void deleteRemovesEverything() throws Exception {
    store.load(ZONE, zone(1), "v1", false);
    long before = store.changeCounter();
    assertTrue(store.delete(ZONE));
    assertNotEquals(before, store.changeCounter());
    assertTrue(store.current(ZONE).isEmpty());
    assertTrue(store.history(ZONE).isEmpty());
    assertFalse(store.delete(ZONE));
  }

  @Test
  void aZoneWithoutSoaIsRefused() {
    assertThrows(
        ZoneStoreException.class,
        () -> store.load(ZONE, TestZones.parse("s.test.", "www IN A 192.0.2.1\n"), "t", false));
  }

  @Test
  void theStoreIsPasswordProtectedWithAPrivateKeyFile() throws Exception {
    store.load(ZONE, zone(1), "v1", false);
    store.close();
    Path key = dir.resolve("db.key");
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            java.nio.file.Files.getPosixFilePermissions(key)));
    String url = "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath() + ";AUTO_SERVER=TRUE";
    java.sql.SQLException refused =
        assertThrows(
            java.sql.SQLException.class,
            () -> java.sql.DriverManager.getConnection(url, "sa", "").close());
    assertTrue(refused.getMessage().contains("Wrong user name or password"), refused.getMessage());
    store = ZoneStore.open(dir.resolve("db"), 3);
    assertEquals(1, store.current(ZONE).orElseThrow().serial(), "reopened with the key file");
    store.close();
    java.nio.file.Files.delete(key);
    ZoneStoreException missing =
        assertThrows(ZoneStoreException.class, () -> ZoneStore.open(dir.resolve("db"), 3));
    assertTrue(
        missing.getMessage().contains("password file " + key + " is missing"),
        missing.getMessage());
    store = ZoneStore.open(dir.resolve("other"), 3); // for @AfterEach
  }

  @Test
  void rfc1982SerialArithmetic() {
    assertTrue(Serials.isNewer(2, 1));
    assertTrue(Serials.isNewer(0, 0xFFFFFFFFL), "wraps");
    assertFalse(Serials.isNewer(1, 2));
    assertFalse(Serials.isNewer(5, 5));
  }

  @Test
  void replaceStoresAnOlderSerialAndClearsTheJournal() throws Exception {
    store.load(ZONE, zone(100, "a IN A 192.0.2.1"), "t", false);
    store.load(ZONE, zone(101, "b IN A 192.0.2.2"), "t", false);
    EncodedRecords older = new EncodedRecords((SOARecord) zone(50).get(0));
    zone(50, "c IN A 192.0.2.3").stream().skip(1).forEach(older::add);
    long counter = store.changeCounter();
    LoadOutcome outcome = store.replace(ZONE, older, "retransfer");
    assertEquals(101, outcome.previousSerial());
    assertEquals(50, store.soa(ZONE).orElseThrow().getSerial());
    assertEquals(
        texts(zone(50, "c IN A 192.0.2.3")), texts(store.current(ZONE).orElseThrow().records()));
    assertEquals(
        java.util.Optional.empty(), store.journal(ZONE, 100), "no IXFR across the rollback");
    assertEquals(java.util.Optional.of(List.of()), store.journal(ZONE, 50));
    assertEquals(50, store.history(ZONE).get(store.history(ZONE).size() - 1).serial());
    assertTrue(store.changeCounter() > counter, "a running server publishes it");
    assertThrows(
        ZoneStoreException.class,
        () -> store.replace(Name.fromString("other.test."), older, "retransfer"));
  }
}
