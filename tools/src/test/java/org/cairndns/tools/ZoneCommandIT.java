package org.cairndns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.cairndns.tools.CairnCli.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real `cairn` command line, in-process, against a real H2 file. */
class ZoneCommandIT {
  @TempDir Path dir;

  Run cairn(String... args) {
    return CairnCli.run(args);
  }

  String db() {
    return dir.resolve("db").toString();
  }

  Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  static final String V1 = """
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
    Run load = cairn("zone", "load", "--db", db(), file.toString());
    assertEquals(0, load.exit(), load.err());
    assertTrue(load.out().contains("cli.test. created at serial 1"), load.out());
    Run export = cairn("zone", "export", "--db", db(), "cli.test");
    assertEquals(0, export.exit(), export.err());
    Path exported = write("exported.zone", export.out());
    Run again = cairn("zone", "load", "--db", dir.resolve("db2").toString(), "--origin", "cli.test", exported.toString());
    assertEquals(0, again.exit(), again.err());
    Run export2 = cairn("zone", "export", "--db", dir.resolve("db2").toString(), "cli.test");
    assertEquals(records(export.out()), records(export2.out()));
    assertEquals(8, records(export.out()).size());
    Run same = cairn("zone", "load", "--db", db(), file.toString());
    assertTrue(same.out().contains("unchanged"), same.out());
  }

  @Test
  void badFileNamesFileAndLineAndChangesNothing() throws Exception {
    Path file = write("cli.test.zone", V1);
    cairn("zone", "load", "--db", db(), file.toString());
    Path bad = write("cli.test.zone", V1.replace(" 1 3600", " 2 3600") + "www IN CNAME elsewhere.test.\n");
    Run load = cairn("zone", "load", "--db", db(), bad.toString());
    assertEquals(1, load.exit());
    assertTrue(load.err().contains(bad + ":11: CNAME at www.cli.test. has other data"), load.err());
    Run list = cairn("zone", "list", "--db", db());
    assertTrue(list.out().matches("(?s).*cli\\.test\\.\\s+1\\s+8\\s+1.*"), list.out());
  }

  @Test
  void historyDiffAndOlderExports() throws Exception {
    cairn("zone", "load", "--db", db(), write("cli.test.zone", V1).toString());
    String v2 = V1.replace(" 1 3600", " 2 3600").replace("192.0.2.80", "192.0.2.81");
    assertEquals(0, cairn("zone", "load", "--db", db(), write("cli.test.zone", v2).toString()).exit());
    Run diff = cairn("zone", "diff", "--db", db(), "cli.test", "1", "2");
    assertEquals(0, diff.exit(), diff.err());
    Set<String> lines = new TreeSet<>(Arrays.asList(diff.out().strip().split("\n")));
    assertEquals(4, lines.size(), diff.out());
    assertTrue(diff.out().contains("- www.cli.test.\t\t300\tIN\tA\t192.0.2.80"), diff.out());
    assertTrue(diff.out().contains("+ www.cli.test.\t\t300\tIN\tA\t192.0.2.81"), diff.out());
    Run history = cairn("zone", "history", "--db", db(), "cli.test");
    assertTrue(history.out().contains("           2          8        1        1"), history.out());
    Run old = cairn("zone", "export", "--db", db(), "cli.test", "--serial", "1");
    assertTrue(old.out().contains("192.0.2.80") && !old.out().contains("192.0.2.81"), old.out());
    Run show = cairn("zone", "show", "--db", db(), "cli.test", "--name", "www", "--type", "A");
    assertEquals("www.cli.test.\t\t300\tIN\tA\t192.0.2.81", show.out().strip());
  }

  @Test
  void lowerSerialIsRefusedUnlessBumped() throws Exception {
    cairn("zone", "load", "--db", db(), write("cli.test.zone", V1).toString());
    Path changed = write("cli.test.zone", V1.replace("192.0.2.80", "192.0.2.99"));
    Run refused = cairn("zone", "load", "--db", db(), changed.toString());
    assertEquals(1, refused.exit());
    assertTrue(refused.err().startsWith("cairn: zone cli.test. changed but serial 1 is not newer"), refused.err());
    Run bumped = cairn("zone", "load", "--db", db(), "--bump-serial", changed.toString());
    assertEquals(0, bumped.exit(), bumped.err());
    assertTrue(bumped.out().contains("updated from serial 1 to "), bumped.out());
  }

  @Test
  void deleteCheckUsageAndVersion() throws Exception {
    Path file = write("cli.test.zone", V1);
    assertEquals(0, cairn("zone", "check", file.toString()).exit());
    cairn("zone", "load", "--db", db(), file.toString());
    assertEquals(0, cairn("zone", "delete", "--db", db(), "cli.test").exit());
    Run gone = cairn("zone", "delete", "--db", db(), "cli.test");
    assertEquals(1, gone.exit());
    assertTrue(gone.err().contains("not in the store"), gone.err());
    assertEquals(2, cairn("zone", "load").exit(), "missing FILE is a usage error");
    assertEquals(2, cairn("zone", "frobnicate").exit());
    assertTrue(cairn("--version").out().startsWith("cairn "));
    assertEquals(0, cairn("zone", "load", "--help").exit());
  }

  @Test
  void tlsGenerateAndPin() throws Exception {
    Run gen = cairn("tls", "generate", "--dir", dir.toString(), "--name", "ns1.cli.test");
    assertEquals(0, gen.exit(), gen.err());
    Run pin = cairn("tls", "pin", dir.resolve("cert.pem").toString());
    assertTrue(gen.out().contains(pin.out().strip()), gen.out() + " / " + pin.out());
    assertEquals(44, pin.out().strip().length(), "base64 of 32 bytes");
  }
}
