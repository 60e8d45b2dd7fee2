package org.cairndns.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.cairndns.server.CairnServer;
import org.cairndns.server.config.ConfigLoader;
import org.cairndns.tls.PemCredentials;
import org.cairndns.tls.SelfSignedCertificate;
import org.cairndns.tls.SpkiPin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;
import org.xbill.DNS.ZoneTransferException;
import org.xbill.DNS.ZoneTransferIn;

/**
 * {@code cairn reload} against a real running server, through the real command: zones added and
 * removed, an ACL changed, a TSIG key rotated, an invalid file and a restart-only key, each while a
 * client queries in a loop and sees no failure.
 */
class ReloadIT {
  @TempDir Path dir;

  static final String SECRET_ONE = "c2VjcmV0LW9uZS1mb3ItcmVsb2FkLXRlc3Q=";
  static final String SECRET_TWO = "c2VjcmV0LXR3by1mb3ItcmVsb2FkLXRlc3Q=";

  Path config() {
    return dir.resolve("cairn.yaml");
  }

  /** The server on {@code yaml}, which {@link CairnServer#reload()} reads again from the file. */
  CairnServer start(String yaml) throws Exception {
    Files.writeString(dir.resolve("a.zone"), ControlChannelIT.zone("a.test", 10, 86400));
    Files.writeString(dir.resolve("b.zone"), ControlChannelIT.zone("b.test", 20, 86400));
    Files.writeString(config(), yaml);
    return CairnServer.start(ConfigLoader.load(config()), () -> ConfigLoader.load(config()));
  }

  /**
   * Writes {@code yaml} and runs {@code cairn reload} on the server's store ({@code --db}: with
   * {@code --config} the command reads the file itself to find the server, and stops at an invalid
   * one before the server sees it).
   */
  CliRun reload(String yaml, String... flags) throws Exception {
    Files.writeString(config(), yaml);
    String[] args = new String[3 + flags.length];
    args[0] = "reload";
    args[1] = "--db";
    args[2] = dir.resolve("db/cairn").toString();
    System.arraycopy(flags, 0, args, 3, flags.length);
    return CliRun.cairn(args);
  }

  static String yaml(String zones, String extra) {
    return """
        database: db/cairn
        listen: [127.0.0.1:0]
        %s
        zones:
        %s
        """
        .formatted(extra, zones);
  }

  static final String ZONE_A = "  - {name: a.test, file: a.zone}";
  static final String ZONE_B = "  - {name: b.test, file: b.zone}";

  static InetSocketAddress udp(CairnServer server) {
    return server.transport().udpAddresses().get(0);
  }

  static InetSocketAddress tcp(CairnServer server) {
    return server.transport().tcpAddresses().get(0);
  }

