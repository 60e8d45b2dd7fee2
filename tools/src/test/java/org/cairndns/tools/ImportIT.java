package org.cairndns.tools;

import static org.cairndns.tools.CliRun.cairn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.cairndns.server.config.CairnConfig;
import org.cairndns.server.config.ConfigLoader;
import org.cairndns.xfr.acl.TransferPolicy;
import org.cairndns.xfr.secondary.PrimarySettings;
import org.cairndns.zone.store.ZoneStore;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

/**
 * {@code cairn import}: real named.conf and nsd.conf files (which named-checkconf and nsd-checkconf
 * pass when installed) imported into a real H2 store and a YAML read back through {@link
 * ConfigLoader} and {@code cairn config check}.
 */
class ImportIT {
  @TempDir Path dir;

  /** Copies the fixture folder {@code import/NAME} from the test resources into {@code dir}. */
  Path fixture(String name) throws IOException {
    Path target = dir.resolve(name);
    for (String file :
        List.of(
            "named.conf",
            "keys.conf",
            "example.test.db",
            "zones/other.test.zone",
            "nsd.conf",
            "nsd-keys.conf",
            "example.test.zone")) {
      try (InputStream in = ImportIT.class.getResourceAsStream("/import/" + name + "/" + file)) {
        if (in != null) {
          Files.createDirectories(target.resolve(file).getParent());
          Files.copy(in, target.resolve(file));
        }
      }
    }
    return target;
  }

