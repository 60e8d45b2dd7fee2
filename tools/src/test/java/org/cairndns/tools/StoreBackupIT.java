package org.cairndns.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cairndns.zone.store.VersionInfo;
import org.cairndns.zone.store.ZoneDiff;
import org.cairndns.zone.store.ZoneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

/**
 * `cairn store backup` while a real server process runs on the store, `cairn store restore` into a
 * new path, and `cairn zone export --all`: the restored store holds the zones as they were at the
 * backup, with their versions and journal.
 */
class StoreBackupIT {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run cairn(String... args) {
    picocli.CommandLine cli = CairnCommand.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return new Run(cli.execute(args), out.toString(), err.toString());
  }

  Path zone(String name, long serial, String www) throws Exception {
    Path file = dir.resolve("src/" + name + ".zone");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        "$ORIGIN "
            + name
            + ".\n$TTL 60\n@ IN SOA ns hm "
            + serial
            + " 1 1 1 1\n@ IN NS ns\n"
            + "ns IN A 192.0.2.1\nwww IN A "
            + www
            + "\n");
    return file;
  }

  @Test
  void backupWhileServingRestoresZonesVersionsAndJournal() throws Exception {
    String db = dir.resolve("db/cairn").toString();
    assertEquals(
        0, cairn("zone", "load", "--db", db, zone("a.test", 1, "192.0.2.10").toString()).exit());
    assertEquals(
        0, cairn("zone", "load", "--db", db, zone("a.test", 2, "192.0.2.20").toString()).exit());
    assertEquals(
        0, cairn("zone", "load", "--db", db, zone("b.test", 7, "192.0.2.70").toString()).exit());
    Process server =
        ServeProcessIT.cairn(
                "serve", "--db", db, "--listen", "127.0.0.1:" + ServeProcessIT.freePort())
            .redirectOutput(dir.resolve("serve.log").toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> Files.readString(dir.resolve("serve.log")).contains("event=listening"));

      Path backup = dir.resolve("backups/cairn.zip");
      Files.createDirectories(backup.getParent());
      Run made = cairn("store", "backup", "--db", db, backup.toString());
      assertEquals(0, made.exit(), made.err());
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)),
          "it holds the password");
      try (var left = Files.list(dir.resolve("db"))) {
        assertTrue(
            left.noneMatch(p -> p.getFileName().toString().contains("backup")),
            "H2's own copy is removed");
      }
      // Written after the backup: the restored store must not have it.
      assertEquals(
          0, cairn("zone", "load", "--db", db, zone("a.test", 3, "192.0.2.30").toString()).exit());

      Path exported = dir.resolve("export");
      Run export = cairn("zone", "export", "--db", db, "--all", exported.toString());
      assertEquals(0, export.exit(), export.err());
      assertTrue(export.out().contains("2 zones exported"), export.out());
      assertTrue(Files.readString(exported.resolve("a.test.zone")).contains("192.0.2.30"));
      assertTrue(Files.readString(exported.resolve("b.test.zone")).contains("serial 7"));

      String restored = dir.resolve("restored/cairn").toString();
      Run restore = cairn("store", "restore", "--db", restored, backup.toString());
      assertEquals(0, restore.exit(), restore.err());
      assertTrue(
          restore
              .err()
              .contains("no server is running on store " + Path.of(restored).toAbsolutePath()),
          restore.err());
      assertTrue(
          cairn("store", "restore", "--db", restored, backup.toString())
              .err()
              .contains("a zone store exists"),
          "never over an existing store");
      try (ZoneStore s = ZoneStore.open(Path.of(restored))) {
        assertEquals(
            List.of(Name.fromString("a.test."), Name.fromString("b.test.")),
            s.list().stream().map(z -> z.name()).toList());
        assertEquals(
            List.of(1L, 2L),
            s.history(Name.fromString("a.test.")).stream().map(VersionInfo::serial).toList());
        ZoneDiff step = s.diff(Name.fromString("a.test."), 1, 2).orElseThrow();
        assertEquals("192.0.2.20", step.added().get(0).rdataToString(), "the journal came along");
        assertEquals(7, s.soa(Name.fromString("b.test.")).orElseThrow().getSerial());
      }
    } finally {
      server.destroy();
      assertTrue(server.waitFor(30, TimeUnit.SECONDS));
    }
  }
}
