package org.cairndns.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.cairndns.server.ServerFixture;
import org.cairndns.tls.PemCredentials;
import org.cairndns.tls.SelfSignedCertificate;
import org.cairndns.tls.SpkiPin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * `cairn serve` as a real process: it serves, a zone loaded with `cairn zone load` meanwhile is
 * served, a second server on the same store refuses to start, `cairn tls reload` (SIGHUP) swaps the
 * certificate but signals nothing through a stale pid file, and SIGTERM stops it cleanly.
 */
class ServeProcessIT {
  @TempDir Path dir;

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String pinOf(int port) throws Exception {
    X509Certificate[] seen = new X509Certificate[1];
    SSLContext ctx = ServerFixture.trustingTlsClient(c -> seen[0] = c);
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.startHandshake();
    }
    return SpkiPin.of(seen[0]);
  }

  static int cli(String... args) {
    picocli.CommandLine cli = CairnCommand.newCommandLine();
    cli.setOut(new PrintWriter(new StringWriter()));
    return cli.execute(args);
  }

  /** Runs a command that must fail; returns what it said on stderr. */
  static String cliFailure(String... args) {
    picocli.CommandLine cli = CairnCommand.newCommandLine();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(new StringWriter()));
    cli.setErr(new PrintWriter(err, true));
    assertEquals(1, cli.execute(args), err.toString());
    return err.toString();
  }

  static ProcessBuilder cairn(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                CairnCommand.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true);
  }

  @Test
  void servesReloadsCertificateAndStops() throws Exception {
    PemCredentials first = SelfSignedCertificate.generate("one.test");
    SelfSignedCertificate.write(first, dir.resolve("cert.pem"), dir.resolve("key.pem"));
    int port = freePort();
    int tlsPort = freePort();
    Files.writeString(
        dir.resolve("cairn.yaml"),
        """
        database: db/cairn
        listen: [127.0.0.1:%d]
        tls-listen: [127.0.0.1:%d]
        store-poll-interval: 200ms
        tls: {certificate: cert.pem, key: key.pem}
        """
            .formatted(port, tlsPort));
    Process server =
        cairn("serve", "--config", dir.resolve("cairn.yaml").toString())
            .redirectOutput(dir.resolve("serve.log").toFile())
            .start();
    Process rival = null;
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .untilAsserted(
              () -> { // no log file yet at first; the pid is written once the start returns
                String log = Files.readString(dir.resolve("serve.log"));
                assertTrue(log.contains("event=listening"), log);
                assertTrue(Files.exists(dir.resolve("db/cairn.pid")), "no pid file yet");
              });
      assertEquals(SpkiPin.of(first.leaf()), pinOf(tlsPort));
      Path pidFile = dir.resolve("db/cairn.pid");
      assertEquals(Long.toString(server.pid()), Files.readString(pidFile).trim());
      try (var files = Files.list(dir.resolve("db"))) {
        for (Path p :
            files
                .filter(p -> !p.toString().endsWith(".lock.db"))
                .toList()) { // H2's, in the 0700 folder
          assertEquals(
              "rw-------",
              PosixFilePermissions.toString(Files.getPosixFilePermissions(p)),
              p.toString());
        }
      }
      assertEquals(
          "rwx------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("db"))));

      // A second server on the same store, on other ports, refuses and leaves the first alone.
      rival =
          cairn(
                  "serve",
                  "--config",
                  dir.resolve("cairn.yaml").toString(),
                  "--listen",
                  "127.0.0.1:" + freePort(),
                  "--tls-listen",
                  "127.0.0.1:" + freePort())
              .redirectOutput(dir.resolve("second.log").toFile())
              .start();
      assertTrue(rival.waitFor(60, TimeUnit.SECONDS), "the second server must not start");
      assertEquals(1, rival.exitValue());
      assertTrue(
          Files.readString(dir.resolve("second.log"))
              .contains(
                  "store "
                      + dir.resolve("db/cairn")
                      + " is in use by a running server (pid "
                      + server.pid()
                      + ")"),
          Files.readString(dir.resolve("second.log")));
      assertEquals(
          Long.toString(server.pid()),
          Files.readString(pidFile).trim(),
          "the first server's pid file is kept");
      assertEquals(SpkiPin.of(first.leaf()), pinOf(tlsPort));

      // A pid file that names another process while the server holds the lock is not trusted
      // either.
      Process unrelated = new ProcessBuilder("sleep", "30").start();
      try {
        Files.writeString(pidFile, Long.toString(unrelated.pid()));
        String said = cliFailure("tls", "reload", "--db", dir.resolve("db/cairn").toString());
        assertTrue(
            said.contains(
                "process " + unrelated.pid() + " named in " + pidFile + " is not a Cairn server"),
            said);
        assertFalse(unrelated.waitFor(1, TimeUnit.SECONDS), "SIGHUP would have ended sleep");
      } finally {
        unrelated.destroy();
        Files.writeString(pidFile, Long.toString(server.pid()));
      }

      Files.writeString(
          dir.resolve("p.test.zone"),
          "$ORIGIN p.test.\n$TTL 60\n@ IN SOA ns hm 1 1 1 1 1\n@ IN NS ns\nns IN A 192.0.2.1\n");
      assertEquals(
          0,
          cli(
              "zone",
              "load",
              "--db",
              dir.resolve("db/cairn").toString(),
              dir.resolve("p.test.zone").toString()));
      SimpleResolver resolver = new SimpleResolver("127.0.0.1");
      resolver.setPort(port);
      await("a zone loaded while the server runs is served")
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () ->
                  resolver
                          .send(
                              Message.newQuery(
                                  Record.newRecord(
                                      Name.fromString("ns.p.test."), Type.A, DClass.IN)))
                          .getSection(Section.ANSWER)
                          .size()
                      == 1);

      // The control channel of the serving process, found from the configuration.
      CliRun status = CliRun.cairn("status", "--config", dir.resolve("cairn.yaml").toString());
      assertEquals(0, status.exit(), status.err());
      assertTrue(
          status.out().contains("certificate expires  " + first.leaf().getNotAfter().toInstant()),
          status.out());
      assertTrue(status.out().contains("127.0.0.1:" + tlsPort), status.out());
      CliRun zones =
          CliRun.cairn("zone", "status", "--config", dir.resolve("cairn.yaml").toString());
      assertTrue(
          zones.out().matches("(?s).*\\np\\.test\\.\\s+primary\\s+served\\s+1\\s+1\\s.*"),
          zones.out());

      PemCredentials second = SelfSignedCertificate.generate("two.test");
      SelfSignedCertificate.write(second, dir.resolve("cert.pem"), dir.resolve("key.pem"));
      assertEquals(0, cli("tls", "reload", "--db", dir.resolve("db/cairn").toString()));
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .untilAsserted(
              () ->
                  assertEquals(
                      SpkiPin.of(second.leaf()),
                      pinOf(tlsPort),
                      Files.readString(dir.resolve("serve.log"))));
    } finally {
      if (rival != null) {
        rival.destroyForcibly();
      }
      server.destroy(); // SIGTERM
      assertTrue(server.waitFor(30, TimeUnit.SECONDS));
    }
    assertTrue(
        Files.readString(dir.resolve("serve.log")).contains("event=stopped"),
        "graceful shutdown on SIGTERM");
    assertTrue(!Files.exists(dir.resolve("db/cairn.pid")), "pid file removed");
    assertTrue(!Files.exists(dir.resolve("db/cairn.ctl")), "control socket removed");
  }

  @Test
  void logsWhereTheConfigurationSays() throws Exception {
    int port = freePort();
    try (DatagramSocket syslog = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      syslog.setSoTimeout(30_000);
      Files.writeString(
          dir.resolve("cairn.yaml"),
          """
          database: db/cairn
          listen: [127.0.0.1:%d]
          log: {level: warn, file: logs/cairn.log, syslog: 127.0.0.1:%d}
          zones: [{name: gone.test, file: gone.test.zone}]
          """
              .formatted(port, syslog.getLocalPort()));
      Process server =
          cairn("serve", "--config", dir.resolve("cairn.yaml").toString())
              .redirectOutput(dir.resolve("stderr.log").toFile())
              .start();
      try {
        SimpleResolver resolver = new SimpleResolver("127.0.0.1");
        resolver.setPort(port);
        await("serving")
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(
                () ->
                    resolver.send(
                            Message.newQuery(
                                Record.newRecord(
                                    Name.fromString("gone.test."), Type.SOA, DClass.IN)))
                        != null);
        Path log = dir.resolve("logs/cairn.log");
        List<String> lines = Files.readAllLines(log);
        assertTrue(
            lines.get(0).contains("zone=gone.test. event=file-load-failed"), lines.toString());
        assertTrue(
            lines.stream().noneMatch(l -> l.contains(" INFO ")),
            "log.level: warn keeps INFO out: " + lines);
        // ISO-8601 with date and zone offset, then the level: 2026-11-29T18:10:33.123+01:00 ERROR
        assertTrue(
            lines
                .get(0)
                .matches(
                    "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}([+-]\\d\\d:\\d\\d|Z) ERROR .*"),
            lines.get(0));
        assertEquals(
            "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
        assertFalse(
            Files.readString(dir.resolve("stderr.log")).contains("file-load-failed"),
            "the file replaces stderr");
        DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
        syslog.receive(packet);
        String message =
            new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        assertTrue(
            message.matches("<27>.* cairn\\[" + server.pid() + "\\]: ERROR .*file-load-failed.*"),
            "daemon.err: " + message);
      } finally {
        server.destroy();
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
      }
    }
  }

  @Test
  void tlsReloadSignalsNoProcessThroughAStalePidFile() throws Exception {
    // What a server that was killed leaves: its lock file, free, and its pid file, whose number now
    // belongs to another process.
    Path db = dir.resolve("db/cairn");
    Files.createDirectories(db.getParent());
    Files.createFile(dir.resolve("db/cairn.lock"));
    Process unrelated = new ProcessBuilder("sleep", "30").start();
    try {
      Files.writeString(dir.resolve("db/cairn.pid"), Long.toString(unrelated.pid()));
      String said = cliFailure("tls", "reload", "--db", db.toString());
      assertTrue(said.contains("no server is running on " + db) && said.contains("is stale"), said);
      assertFalse(unrelated.waitFor(1, TimeUnit.SECONDS), "SIGHUP would have ended sleep");
      Files.delete(dir.resolve("db/cairn.lock"));
      said = cliFailure("tls", "reload", "--db", db.toString());
      assertTrue(said.contains("is stale"), "a store never served: " + said);
      assertFalse(unrelated.waitFor(1, TimeUnit.SECONDS), "SIGHUP would have ended sleep");
    } finally {
      unrelated.destroy();
    }
  }
}