  /** Runs a checker of the real server in {@code folder}, or skips when it is not installed. */
  static void realCheck(Path folder, String pkg, String... command) throws Exception {
    boolean installed =
        Stream.of(System.getenv("PATH").split(":"), new String[] {"/usr/sbin", "/sbin"})
            .flatMap(Stream::of)
            .anyMatch(d -> Files.isExecutable(Path.of(d, command[0])));
    Assumptions.assumeTrue(installed, command[0] + " is not installed (package " + pkg + ")");
    List<String> args = new ArrayList<>(List.of(command));
    if (!Files.isExecutable(Path.of(args.get(0)))) {
      for (String d : List.of("/usr/sbin", "/sbin")) {
        if (Files.isExecutable(Path.of(d, command[0]))) {
          args.set(0, d + "/" + command[0]);
        }
      }
    }
    Process p =
        new ProcessBuilder(args).directory(folder.toFile()).redirectErrorStream(true).start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), command[0] + " did not finish");
    assertEquals(0, p.exitValue(), command[0] + ": " + out);
  }

  static String network(TransferPolicy.Entry e) throws Exception {
    return InetAddress.getByAddress(e.network().prefix()).getHostAddress()
        + "/"
        + e.network().bits();
  }

  static String hostPort(java.net.InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  static CairnConfig.ZoneEntry zone(CairnConfig config, String name) {
    return config.zones().stream()
        .filter(z -> z.name().toString().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in the YAML"));
  }

  /**
   * Imports {@code conf} into a new store and {@code yaml}, and checks what both fixtures hold,
   * read back from the YAML and the store.
   */
  CliRun importFixture(Path conf, Path yaml) throws Exception {
    Path db = dir.resolve("store/cairn");
    CliRun run =
        cairn("import", conf.toString(), "--output", yaml.toString(), "--db", db.toString());
    assertEquals(0, run.exit(), run.out() + run.err());
    assertTrue(run.out().contains("example.test. created at serial 2026112901"), run.out());
    assertTrue(run.out().contains("other.test. created at serial 7"), run.out());
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(yaml)),
        "it holds TSIG secrets");
    CairnConfig config = ConfigLoader.load(yaml);
    assertEquals(db.toAbsolutePath(), config.database());
    assertEquals(1, config.tsigKeys().size());
    assertEquals("xfr-key.", config.tsigKeys().get(0).name().toString());
    assertEquals("hmac-sha256", config.tsigKeys().get(0).algorithm());
    assertEquals(
        List.of("example.test.", "other.test.", "sec.test.", "old.test."),
        config.zones().stream().map(z -> z.name().toString()).toList());

    CairnConfig.ZoneEntry example = zone(config, "example.test.");
    assertTrue(example.primaries().isEmpty());
    assertNull(example.file(), "served from the store it was loaded into");
    assertEquals(
        List.of("192.0.2.53:53", "198.51.100.7:5300"),
        example.notifyTargets().stream().map(t -> hostPort(t.address())).toList());
    assertFalse(example.notifyNs());

    CairnConfig.ZoneEntry sec = zone(config, "sec.test.");
    CairnConfig.Primary upstream = sec.primaries().get(0);
    assertEquals("192.0.2.1:5353", hostPort(upstream.address()));
    assertEquals(PrimarySettings.Mode.TCP, upstream.transport());
    assertEquals("xfr-key.", upstream.key().toString());
    assertTrue(sec.allowTransfer().isEmpty());

    try (ZoneStore s = ZoneStore.open(db)) {
      assertEquals(
          List.of(Name.fromString("example.test."), Name.fromString("other.test.")),
          s.list().stream().map(z -> z.name()).sorted().toList());
      assertEquals(8, s.current(Name.fromString("example.test.")).orElseThrow().records().size());
    }
    CliRun check = cairn("config", "check", yaml.toString());
    assertEquals(0, check.exit(), check.out() + check.err());
    assertTrue(check.out().contains("4 zones, 0 with errors"), check.out());
    return run;
  }

  @Test
  void importsANamedConfWithIncludesKeysAclsAndPrimariesLists() throws Exception {
    Path bind = fixture("bind");
    realCheck(bind, "bind9-utils", "named-checkconf", "-z", "named.conf");
    Path yaml = dir.resolve("out/cairn.yaml");
    CliRun run = importFixture(bind.resolve("named.conf"), yaml);
    CairnConfig config = ConfigLoader.load(yaml);

    CairnConfig.ZoneEntry example = zone(config, "example.test.");
    List<String> acl = new ArrayList<>();
    for (TransferPolicy.Entry e : example.allowTransfer()) {
      acl.add(e.network() != null ? network(e) : "key " + e.tsigKey());
    }
    assertEquals(List.of("192.0.2.53/32", "198.51.100.0/24", "key xfr-key."), acl);

    CairnConfig.ZoneEntry other = zone(config, "other.test.");
    assertTrue(other.notifyNs(), "notify yes: its name servers too");
    assertEquals(2, other.allowTransfer().size(), "any: every IPv4 and IPv6 address");

    CairnConfig.ZoneEntry sec = zone(config, "sec.test.");
    assertEquals("2001:db8:0:0:0:0:0:1:5353", hostPort(sec.primaries().get(1).address()));
    assertNull(sec.primaries().get(1).key());
    CairnConfig.ZoneEntry old = zone(config, "old.test.");
    assertEquals("203.0.113.9:53", hostPort(old.primaries().get(0).address()));
    assertTrue(old.allowTransfer().isEmpty(), "without its negation the ACL would allow more");

    // Each statement that has no Cairn equivalent, on stdout and in the YAML, with file and line.
    String yamlText = Files.readString(yaml);
    Path conf = bind.resolve("named.conf");
    for (String note :
        List.of(
            conf + ":6: options: recursion no not imported",
            conf + ":11: logging statement not imported",
            "zone other.test: " + conf + ":40: max-journal-size 10M not imported",
            "zone old.test: " + conf + ":52: allow-notify { 203.0.113.10; } not imported",
            "zone old.test: "
                + conf
                + ":53: allow-transfer { !192.0.2.66; 192.0.2.0/24; } not imported: Cairn cannot express its negation",
            conf + ":56: zone fwd.test of type forward not imported")) {
      assertTrue(run.out().contains(note), note + " in\n" + run.out());
      String inYaml = note.startsWith("zone ") ? note.substring(note.indexOf(": ") + 2) : note;
      assertTrue(yamlText.contains(inYaml), inYaml + " in\n" + yamlText);
    }
  }

  @Test
  void importsAnNsdConfWithIncludesPatternsAndKeys() throws Exception {
    Path nsd = fixture("nsd");
    realCheck(nsd, "nsd", "nsd-checkconf", "nsd.conf");
    Path yaml = dir.resolve("cairn.yaml");
    CliRun run = importFixture(nsd.resolve("nsd.conf"), yaml);
    CairnConfig config = ConfigLoader.load(yaml);

    CairnConfig.ZoneEntry example = zone(config, "example.test.");
    assertEquals(
        Map.of("192.0.2.53/32", "null", "198.51.100.0/24", "xfr-key."),
        example.allowTransfer().stream()
            .collect(
                Collectors.toMap(
                    e -> {
                      try {
                        return network(e);
                      } catch (Exception x) {
                        throw new AssertionError(x);
                      }
                    },
                    e -> String.valueOf(e.tsigKey()))));
    CairnConfig.ZoneEntry other = zone(config, "other.test.");
    assertEquals("10.0.0.0/8", network(other.allowTransfer().get(0)), "NSD's ADDR&MASK");
    assertEquals(1, other.allowTransfer().size());
    CairnConfig.ZoneEntry old = zone(config, "old.test.");
    assertEquals("2001:db8:0:0:0:0:0:1:53", hostPort(old.primaries().get(0).address()));

    Path conf = nsd.resolve("nsd.conf");
    for (String note :
        List.of(
            conf + ":4: server: ip-address: 127.0.0.1 not imported",
            conf + ":9: remote-control: clause not imported",
            "zone other.test: " + conf + ":28: provide-xfr: 10.1.1.1-10.1.1.9 NOKEY not imported",
            "zone other.test: " + conf + ":29: zonestats: other not imported",
            "zone sec.test: " + conf + ":35: allow-notify: 192.0.2.200 NOKEY not imported",
            "zone old.test: "
                + conf
                + ":40: request-xfr: AXFR 2001:db8::1 NOKEY: AXFR not imported")) {
      assertTrue(run.out().contains(note), note + " in\n" + run.out());
    }
    assertFalse(
        run.out().contains("allow-notify: 192.0.2.1 "),
        "an allow-notify of the primary is what Cairn does");
  }

  @Test
  void tlsClausesBecomeStrictXotOrOpportunisticTlsAndAZoneGivenTwiceIsNoted() throws Exception {
    Path conf = dir.resolve("named.conf");
    Files.writeString(
        conf,
        """
        tls "to-primary" {
          ca-file "ca.pem";
          remote-hostname "primary.example";
        };
        zone "tls.test" {
          type secondary;
          primaries { 192.0.2.7 tls "to-primary"; 192.0.2.8 port 8853 tls ephemeral; };
        };
        """);
    realCheck(dir, "bind9-utils", "named-checkconf", "named.conf");
    Files.writeString(
        conf,
        Files.readString(conf)
            + "zone \"TLS.test.\" { type secondary; primaries { 192.0.2.9; }; };\n");
    Path yaml = dir.resolve("cairn.yaml");
    CliRun run =
        cairn(
            "import",
            conf.toString(),
            "--output",
            yaml.toString(),
            "--db",
            dir.resolve("store/cairn").toString());
    assertEquals(0, run.exit(), run.out() + run.err());
    assertTrue(
        run.out()
            .contains(
                conf + ":9: zone TLS.test. not imported: it was read before, at " + conf + ":5"),
        run.out());
    CairnConfig.ZoneEntry zone = zone(ConfigLoader.load(yaml), "tls.test.");
    CairnConfig.Primary strict = zone.primaries().get(0);
    assertEquals("192.0.2.7:853", hostPort(strict.address()));
    assertEquals(PrimarySettings.Mode.TLS, strict.transport());
    assertEquals(dir.resolve("ca.pem"), strict.tlsCa());
    assertEquals("primary.example", strict.tlsName());
    CairnConfig.Primary ephemeral = zone.primaries().get(1);
    assertEquals("192.0.2.8:8853", hostPort(ephemeral.address()));
    assertEquals(PrimarySettings.Mode.OPPORTUNISTIC_TLS, ephemeral.transport());
    assertTrue(run.out().contains("tls ephemeral has no ca-file and remote-hostname"), run.out());
    assertEquals(2, zone.primaries().size(), "the second zone's primary is not added");
  }

  @Test
  void malformedFilesNameFileAndLineAndChangeNothing() throws Exception {
    Map<String, String> named =
        Map.of(
            "zone \"a.test\" { type primary; file \"a.zone\" };\n",
            ":1: missing ; before }",
            "zone \"a.test\" { type primary; file \"a.zone\"; }\nzone \"b.test\" { type primary; file \"b.zone\"; };\n",
            ":2: missing ; after the } of 'zone' (found zone)",
            "options { directory \".\"; };\n\nzone \"a.test\" {\n type primary;\n file \"a.zone\";\n",
            ":5: unexpected end of file: a { is not closed",
            "/* never closed\nzone \"a.test\" { type primary; file \"a.zone\"; };\n",
            ":1: comment /* is not closed",
            "zone \"a.test\" { type primary; file \"a.zone; };\n",
            ":1: quoted string is not closed",
            "include \"named.conf\";\n",
            "nested deeper than 8",
            "include \"/dev/zero\";\n",
            ":1: cannot read /dev/zero: not a regular file",
            "zone \"b.test\" { type secondary; primaries { 192.0.2.1 key nokey; }; };\n",
            ":1: primary 192.0.2.1 names key nokey, which is not defined",
            "{".repeat(40) + "\n",
            ":1: blocks nested deeper than 32");
    assertRefused("named.conf", named);
    Map<String, String> nsd =
        Map.of(
            "zone:\n  name: a.test\n  include-pattern: missing\n",
            ":3: pattern missing is not defined",
            "  name: a.test\nzone:\n",
            ":1: name: outside a clause",
            "zone:\n  name: \"a.test\n",
            ":2: quoted string is not closed",
            "zone:\n  name: b.test\n  request-xfr: 192.0.2.999 NOKEY\n",
            ":3: not an IP address: 192.0.2.999",
            "include: \"nsd.conf\"\n",
            "nested deeper than 8");
    assertRefused("nsd.conf", nsd);
  }

  /**
   * Each configuration text, written to {@code fileName}, is refused with an error naming the file
   * (and the value's line) before anything is written.
   */
  void assertRefused(String fileName, Map<String, String> errors) throws Exception {
    Path yaml = dir.resolve("cairn.yaml");
    Path db = dir.resolve("store/cairn");
    for (Map.Entry<String, String> c : errors.entrySet()) {
      Path conf = dir.resolve(fileName);
      Files.writeString(conf, c.getKey());
      CliRun run =
          cairn("import", conf.toString(), "--output", yaml.toString(), "--db", db.toString());
      assertEquals(1, run.exit(), c.getKey());
      assertTrue(
          run.err().startsWith("cairn: " + conf) && run.err().contains(c.getValue()),
          c.getKey() + " gave " + run.err());
      assertFalse(Files.exists(yaml), "no YAML");
      assertFalse(Files.exists(dir.resolve("store")), "no store");
    }
  }

  @Test
  void aBadZoneFileIsNamedTheOthersLoadAndTheYamlSaysSo() throws Exception {
    Path bind = fixture("bind");
    Files.writeString(
        bind.resolve("zones/other.test.zone"), "$TTL 300\nother.test. IN A 192.0.2.1\n");
    Path yaml = dir.resolve("cairn.yaml");
    Path db = dir.resolve("store/cairn");
    CliRun run =
        cairn(
            "import",
            bind.resolve("named.conf").toString(),
            "--output",
            yaml.toString(),
            "--db",
            db.toString());
    assertEquals(1, run.exit(), run.out());
    assertTrue(
        run.err().contains("cairn: zone other.test: ") && run.err().contains("other.test.zone"),
        run.err());
    assertTrue(run.out().contains("example.test. created"), run.out());
    assertTrue(
        Files.readString(yaml).contains("# NOT LOADED into the store: "), Files.readString(yaml));
    assertEquals(0, cairn("config", "check", yaml.toString()).exit());
  }

  @Test
  void refusesToOverwriteTheOutputWithoutForceAndSaysWhenNoServerHoldsTheStore() throws Exception {
    Path bind = fixture("bind");
    Path yaml = dir.resolve("cairn.yaml");
    Files.writeString(yaml, "# the operator's own\n");
    Path db = dir.resolve("store/cairn");
    String conf = bind.resolve("named.conf").toString();
    CliRun refused = cairn("import", conf, "--output", yaml.toString(), "--db", db.toString());
    assertEquals(1, refused.exit());
    assertTrue(refused.err().contains(yaml + " exists; give --force"), refused.err());
    assertEquals("# the operator's own\n", Files.readString(yaml));
    assertFalse(Files.exists(dir.resolve("store")), "nothing loaded either");

    CliRun forced =
        cairn("import", conf, "--output", yaml.toString(), "--db", db.toString(), "--force");
    assertEquals(0, forced.exit(), forced.err());
    assertTrue(
        forced.err().contains("cairn: no server is running on store " + db.toAbsolutePath()),
        forced.err());
    CliRun again =
        cairn("import", conf, "--output", yaml.toString(), "--db", db.toString(), "--force");
    assertTrue(again.out().contains("example.test. unchanged at serial 2026112901"), again.out());
  }
}
