package org.cairndns.tools;

import static org.cairndns.tools.CliRun.cairn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn config check}: the real command line on real files; nothing is started or created.
 */
class ConfigCheckIT {
  @TempDir Path dir;

  static String zone(String origin) {
    return """
        $ORIGIN %s.
        $TTL 300
        @ IN SOA ns hm 1 3600 600 86400 60
        @ IN NS ns
        ns IN A 192.0.2.1
        """
        .formatted(origin);
  }

  Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  List<String> files() throws Exception {
    try (Stream<Path> in = Files.list(dir)) {
      return in.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void goodConfigWithTwoZoneFilesPassesAndCreatesNothing() throws Exception {
    write("one.zone", zone("one.test"));
    write("two.zone", zone("two.test") + "www 60 IN A 192.0.2.2\nwww 120 IN A 192.0.2.3\n");
    Path config =
        write(
            "cairn.yaml",
            """
        database: store/cairn
        zones:
          - {name: one.test, file: one.zone}
          - {name: two.test, file: two.zone}
          - {name: sec.test, primaries: [{address: "127.0.0.1:1", transport: tcp}]}
        """);
    List<String> before = files();
    CliRun check = cairn("config", "check", config.toString());
    assertEquals(0, check.exit(), check.out() + check.err());
    assertTrue(check.out().contains("one.test.: ok, "), check.out());
    assertTrue(
        check.out().contains("two.test.: 1 warnings, "), check.out()); // differing TTLs, lenient
    assertTrue(check.out().contains("sec.test.: ok, secondary (no file)"), check.out());
    assertTrue(check.out().contains("3 zones, 0 with errors"), check.out());
    assertEquals(before, files(), "no store, lock or socket beside the config");
  }

  @Test
  void strictZoneTurnsTheWarningIntoAnError() throws Exception {
    Path file =
        write("two.zone", zone("two.test") + "www 60 IN A 192.0.2.2\nwww 120 IN A 192.0.2.3\n");
    Path config = write("cairn.yaml", "zones: [{name: two.test, file: two.zone, strict: true}]\n");
    CliRun check = cairn("config", "check", config.toString());
    assertEquals(1, check.exit(), check.out());
    assertTrue(check.out().contains("two.test.: error, " + file), check.out());
  }

  @Test
  void weakTsigKeysAreWarnedOfAndAnUndefinedTransferKeyIsAnError() throws Exception {
    write("md5.secret", "c2VjcmV0LXNlY3JldC0w");
    Path config =
        write(
            "cairn.yaml",
            """
        tsig-keys: [{name: old, algorithm: hmac-md5, secret-file: md5.secret}]
        zones: [{name: one.test, allow-transfer: [{key: old}]}]
        """);
    CliRun check = cairn("config", "check", config.toString());
    assertEquals(0, check.exit(), check.out() + check.err());
    assertTrue(
        check
            .out()
            .contains("warning: " + config + ": tsig-keys[0].algorithm: hmac-md5 is deprecated"),
        check.out());
    assertTrue(
        check
            .out()
            .contains(
                "tsig-keys[0].secret-file: the secret has 15 bytes, fewer than the 16 of hmac-md5"),
        check.out());
    assertTrue(check.out().contains("1 zones, 0 with errors"), check.out());

    write("cairn.yaml", "zones: [{name: one.test, allow-transfer: [{key: missing}]}]\n");
    CliRun undefined = cairn("config", "check", config.toString());
    assertEquals(1, undefined.exit(), undefined.out());
    assertTrue(
        undefined
            .err()
            .contains("zones[0].allow-transfer[0].key: no TSIG key \"missing\" in tsig-keys"),
        undefined.err());
  }

  @Test
  void unknownKeyIsNamed() throws Exception {
    Path config = write("cairn.yaml", "zones: [{name: one.test, flie: one.zone}]\n");
    CliRun check = cairn("config", "check", config.toString());
    assertEquals(1, check.exit());
    assertTrue(check.err().contains("flie") && check.err().contains("unknown key"), check.err());
  }

  @Test
  void zoneFileErrorNamesFileAndLine() throws Exception {
    write("one.zone", zone("one.test"));
    Path bad =
        write("bad.zone", zone("bad.test") + "www IN A 192.0.2.80\nwww IN CNAME elsewhere.test.\n");
    Path config =
        write(
            "cairn.yaml",
            """
        zones:
          - {name: one.test, file: one.zone}
          - {name: bad.test, file: bad.zone}
        """);
    List<String> before = files();
    CliRun check = cairn("config", "check", config.toString());
    assertEquals(1, check.exit(), check.out());
    assertTrue(check.out().contains("one.test.: ok"), check.out());
    assertTrue(
        check
            .out()
            .contains("bad.test.: error, " + bad + ":7: CNAME at www.bad.test. has other data"),
        check.out());
    assertTrue(check.out().contains("2 zones, 1 with errors"), check.out());
    assertEquals(before, files(), "no default store created either");
  }
}
