package org.cairndns.zone.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cairndns.zone.SnapshotBuilder;
import org.cairndns.zone.TestZones;
import org.cairndns.zone.ZoneSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * An operator's store written by an older release opens with today's H2 and Flyway and keeps its
 * zones, versions, journal and secondary state. The fixture in {@code h2-2.3.232/} was written by
 * H2 2.3.232 and Flyway 11.20.2 through migrations V1..V3 (its README says how); it is copied, so
 * each run upgrades a fresh one.
 */
class ZoneStoreUpgradeIT {
  private static final String FIXTURE = "h2-2.3.232/";
  private static final Name COM = Name.fromConstantString("example.com.");
  private static final Name NET = Name.fromConstantString("example.net.");

  @TempDir Path dir;

  @Test
  void aStoreWrittenByH2Version232OpensAndTakesNewVersions() throws Exception {
    Path db = dir.resolve("store");
    copyFixture("store.mv.db", dir);
    copyFixture("store.key", dir);
    List<Record> v1 = zoneFile(COM, "example.com-2026112301.zone");
    List<Record> v2 = zoneFile(COM, "example.com-2026112302.zone");

    try (ZoneStore store = ZoneStore.open(db)) {
      List<ZoneInfo> zones = store.list();
      assertEquals(List.of(COM, NET), zones.stream().map(ZoneInfo::name).toList());
      assertEquals(2026112302L, zones.get(0).serial());
      assertEquals(2, zones.get(0).versions());
      assertEquals(texts(v2), texts(store.current(COM).orElseThrow().records()));
      SnapshotBuilder served = new SnapshotBuilder(COM);
      assertTrue(store.current(COM, served::add), "read in wire form, as the server publishes it");
      assertEquals(ZoneSnapshot.build(COM, v2).records(), served.build().records());
      assertEquals(
          texts(v1),
          texts(store.at(COM, 2026112301L).orElseThrow().records()),
          "rebuilt through the journal");
      assertEquals(
          texts(zoneFile(NET, "example.net.zone")),
          texts(store.current(NET).orElseThrow().records()));

      ZoneDiff step = store.diff(COM, 2026112301L, 2026112302L).orElseThrow();
      assertEquals(texts(records("www IN A 192.0.2.80")), texts(step.deleted()));
      assertEquals(
          texts(records("www IN A 192.0.2.81", "new IN TXT \"added in 2026112302\"")),
          texts(step.added()));
      List<VersionInfo> history = store.history(COM);
      assertEquals(
          List.of(2026112301L, 2026112302L), history.stream().map(VersionInfo::serial).toList());
      assertEquals("file:/tmp/deps-fixture/s2/example.com.zone", history.get(1).source());

      // and it is written to: a new version, its journal step chained to the old ones
      long counter = store.changeCounter();
      List<Record> v3 =
          TestZones.parse(
              COM.toString(),
              text("example.com-2026112302.zone").replace(" 2026112302 ", " 2026112303 ")
                  + "v3 IN A 192.0.2.3\n");
      assertEquals(LoadOutcome.Kind.UPDATED, store.load(COM, v3, "upgrade test", false).kind());
      assertEquals(counter + 1, store.changeCounter());
    }

    try (ZoneStore store = ZoneStore.open(db)) {
      assertEquals(
          List.of(2026112301L, 2026112302L, 2026112303L),
          store.history(COM).stream().map(VersionInfo::serial).toList());
      assertEquals(2, store.journal(COM, 2026112301L).orElseThrow().size());
      assertEquals(texts(v1), texts(store.at(COM, 2026112301L).orElseThrow().records()));
    }
    // The secondary's tables (XoT probes, timers, retransfer requests) are as the old release wrote
    // them.
    assertEquals(
        List.of("192.0.2.1:853 GOOD 2026-11-29T12:00Z"),
        rows(db, "SELECT address, state, changed_at FROM xot_probe"));
    assertEquals(
        List.of("example.net. 2026-11-29T12:30Z"),
        rows(db, "SELECT zone, last_success FROM secondary_timer"));
    assertEquals(List.of("example.net."), rows(db, "SELECT zone FROM retransfer_request"));
    // Flyway validated the checksums the old release recorded, kept its rows, and ran only later
    // migrations
    List<String> migrations =
        rows(
            db,
            "SELECT \"installed_rank\", \"version\", \"script\", \"checksum\", \"success\""
                + " FROM \"flyway_schema_history\" ORDER BY \"installed_rank\"");
    assertEquals(
        List.of(
            "-1 null  null true",
            "1 1 V1__zones_versions_journal.sql 1897457121 true",
            "2 2 V2__xot_probes.sql 226350864 true",
            "3 3 V3__secondary_timers_and_retransfers.sql 466479988 true"),
        migrations.subList(0, 4));
    migrations.forEach(row -> assertTrue(row.endsWith(" true"), row));
  }

  private static void copyFixture(String name, Path to) throws IOException {
    try (InputStream in = ZoneStoreUpgradeIT.class.getResourceAsStream(FIXTURE + name)) {
      assertNotNull(in, name);
      Files.copy(in, to.resolve(name));
    }
  }

  private static List<Record> zoneFile(Name origin, String name) throws IOException {
    return TestZones.parse(origin.toString(), text(name));
  }

  private static String text(String name) throws IOException {
    try (InputStream in = ZoneStoreUpgradeIT.class.getResourceAsStream(FIXTURE + name)) {
      assertNotNull(in, name);
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  /** Records of example.com. with a TTL of 3600, as in the fixture's zone files. */
  private static List<Record> records(String... lines) {
    return TestZones.parse(COM.toString(), "$TTL 3600\n" + String.join("\n", lines) + "\n");
  }

  private static Set<String> texts(List<Record> records) {
    Set<String> out = new HashSet<>();
    records.forEach(r -> out.add(r.toString()));
    return out;
  }

  /** Each row of {@code query}'s result as its columns' values joined by spaces. */
  private static List<String> rows(Path db, String query) throws Exception {
    String password = Files.readString(db.resolveSibling("store.key")).trim();
    try (Connection c =
            DriverManager.getConnection("jdbc:h2:file:" + db.toAbsolutePath(), "cairn", password);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      int columns = rs.getMetaData().getColumnCount();
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          Object value = rs.getObject(i);
          // timestamps in UTC, whatever zone the JVM runs in
          values.add(
              value instanceof OffsetDateTime time
                  ? time.withOffsetSameInstant(ZoneOffset.UTC).toString()
                  : String.valueOf(value));
        }
        rows.add(String.join(" ", values));
      }
      return rows;
    }
  }
}