  static Message ask(InetSocketAddress server, String name, int type) throws Exception {
    SimpleResolver resolver = new SimpleResolver(server);
    resolver.setTimeout(Duration.ofSeconds(3));
    return resolver.send(
        Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
  }

  static int rcode(InetSocketAddress server, String name) throws Exception {
    return ask(server, name, Type.SOA).getRcode();
  }

  /** A full AXFR of {@code zone}: its record count, or the transfer's failure. */
  static int axfr(InetSocketAddress server, String zone, TSIG key) throws Exception {
    ZoneTransferIn xfr = ZoneTransferIn.newAXFR(Name.fromString(zone), server, key);
    xfr.setTimeout(Duration.ofSeconds(10));
    xfr.run();
    return xfr.getAXFR().size();
  }

  static TSIG key(String secret) {
    return new TSIG(TSIG.HMAC_SHA256, "xfr-key.", secret);
  }

  /**
   * A client asking for {@code www.a.test} over UDP in a loop (bounded: 50,000 queries or 2
   * minutes) until closed, counting any answer that is not the record, and any timeout.
   */
  static final class QueryLoop implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger asked = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final Thread thread;

    QueryLoop(InetSocketAddress server) {
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      thread =
          new Thread(
              () -> {
                while (!stop.get() && asked.get() < 50_000 && System.nanoTime() < deadline) {
                  String failure;
                  try {
                    Message r = ask(server, "www.a.test.", Type.A);
                    failure =
                        r.getRcode() == Rcode.NOERROR && r.getSection(Section.ANSWER).size() == 1
                            ? null
                            : "rcode " + Rcode.string(r.getRcode()) + " " + r;
                  } catch (Exception e) {
                    failure = e.toString();
                  }
                  asked.incrementAndGet();
                  if (failure != null) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, failure);
                  }
                }
              },
              "query-loop");
      thread.start();
      awaitMore(50);
    }

    /** Waits for {@code n} more queries asked (answered or failed). */
    void awaitMore(int n) {
      int target = asked.get() + n;
      await().atMost(Duration.ofSeconds(60)).until(() -> asked.get() >= target);
    }

    @Override
    public void close() {
      stop.set(true);
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      assertEquals(0, failed.get(), asked.get() + " asked; first failure: " + firstFailure.get());
    }
  }

  @Test
  void zonesAddedRemovedAndChangedWhileAClientQueries() throws Exception {
    try (CairnServer server = start(yaml(ZONE_A, ""));
        QueryLoop loop = new QueryLoop(udp(server))) {
      assertEquals(Rcode.REFUSED, rcode(udp(server), "b.test."));

      CliRun added = reload(yaml(ZONE_A + "\n" + ZONE_B, ""));
      assertEquals(0, added.exit(), added.err());
      assertTrue(added.out().contains("zone b.test. added"), added.out());
      await("b.test served")
          .atMost(Duration.ofSeconds(30))
          .until(() -> rcode(udp(server), "b.test.") == Rcode.NOERROR);
      loop.awaitMore(50);

      CliRun removed = reload(yaml(ZONE_A, ""), "--json");
      assertEquals(0, removed.exit(), removed.err());
      assertTrue(
          removed
              .out()
              .contains("\"zone b.test. removed (no longer served; its data stays in the store)\""),
          removed.out());
      assertEquals(Rcode.REFUSED, rcode(udp(server), "b.test."), "no longer served at once");
      assertEquals(
          20L,
          server.store().soa(Name.fromString("b.test.")).map(SOARecord::getSerial).orElse(-1L),
          "the store keeps it");
      CliRun nothing = reload(yaml(ZONE_A, ""));
      assertEquals("reloaded: no change applied\n", nothing.out());

      // A changed zone keeps answering while its new owner loads the new file.
      Files.writeString(dir.resolve("a2.zone"), ControlChannelIT.zone("a.test", 11, 86400));
      CliRun changed = reload(yaml("  - {name: a.test, file: a2.zone}", ""));
      assertEquals(0, changed.exit(), changed.err());
      assertTrue(changed.out().contains("zone a.test. changed: file"), changed.out());
      await("a.test from its new file")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  ((SOARecord)
                              ask(udp(server), "a.test.", Type.SOA)
                                  .getSection(Section.ANSWER)
                                  .get(0))
                          .getSerial()
                      == 11);
      loop.awaitMore(50);
    }
  }

  @Test
  void aChangedAclRefusesThenAllowsATransfer() throws Exception {
    String denied = "  - {name: a.test, file: a.zone, allow-transfer: [{address: 192.0.2.1}]}";
    String allowed = "  - {name: a.test, file: a.zone, allow-transfer: [{address: 127.0.0.1}]}";
    try (CairnServer server = start(yaml(denied, ""));
        QueryLoop loop = new QueryLoop(udp(server))) {
      assertThrows(ZoneTransferException.class, () -> axfr(tcp(server), "a.test.", null));

      CliRun r = reload(yaml(allowed, ""));
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("zone a.test. changed: allow-transfer"), r.out());
      assertTrue(axfr(tcp(server), "a.test.", null) > 0);

      r = reload(yaml(denied, ""));
      assertEquals(0, r.exit(), r.err());
      assertThrows(ZoneTransferException.class, () -> axfr(tcp(server), "a.test.", null));
      loop.awaitMore(50);
    }
  }

  @Test
  void aRotatedTsigKeyRefusesTheOldSecretAndAcceptsTheNew() throws Exception {
    String zone = "  - {name: a.test, file: a.zone, allow-transfer: [{key: xfr-key}]}";
    String keyOne = "tsig-keys: [{name: xfr-key, secret: \"" + SECRET_ONE + "\"}]";
    String keyTwo = "tsig-keys: [{name: xfr-key, secret: \"" + SECRET_TWO + "\"}]";
    try (CairnServer server = start(yaml(zone, keyOne));
        QueryLoop loop = new QueryLoop(udp(server))) {
      assertTrue(axfr(tcp(server), "a.test.", key(SECRET_ONE)) > 0);
      assertThrows(ZoneTransferException.class, () -> axfr(tcp(server), "a.test.", null));

      CliRun r = reload(yaml(zone, keyTwo));
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("tsig-keys xfr-key. rotated"), r.out());
      assertTrue(!r.out().contains(SECRET_TWO) && !r.out().contains(SECRET_ONE), r.out());
      assertThrows(
          ZoneTransferException.class, () -> axfr(tcp(server), "a.test.", key(SECRET_ONE)));
      assertTrue(axfr(tcp(server), "a.test.", key(SECRET_TWO)) > 0);
      // A signed query with the old secret is refused too (BADSIG), with the new one answered.
      SimpleResolver resolver = new SimpleResolver(udp(server));
      resolver.setTSIGKey(key(SECRET_TWO));
      Message signed =
          resolver.send(
              Message.newQuery(Record.newRecord(Name.fromString("a.test."), Type.SOA, DClass.IN)));
      assertEquals(Rcode.NOERROR, signed.getRcode());
      loop.awaitMore(50);
    }
  }

  @Test
  void anInvalidFileChangesNothingAndTheReplyNamesTheKey() throws Exception {
    try (CairnServer server = start(yaml(ZONE_A, ""));
        QueryLoop loop = new QueryLoop(udp(server))) {
      CliRun r = reload(yaml(ZONE_A + "\n" + ZONE_B, "limits: {udp-payload: 99}"));
      assertNotEquals(0, r.exit());
      assertTrue(r.err().contains("reload refused, nothing changed"), r.err());
      assertTrue(r.err().contains("limits.udp-payload"), r.err());
      assertEquals(Rcode.REFUSED, rcode(udp(server), "b.test."), "b.test was not added");
      CliRun local = CliRun.cairn("reload", "--config", config().toString());
      assertNotEquals(0, local.exit());
      assertTrue(local.err().contains("limits.udp-payload"), local.err());

      r = reload("zones: [{name: a.test, file: a.zone}\n"); // not YAML at all
      assertNotEquals(0, r.exit());
      assertTrue(r.err().contains("not valid YAML"), r.err());
      assertEquals(Rcode.NOERROR, rcode(udp(server), "a.test."));
      loop.awaitMore(50);
    }
  }

  @Test
  void aSecondaryZoneAddedBeginsRefreshingFromItsPrimary() throws Exception {
    Path home = Files.createDirectories(dir.resolve("primary"));
    Files.writeString(home.resolve("s.zone"), ControlChannelIT.zone("s.test", 5, 86400));
    try (CairnServer primary =
            ZoneRetransferIT.start(
                home,
                """
                database: db/cairn
                listen: [127.0.0.1:0]
                zones: [{name: s.test, file: s.zone, allow-transfer: [{address: 127.0.0.1}]}]
                """);
        CairnServer server = start(yaml(ZONE_A, ""));
        QueryLoop loop = new QueryLoop(udp(server))) {
      String secondary =
          "  - {name: s.test, primaries: [{address: \"127.0.0.1:%d\", transport: tcp}]}"
              .formatted(tcp(primary).getPort());
      CliRun r = reload(yaml(ZONE_A + "\n" + secondary, ""));
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("zone s.test. added"), r.out());
      await("s.test transferred")
          .atMost(Duration.ofSeconds(30))
          .until(() -> server.zoneStatus(Name.fromString("s.test.")).serial() == 5);
      assertEquals(Rcode.NOERROR, rcode(udp(server), "s.test."));
      loop.awaitMore(50);
    }
  }

  @Test
  void newCertificatePathsServeNewConnectionsAndAnUnreadableOneRefusesTheReload() throws Exception {
    PemCredentials one = SelfSignedCertificate.generate("one.test");
    PemCredentials two = SelfSignedCertificate.generate("two.test");
    SelfSignedCertificate.write(one, dir.resolve("one.pem"), dir.resolve("one.key"));
    SelfSignedCertificate.write(two, dir.resolve("two.pem"), dir.resolve("two.key"));
    String tls = "tls-listen: [127.0.0.1:0]\ntls: {certificate: %s.pem, key: %s.key}";
    try (CairnServer server = start(yaml(ZONE_A, tls.formatted("one", "one")));
        QueryLoop loop = new QueryLoop(udp(server))) {
      int port = server.transport().tlsAddresses().get(0).getPort();
      assertEquals(SpkiPin.of(one.leaf()), ServeProcessIT.pinOf(port));

      CliRun r = reload(yaml(ZONE_A, tls.formatted("two", "two")));
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("tls.certificate: "), r.out());
      assertEquals(SpkiPin.of(two.leaf()), ServeProcessIT.pinOf(port));

      r = reload(yaml(ZONE_A + "\n" + ZONE_B, tls.formatted("missing", "missing")));
      assertNotEquals(0, r.exit());
      assertTrue(r.err().contains("reload refused, nothing changed: tls: "), r.err());
      assertEquals(SpkiPin.of(two.leaf()), ServeProcessIT.pinOf(port));
      assertEquals(Rcode.REFUSED, rcode(udp(server), "b.test."), "b.test was not added");
      loop.awaitMore(50);
    }
  }

  /** A new idle timeout holds connections accepted after the reload; one open keeps its own. */
  @Test
  void perConnectionLimitsHoldConnectionsAcceptedAfterTheReload() throws Exception {
    try (CairnServer server = start(yaml(ZONE_A, "limits: {tcp-idle-timeout: 60s}"));
        java.net.Socket before = new java.net.Socket()) {
      before.connect(tcp(server));
      CliRun r = reload(yaml(ZONE_A, "limits: {tcp-idle-timeout: 1s}"));
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("limits.tcp-idle-timeout: 1m -> 1s"), r.out());
      try (java.net.Socket after = new java.net.Socket()) {
        after.connect(tcp(server));
        after.setSoTimeout(20_000);
        assertEquals(-1, after.getInputStream().read(), "closed by the new idle timeout");
      }
      before.setSoTimeout(500);
      assertThrows(
          java.net.SocketTimeoutException.class,
          () -> before.getInputStream().read(),
          "the connection open before the reload keeps its 60 s");
    }
  }

  /**
   * {@code cairn serve} as a process under {@code nohup}: SIGHUP arrives ignored and the JVM keeps
   * it so, which the server says at start ({@code cairn reload} still works); started as bin/cairn
   * starts Java, with SIGHUP reset to its default, SIGHUP reloads.
   */
  @Test
  void sighupReloadsUnderNohupOnceTheLauncherResetsIt() throws Exception {
    Files.writeString(dir.resolve("a.zone"), ControlChannelIT.zone("a.test", 10, 86400));
    Files.writeString(dir.resolve("b.zone"), ControlChannelIT.zone("b.test", 20, 86400));
    Path ignoredLog = dir.resolve("ignored.log");
    Files.writeString(config(), yaml(ZONE_A, ""));
    Process ignored = serve(ignoredLog, "nohup");
    try {
      String log = awaitLog(ignoredLog, "event=listening");
      assertTrue(log.contains("event=sighup-ignored"), log);
      Path control = dir.resolve("db/cairn.ctl");
      await("the control socket opened (after the listeners)")
          .atMost(Duration.ofSeconds(60))
          .until(() -> Files.exists(control));
      CliRun r = reload(yaml(ZONE_A + "\n" + ZONE_B, ""));
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("zone b.test. added"), r.out());
    } finally {
      stop(ignored);
    }

    Path resetLog = dir.resolve("reset.log");
    Files.writeString(config(), yaml(ZONE_A, ""));
    Process reset = serve(resetLog, "nohup", "env", "--default-signal=HUP");
    try {
      String log = awaitLog(resetLog, "event=listening");
      Path pid = dir.resolve("db/cairn.pid");
      await("started (its pid written)") // a SIGHUP before it would be applied once started
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> Files.readString(pid).trim().equals(Long.toString(reset.pid())));
      assertTrue(!log.contains("event=sighup-ignored"), log);
      Files.writeString(config(), yaml(ZONE_A + "\n" + ZONE_B, ""));
      assertEquals(
          0, new ProcessBuilder("kill", "-HUP", Long.toString(reset.pid())).start().waitFor());
      awaitLog(resetLog, "change=\"zone b.test. added\"");
      assertTrue(reset.isAlive(), "SIGHUP reloads, it does not end the server");
    } finally {
      stop(reset);
    }
  }

  /** {@code cairn serve --config} as a process, its command preceded by {@code prefix}. */
  Process serve(Path log, String... prefix) throws Exception {
    ProcessBuilder java = ServeProcessIT.cairn("serve", "--config", config().toString());
    List<String> command = new java.util.ArrayList<>(List.of(prefix));
    command.addAll(java.command());
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  static String awaitLog(Path log, String line) {
    AtomicReference<String> seen = new AtomicReference<>("");
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              seen.set(Files.readString(log));
              assertTrue(seen.get().contains(line), seen.get());
            });
    return seen.get();
  }

  static void stop(Process server) throws InterruptedException {
    server.destroy(); // SIGTERM
    if (!server.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      server.destroyForcibly();
    }
  }

  @Test
  void aRestartOnlyChangeIsNamedAndNotApplied() throws Exception {
    try (CairnServer server = start(yaml(ZONE_A, ""));
        QueryLoop loop = new QueryLoop(udp(server))) {
      InetSocketAddress before = udp(server);
      String moved = yaml(ZONE_A, "identity: {version: two}").replace("127.0.0.1:0", "127.0.0.1:1");
      CliRun r = reload(moved);
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("needs a restart, not applied:\n  listen\n"), r.out());
      assertTrue(r.out().contains("identity.version: Cairn -> two"), r.out());
      assertEquals(List.of(before), server.transport().udpAddresses(), "still listening there");
      Message version =
          new SimpleResolver(before)
              .send(
                  Message.newQuery(
                      Record.newRecord(Name.fromString("version.bind."), Type.TXT, DClass.CH)));
      assertTrue(version.getSection(Section.ANSWER).get(0).rdataToString().contains("two"));

      CliRun json = reload(moved, "--json");
      assertTrue(json.out().contains("\"restart_needed\":[\"listen\"]"), json.out());
      loop.awaitMore(50);
    }
  }
}
