package org.cairndns.tools;

import static org.cairndns.tools.CliRun.cairn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.cairndns.tools.serve.ServerLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real `cairn` command line, in-process, against a real H2 file. */
class ZoneCommandIT {
  @TempDir Path dir;

  String db() {
    return dir.resolve("db").toString();
  }

  Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  static final String V1 =
      """
      $ORIGIN cli.test.
      $TTL 300
      @ IN SOA ns hm 1 3600 600 86400 60
      @ IN NS ns
      ns IN A 192.0.2.1
      www IN A 192.0.2.80
      mail IN MX 10 www
      txt IN TXT "hello world" "two strings"
      odd IN TYPE65400 \\# 2 abcd
      *.wild IN AAAA 2001:db8::1
      """;

  static Set<String> records(String masterText) {
    return Arrays.stream(masterText.split("\n"))
        .filter(l -> !l.isBlank() && !l.startsWith(";") && !l.startsWith("$"))
        .map(l -> l.replaceAll("\\s+", " "))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void loadExportLoadRoundTrips() throws Exception {
    Path file = write("cli.test.zone", V1);
    CliRun load = cairn("zone", "load", "--db", db(), file.toString());
    assertEquals(0, load.exit(), load.err());
    assertTrue(load.out().contains("cli.test. created at serial 1"), load.out());
    CliRun export = cairn("zone", "export", "--db", db(), "cli.test");
    assertEquals(0, export.exit(), export.err());
    Path exported = write("exported.zone", export.out());
    CliRun again =
        cairn(
            "zone",
            "load",
            "--db",
            dir.resolve("db2").toString(),
            "--origin",
            "cli.test",
            exported.toString());
    assertEquals(0, again.exit(), again.err());
    CliRun export2 = cairn("zone", "export", "--db", dir.resolve("db2").toString(), "cli.test");
    assertEquals(records(export.out()), records(export2.out()));
    assertEquals(8, records(export.out()).size());
    CliRun same = cairn("zone", "load", "--db", db(), file.toString());
    assertTrue(same.out().contains("unchanged"), same.out());
  }

  @Test
  void badFileNamesFileAndLineAndChangesNothing() throws Exception {
    Path file = write("cli.test.zone", V1);
    cairn("zone", "load", "--db", db(), file.toString());
    Path bad =
        write("cli.test.zone", V1.replace(" 1 3600", " 2 3600") + "www IN CNAME elsewhere.test.\n");
    CliRun load = cairn("zone", "load", "--db", db(), bad.toString());
    assertEquals(1, load.exit());
    assertTrue(load.err().contains(bad + ":11: CNAME at www.cli.test. has other data"), load.err());
    CliRun list = cairn("zone", "list", "--db", db());
    assertTrue(list.out().matches("(?s).*cli\\.test\\.\\s+1\\s+8\\s+1.*"), list.out());
  }

  @Test
  void historyDiffAndOlderExports() throws Exception {
    cairn("zone", "load", "--db", db(), write("cli.test.zone", V1).toString());
    String v2 = V1.replace(" 1 3600", " 2 3600").replace("192.0.2.80", "192.0.2.81");
    assertEquals(
        0, cairn("zone", "load", "--db", db(), write("cli.test.zone", v2).toString()).exit());
    CliRun diff = cairn("zone", "diff", "--db", db(), "cli.test", "1", "2");
    assertEquals(0, diff.exit(), diff.err());
    Set<String> lines = new TreeSet<>(Arrays.asList(diff.out().strip().split("\n")));
    assertEquals(4, lines.size(), diff.out());
    assertTrue(diff.out().contains("- www.cli.test.\t\t300\tIN\tA\t192.0.2.80"), diff.out());
    assertTrue(diff.out().contains("+ www.cli.test.\t\t300\tIN\tA\t192.0.2.81"), diff.out());
    CliRun history = cairn("zone", "history", "--db", db(), "cli.test");
    assertTrue(history.out().contains("           2          8        1        1"), history.out());
    CliRun old = cairn("zone", "export", "--db", db(), "cli.test", "--serial", "1");
    assertTrue(old.out().contains("192.0.2.80") && !old.out().contains("192.0.2.81"), old.out());
    CliRun show = cairn("zone", "show", "--db", db(), "cli.test", "--name", "www", "--type", "A");
    assertEquals("www.cli.test.\t\t300\tIN\tA\t192.0.2.81", show.out().strip());
  }

  @Test
  void lowerSerialIsRefusedUnlessBumped() throws Exception {
    cairn("zone", "load", "--db", db(), write("cli.test.zone", V1).toString());
    Path changed = write("cli.test.zone", V1.replace("192.0.2.80", "192.0.2.99"));
    CliRun refused = cairn("zone", "load", "--db", db(), changed.toString());
    assertEquals(1, refused.exit());
    assertTrue(
        refused.err().startsWith("cairn: zone cli.test. changed but serial 1 is not newer"),
        refused.err());
    CliRun bumped = cairn("zone", "load", "--db", db(), "--bump-serial", changed.toString());
    assertEquals(0, bumped.exit(), bumped.err());
    assertTrue(bumped.out().contains("updated from serial 1 to "), bumped.out());
  }

  @Test
  void deleteCheckUsageAndVersion() throws Exception {
    Path file = write("cli.test.zone", V1);
    assertEquals(0, cairn("zone", "check", file.toString()).exit());
    cairn("zone", "load", "--db", db(), file.toString());
    assertEquals(0, cairn("zone", "delete", "--force", "--db", db(), "cli.test").exit());
    CliRun gone = cairn("zone", "delete", "--force", "--db", db(), "cli.test");
    assertEquals(1, gone.exit());
    assertTrue(gone.err().contains("not in the store"), gone.err());
    assertEquals(2, cairn("zone", "load").exit(), "missing FILE is a usage error");
    assertEquals(2, cairn("zone", "frobnicate").exit());
    assertTrue(cairn("--version").out().startsWith("cairn "));
    assertEquals(0, cairn("zone", "load", "--help").exit());
  }

  @Test
  void tlsGenerateAndPin() throws Exception {
    CliRun gen = cairn("tls", "generate", "--dir", dir.toString(), "--name", "ns1.cli.test");
    assertEquals(0, gen.exit(), gen.err());
    CliRun pin = cairn("tls", "pin", dir.resolve("cert.pem").toString());
    assertTrue(gen.out().contains(pin.out().strip()), gen.out() + " / " + pin.out());
    assertEquals(44, pin.out().strip().length(), "base64 of 32 bytes");
  }

  @Test
  void loadsAFolderOfZonesInOneRunAndNamesTheFilesThatFail() throws Exception {
    Path folder = dir.resolve("zones");
    Files.createDirectories(folder);
    for (String zone : List.of("one.test", "two.test", "three.test")) {
      Files.writeString(
          folder.resolve(zone + ".zone"),
          "$TTL 60\n@ IN SOA ns hm 1 1 1 1 1\n@ IN NS ns\nns IN A 192.0.2.1\n");
    }
    Files.writeString(folder.resolve("bad.test.zone"), "$TTL 60\n@ IN NS ns\n"); // no SOA
    Files.writeString(folder.resolve(".hidden.zone"), "not a zone");
    Path extra =
        write(
            "four.test.zone", "$TTL 60\n@ IN SOA ns hm 1 1 1 1 1\n@ IN NS ns\nns IN A 192.0.2.1\n");

    CliRun load = cairn("zone", "load", "--db", db(), folder.toString(), extra.toString());
    assertEquals(1, load.exit(), "a file failed");
    assertTrue(load.err().contains("cairn: " + folder.resolve("bad.test.zone") + ": "), load.err());
    assertFalse(load.err().contains(".hidden"), load.err());
    assertTrue(load.out().contains("5 files, 4 loaded, 1 failed"), load.out());
    CliRun list = cairn("zone", "list", "--db", db());
    for (String zone : List.of("one.test.", "two.test.", "three.test.", "four.test.")) {
      assertTrue(list.out().contains(zone), list.out());
    }
    assertTrue(
        cairn("zone", "load", "--db", db(), "--origin", "x.test", folder.toString())
            .err()
            .contains("--origin names the zone of one file"));
  }

  @Test
  void theZoneNameComesFromTheFileBeforeItsName() throws Exception {
    Path byOrigin =
        write(
            "export-2026.txt",
            "; a comment\n$TTL 60\n$ORIGIN origin.test.\n@ IN SOA ns hm 1 1 1 1 1\n@ IN NS ns\nns IN A 192.0.2.1\n");
    CliRun load = cairn("zone", "load", "--db", db(), byOrigin.toString());
    assertEquals(0, load.exit(), load.err());
    assertTrue(load.out().startsWith("origin.test. created"), load.out());

    Path bySoa =
        write(
            "db.primary",
            "$TTL 60\nsoa.test. 60 IN SOA ns hm 1 1 1 1 1\n@ IN NS ns\nns IN A 192.0.2.1\n");
    load = cairn("zone", "load", "--db", db(), bySoa.toString());
    assertEquals(0, load.exit(), load.err());
    assertTrue(load.out().startsWith("soa.test. created"), load.out());

    // No $ORIGIN and a relative SOA owner: the file name decides, and when it is wrong the error
    // says what to do.
    Path misnamed =
        write(
            "misnamed.test.zone",
            "$TTL 60\n@ IN SOA ns hm 1 1 1 1 1\n@ IN NS ns\nns.other.test. IN A 192.0.2.1\n");
    CliRun wrong = cairn("zone", "check", misnamed.toString());
    assertEquals(1, wrong.exit());
    assertTrue(
        wrong
                .err()
                .contains(
                    "ns.other.test. is outside the zone misnamed.test., a name taken from the file name")
            && wrong.err().contains("--origin"),
        wrong.err());
  }

  @Test
  void withoutConfigOrDbTheStoreUsedIsSaid() throws Exception {
    // A refused delete says which store it would use without opening one (nothing is created in the
    // build's folder).
    CliRun defaulted = cairn("zone", "delete", "cli.test");
    assertEquals(1, defaulted.exit());
    assertTrue(
        defaulted
            .err()
            .startsWith(
                "cairn: using store "
                    + Path.of("data/cairn").toAbsolutePath()
                    + " (no --config or --db)\n"),
        defaulted.err());
    CliRun named = cairn("zone", "delete", "--db", db(), "cli.test");
    assertFalse(named.err().contains("using store"), named.err());
    CliRun asked =
        cairn("zone", "status"); // asks the server on the default store, and says which that is
    assertEquals(1, asked.exit());
    assertTrue(
        asked
            .err()
            .startsWith(
                "cairn: using store "
                    + Path.of("data/cairn").toAbsolutePath()
                    + " (no --config or --db)\n"),
        asked.err());
  }

  @Test
  void theOtherStoreCommandsNameTheDefaultStoreToo() {
    String said =
        "cairn: using store " + Path.of("data/cairn").toAbsolutePath() + " (no --config or --db)\n";
    // Each fails before opening anything: no store is made in the build's folder.
    for (String[] args :
        List.of(
            new String[] {"store", "backup", dir.resolve("b.zip").toString()},
            new String[] {"tls", "reload"})) {
      CliRun run = cairn(args);
      assertEquals(1, run.exit(), run.err());
      assertTrue(run.err().startsWith(said), String.join(" ", args) + ": " + run.err());
    }
  }

  @Test
  void writingCommandsSayWhenNoServerHoldsTheStore() throws Exception {
    Path file = write("cli.test.zone", V1);
    String notice = "cairn: no server is running on store " + Path.of(db()).toAbsolutePath();
    CliRun idle = cairn("zone", "load", "--db", db(), file.toString());
    assertEquals(0, idle.exit(), idle.err());
    assertTrue(idle.err().contains(notice + " (no lock held on db.lock)"), idle.err());
    CliRun deleted = cairn("zone", "delete", "--force", "--db", db(), "cli.test");
    assertEquals(0, deleted.exit(), deleted.err());
    assertTrue(deleted.err().contains(notice), deleted.err());
    // A server's lock beside the store, as `cairn serve` holds it: the same commands say nothing.
    ServerLock held = ServerLock.acquire(Path.of(db()));
    try {
      CliRun served = cairn("zone", "load", "--db", db(), file.toString());
      assertEquals(0, served.exit(), served.err());
      assertFalse(served.err().contains("no server"), served.err());
      CliRun deletedServed = cairn("zone", "delete", "--force", "--db", db(), "cli.test");
      assertFalse(deletedServed.err().contains("no server"), deletedServed.err());
    } finally {
      held.close();
    }
  }

  @Test
  void loadWithConfigWarnsOfAZoneTheServerWillNotServeAndUsesItsStore() throws Exception {
    Path config =
        write(
            "cairn.yaml", "database: store/cairn\nzones: [{name: other.test, file: other.zone}]\n");
    CliRun load =
        cairn("zone", "load", "--config", config.toString(), write("cli.test.zone", V1).toString());
    assertEquals(0, load.exit(), load.err());
    assertTrue(
        load.err()
            .contains(
                "warning: cli.test. is not in the zones: list of "
                    + config
                    + ": the server will not serve it"),
        load.err());
    assertTrue(load.out().contains("cli.test. created at serial 1"), load.out());
    CliRun list = cairn("zone", "list", "--db", dir.resolve("store/cairn").toString());
    assertTrue(list.out().contains("cli.test."), "stored in the config's database: " + list.out());
    CliRun listed =
        cairn(
            "zone",
            "load",
            "--config",
            config.toString(),
            write("other.test.zone", V1.replace("cli.test", "other.test")).toString());
    assertEquals(0, listed.exit(), listed.err());
    assertFalse(listed.err().contains("warning"), listed.err());
  }

  @Test
  void loadIntoASecondaryOfTheConfigNeedsForce() throws Exception {
    Path config =
        write(
            "cairn.yaml",
            "database: store/cairn\nzones: [{name: cli.test, primaries: [{address: \"127.0.0.1:1\", transport: tcp}]}]\n");
    Path file = write("cli.test.zone", V1);
    CliRun refused = cairn("zone", "load", "--config", config.toString(), file.toString());
    assertEquals(1, refused.exit());
    assertTrue(
        refused.err().contains("cli.test. is a secondary zone in " + config)
            && refused.err().contains("--force"),
        refused.err());
    assertFalse(
        cairn("zone", "list", "--config", config.toString()).out().contains("cli.test."),
        "nothing stored");
    CliRun forced =
        cairn("zone", "load", "--config", config.toString(), "--force", file.toString());
    assertEquals(0, forced.exit(), forced.err());
    assertTrue(forced.out().contains("cli.test. created at serial 1"), forced.out());
  }

  @Test
  void nonInteractiveDeleteWithoutForceIsRefused() throws Exception {
    cairn("zone", "load", "--db", db(), write("cli.test.zone", V1).toString());
    CliRun refused = cairn("zone", "delete", "--db", db(), "cli.test");
    assertEquals(1, refused.exit());
    assertTrue(
        refused.err().contains("not deleting cli.test. without --force: stdin is not a terminal"),
        refused.err());
    assertTrue(cairn("zone", "list", "--db", db()).out().contains("cli.test."), "still stored");
    assertEquals(0, cairn("zone", "delete", "--db", db(), "--force", "cli.test").exit());
  }
}
