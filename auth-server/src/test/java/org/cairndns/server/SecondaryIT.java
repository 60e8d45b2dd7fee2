package org.cairndns.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** Cairn as a secondary of another Cairn over XoT, and of a primary that breaks its transfer. */
class SecondaryIT {
  @TempDir Path dir;

  static String zone(String origin, long serial, String extra) {
    return ServerFixture.hostsZone(origin, serial, 200, extra);
  }

  @Test
  void cairnPullsSeveralZonesOverOneXotConnectionAndFollowsNotify() throws Exception {
    Path p = Files.createDirectories(dir.resolve("primary"));
    Path s = Files.createDirectories(dir.resolve("secondary"));
    for (String z : List.of("a.test", "b.test", "c.test")) {
      Files.writeString(p.resolve(z + ".zone"), zone(z, 1, "www IN A 192.0.2.10\n"));
    }
    int secondaryPort = ServerFixture.freePort();
    try (CairnServer primary =
        ServerFixture.startWith(
            p,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        tls-listen: [127.0.0.1:0]
        zones:
          - {name: a.test, file: a.test.zone, allow-transfer: [{address: 127.0.0.1}], transfer-transports: [tls], notify: ["127.0.0.1:%1$d"]}
          - {name: b.test, file: b.test.zone, allow-transfer: [{address: 127.0.0.1}], transfer-transports: [tls], notify: ["127.0.0.1:%1$d"]}
          - {name: c.test, file: c.test.zone, allow-transfer: [{address: 127.0.0.1}], transfer-transports: [tls], notify: ["127.0.0.1:%1$d"]}
        """
                .formatted(secondaryPort))) {
      String tls = "127.0.0.1:" + primary.transport().tlsAddresses().get(0).getPort();
      String pin = primary.tls().spkiPin();
      String primaries =
          "[{address: \"%s\", transport: tls, tls-pins: [\"%s\"]}]".formatted(tls, pin);
      try (CairnServer secondary =
          ServerFixture.startWith(
              s,
              """
          database: db/cairn
          listen: [127.0.0.1:%d]
          zones:
            - {name: a.test, primaries: %s}
            - {name: b.test, primaries: %s}
            - {name: c.test, primaries: %s}
          """
                  .formatted(secondaryPort, primaries, primaries, primaries))) {
        InetSocketAddress sec = secondary.transport().udpAddresses().get(0);
        for (String z : List.of("a.test.", "b.test.", "c.test.")) {
          await(z + " transferred")
              .atMost(Duration.ofSeconds(30))
              .until(() -> ServerFixture.soaSerial(sec, z) == 1);
        }
        assertEquals(
            1, secondary.primaryConnectionsOpened(), "three zones, one reused TLS connection");

        primary
            .store()
            .load(
                Name.fromString("b.test."),
                ServerFixture.parse("b.test.", zone("b.test", 2, "www IN A 192.0.2.20\n")),
                "v2",
                false);
        primary.refreshNow(); // publishes, which sends NOTIFY to the secondary
        await("NOTIFY-triggered refresh")
            .atMost(Duration.ofSeconds(30))
            .until(() -> ServerFixture.soaSerial(sec, "b.test.") == 2);
        Message www =
            new SimpleResolver(sec)
                .send(
                    Message.newQuery(
                        Record.newRecord(Name.fromString("www.b.test."), Type.A, DClass.IN)));
        assertEquals("192.0.2.20", www.getSection(Section.ANSWER).get(0).rdataToString());
        assertTrue(www.getHeader().getFlag(Flags.AA));
        assertEquals(
            1,
            secondary.store().journal(Name.fromString("b.test."), 1).orElseThrow().size(),
            "the secondary keeps a journal, so it can be a primary in turn");
      }
    }
  }

  @Test
  void parallelTransfersStayWithinTheConnectionAndPipeliningLimits() throws Exception {
    Path p = Files.createDirectories(dir.resolve("primary"));
    StringBuilder primaryZones = new StringBuilder();
    StringBuilder secondaryZones = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      Files.writeString(p.resolve("z" + i + ".test.zone"), zone("z" + i + ".test", 1, ""));
      primaryZones
          .append("  - {name: z")
          .append(i)
          .append(".test, file: z")
          .append(i)
          .append(".test.zone, allow-transfer: [{address: 127.0.0.1}]}\n");
    }
    try (CairnServer primary =
        ServerFixture.startWith(
            p, "database: db/cairn\nlisten: [127.0.0.1:0]\nzones:\n" + primaryZones)) {
      String tcp = "127.0.0.1:" + primary.transport().tcpAddresses().get(0).getPort();
      for (int i = 0; i < 6; i++) {
        secondaryZones
            .append("  - {name: z")
            .append(i)
            .append(".test, primaries: [{address: \"")
            .append(tcp)
            .append("\", transport: tcp}]}\n");
      }
      Path s = Files.createDirectories(dir.resolve("secondary"));
      try (CairnServer secondary =
          ServerFixture.startWith(
              s,
              """
          database: db/cairn
          listen: [127.0.0.1:0]
          secondary: {transfers-in: 6, connections-per-primary: 2, pipelined-per-connection: 1}
          zones:
          """
                  + secondaryZones)) {
        InetSocketAddress sec = secondary.transport().udpAddresses().get(0);
        for (int i = 0; i < 6; i++) {
          String z = "z" + i + ".test.";
          await(z).atMost(Duration.ofSeconds(30)).until(() -> ServerFixture.soaSerial(sec, z) == 1);
        }
        assertEquals(
            2,
            secondary.primaryConnectionsOpened(),
            "six zones at once, one request per connection: two connections, no more");
      }
    }
  }

  @Test
  void mutualTlsIdentityAuthorizesTheTransfer() throws Exception {
    Path p = Files.createDirectories(dir.resolve("primary"));
    Files.writeString(p.resolve("a.test.zone"), zone("a.test", 1, ""));
    // The secondary's client certificate is self-signed and is the primary's trusted client CA.
    org.cairndns.tls.SelfSignedCertificate.write(
        org.cairndns.tls.SelfSignedCertificate.generate("sec.test"),
        dir.resolve("client.pem"),
        dir.resolve("client-key.pem"));
    org.cairndns.tls.SelfSignedCertificate.write(
        org.cairndns.tls.SelfSignedCertificate.generate("other.test"),
        dir.resolve("other.pem"),
        dir.resolve("other-key.pem"));
    try (CairnServer primary =
        ServerFixture.startWith(
            p,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        tls-listen: [127.0.0.1:0]
        tls: {client-ca: %s}
        zones: [{name: a.test, file: a.test.zone, allow-transfer: [{tls-subject: "CN=sec.test"}]}]
        """
                .formatted(dir.resolve("client.pem")))) {
      String tls = "127.0.0.1:" + primary.transport().tlsAddresses().get(0).getPort();
      String pin = primary.tls().spkiPin();
      for (String who : List.of("client", "other")) {
        Path s = Files.createDirectories(dir.resolve("secondary-" + who));
        try (CairnServer secondary =
            ServerFixture.startWith(
                s,
                """
            database: db/cairn
            listen: [127.0.0.1:0]
            zones: [{name: a.test, primaries: [{address: "%s", transport: tls, tls-pins: ["%s"],
                     tls-certificate: %s, tls-key: %s}]}]
            """
                    .formatted(
                        tls, pin, dir.resolve(who + ".pem"), dir.resolve(who + "-key.pem")))) {
          var refresher = secondary.zoneStatus(Name.fromString("a.test."));
          if (who.equals("client")) {
            InetSocketAddress sec = secondary.transport().udpAddresses().get(0);
            await("mTLS identity allowed")
                .atMost(Duration.ofSeconds(30))
                .until(() -> ServerFixture.soaSerial(sec, "a.test.") == 1);
          } else {
            await().atMost(Duration.ofSeconds(30)).until(() -> refresher.lastError() != null);
            assertTrue(refresher.lastError().contains("REFUSED"), refresher.lastError());
            assertTrue(secondary.store().current(Name.fromString("a.test.")).isEmpty());
          }
        }
      }
    }
  }

  @Test
  void strictXotRefusesAWrongPin() throws Exception {
    Path p = Files.createDirectories(dir.resolve("primary"));
    Files.writeString(p.resolve("a.test.zone"), zone("a.test", 1, ""));
    try (CairnServer primary =
        ServerFixture.startWith(
            p,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        tls-listen: [127.0.0.1:0]
        zones: [{name: a.test, file: a.test.zone, allow-transfer: [{address: 127.0.0.1}]}]
        """)) {
      String tls = "127.0.0.1:" + primary.transport().tlsAddresses().get(0).getPort();
      Path s = Files.createDirectories(dir.resolve("secondary"));
      try (CairnServer secondary =
          ServerFixture.startWith(
              s,
              """
          database: db/cairn
          listen: [127.0.0.1:0]
          zones: [{name: a.test, primaries: [{address: "%s", transport: tls, tls-pins: ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]}]}]
          """
                  .formatted(tls))) {
        var refresher = secondary.zoneStatus(Name.fromString("a.test."));
        await().atMost(Duration.ofSeconds(30)).until(() -> refresher.lastError() != null);
        assertTrue(
            refresher.lastError().contains("is not among the configured pins"),
            refresher.lastError());
        assertTrue(
            secondary.store().current(Name.fromString("a.test.")).isEmpty(),
            "nothing transferred, nothing in the clear");
      }
    }
  }

  @Test
  void strictXotWithACaChecksTheChainAndTheName() throws Exception {
    TestCa ca = TestCa.create("XoT Test CA");
    Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));
    Path otherCaFile = TestCa.create("Other CA").writeCertificate(dir.resolve("other-ca.pem"));
    Path p = Files.createDirectories(dir.resolve("primary"));
    org.cairndns.tls.SelfSignedCertificate.write(
        ca.issue("primary.test"), p.resolve("cert.pem"), p.resolve("key.pem"));
    Files.writeString(p.resolve("a.test.zone"), zone("a.test", 1, ""));
    try (CairnServer primary =
        ServerFixture.startWith(
            p,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        tls-listen: [127.0.0.1:0]
        tls: {certificate: cert.pem, key: key.pem}
        zones: [{name: a.test, file: a.test.zone, allow-transfer: [{address: 127.0.0.1}], transfer-transports: [tls]}]
        """)) {
      String tls = "127.0.0.1:" + primary.transport().tlsAddresses().get(0).getPort();
      record Case(String label, Path caFile, String name, String error) {}
      for (Case c :
          List.of(
              new Case("right CA, right name", caFile, "primary.test", null),
              new Case("right CA, wrong name", caFile, "wrong.test", "wrong.test"),
              new Case("another CA", otherCaFile, "primary.test", "PKIX path building failed"))) {
        Path s =
            Files.createDirectories(dir.resolve("secondary-" + c.label().replaceAll("[^a-z]", "")));
        try (CairnServer secondary =
            ServerFixture.startWith(
                s,
                """
            database: db/cairn
            listen: [127.0.0.1:0]
            zones: [{name: a.test, primaries: [{address: "%s", transport: tls, tls-ca: %s, tls-name: %s}]}]
            """
                    .formatted(tls, c.caFile(), c.name()))) {
          var refresher = secondary.zoneStatus(Name.fromString("a.test."));
          if (c.error() == null) {
            InetSocketAddress sec = secondary.transport().udpAddresses().get(0);
            await(c.label())
                .atMost(Duration.ofSeconds(30))
                .until(() -> ServerFixture.soaSerial(sec, "a.test.") == 1);
          } else {
            await(c.label())
                .atMost(Duration.ofSeconds(30))
                .until(() -> refresher.lastError() != null);
            assertTrue(
                refresher.lastError().contains(c.error()),
                c.label() + ": " + refresher.lastError());
            assertTrue(
                secondary.store().current(Name.fromString("a.test.")).isEmpty(),
                c.label() + ": nothing stored");
          }
        }
      }
    }
  }

  @Test
  void aSecondaryZoneNotTransferredYetAnswersServfailWithNotReady() throws Exception {
    Path s = Files.createDirectories(dir.resolve("secondary"));
    Files.writeString(s.resolve("fx.test.zone"), ServerFixture.ZONE);
    int unreachable =
        ServerFixture.freePort(); // nothing listens there: the first transfer never happens
    try (CairnServer secondary =
        ServerFixture.startWith(
            s,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        zones:
          - {name: fx.test, file: fx.test.zone}
          - {name: a.test, primaries: [{address: "127.0.0.1:%1$d", transport: tcp}]}
          - {name: sub.fx.test, primaries: [{address: "127.0.0.1:%1$d", transport: tcp}]}
        """
                .formatted(unreachable))) {
      SimpleResolver udp = new SimpleResolver(secondary.transport().udpAddresses().get(0));
      udp.setEDNS(-1); // the cases below add OPT themselves
      record Case(String qname, int type, boolean edns, int rcode, boolean notReady) {}
      for (Case c :
          List.of(
              new Case("www.a.test.", Type.A, false, Rcode.SERVFAIL, false),
              new Case("www.a.test.", Type.A, true, Rcode.SERVFAIL, true),
              new Case("a.test.", Type.SOA, true, Rcode.SERVFAIL, true),
              new Case(
                  "www.sub.fx.test.",
                  Type.A,
                  true,
                  Rcode.SERVFAIL,
                  true), // not the parent's NXDOMAIN
              new Case("www.fx.test.", Type.A, true, Rcode.NOERROR, false),
              new Case("www.other.test.", Type.A, true, Rcode.REFUSED, false))) {
        Message q =
            Message.newQuery(Record.newRecord(Name.fromString(c.qname()), c.type(), DClass.IN));
        if (c.edns()) {
          q.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        }
        Message r = udp.send(q);
        String label = c.qname() + (c.edns() ? " with OPT" : "");
        assertEquals(c.rcode(), r.getRcode(), label);
        assertEquals(c.edns(), r.getOPT() != null, label + ": OPT only when asked with OPT");
        List<Integer> ede =
            r.getOPT() == null
                ? List.of()
                : r.getOPT().getOptions(15).stream()
                    .map(o -> ((org.xbill.DNS.ExtendedErrorCodeOption) o).getErrorCode())
                    .toList();
        assertEquals(
            c.notReady() ? List.of(org.xbill.DNS.ExtendedErrorCodeOption.NOT_READY) : List.of(),
            ede,
            label);
      }
      // Nor is it transferred onwards: AXFR gets SERVFAIL (as from BIND), not NOTAUTH.
      try (java.net.Socket tcp =
          ServerFixture.connect(secondary.transport().tcpAddresses().get(0))) {
        ServerFixture.writeFrame(
            tcp.getOutputStream(),
            Message.newQuery(Record.newRecord(Name.fromString("a.test."), Type.AXFR, DClass.IN))
                .toWire());
        assertEquals(Rcode.SERVFAIL, ServerFixture.readFrame(tcp.getInputStream()).getRcode());
      }
    }
  }

  @Test
  void aBrokenTransferKeepsTheOldVersion() throws Exception {
    Path s = Files.createDirectories(dir.resolve("secondary"));
    try (ServerSocket fake = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      Thread primary = new Thread(() -> serveBroken(fake));
      primary.setDaemon(true);
      primary.start();
      // The secondary already has serial 1; the "primary" claims serial 2 and then breaks the
      // transfer.
      try (var store = org.cairndns.zone.store.ZoneStore.open(s.resolve("db/cairn"))) {
        store.load(
            Name.fromString("a.test."),
            ServerFixture.parse("a.test.", zone("a.test", 1, "www IN A 192.0.2.10\n")),
            "seed",
            false);
      }
      try (CairnServer secondary =
          ServerFixture.startWith(
              s,
              """
          database: db/cairn
          listen: [127.0.0.1:0]
          zones: [{name: a.test, primaries: [{address: "127.0.0.1:%d", transport: tcp}]}]
          """
                  .formatted(fake.getLocalPort()))) {
        var refresher = secondary.zoneStatus(Name.fromString("a.test."));
        await().atMost(Duration.ofSeconds(30)).until(() -> refresher.lastError() != null);
        InetSocketAddress sec = secondary.transport().udpAddresses().get(0);
        assertEquals(
            1,
            ServerFixture.soaSerial(sec, "a.test."),
            "old version still served: " + refresher.lastError());
        Message www =
            new SimpleResolver(sec)
                .send(
                    Message.newQuery(
                        Record.newRecord(Name.fromString("www.a.test."), Type.A, DClass.IN)));
        assertEquals("192.0.2.10", www.getSection(Section.ANSWER).get(0).rdataToString());
      }
    }
  }

  /**
   * Issue 11 item 11: a flood of NOTIFYs from the primary's address (spoofable over UDP) costs the
   * primary a few SOA queries, not one per NOTIFY, and the secondary keeps answering meanwhile.
   */
  @Test
  void aNotifyFloodCostsThePrimaryAFewSoaQueriesAndQueriesAreAnsweredDuringIt() throws Exception {
    Path s = Files.createDirectories(dir.resolve("secondary"));
    List<Record> v1 = ServerFixture.parse("a.test.", zone("a.test", 1, "www IN A 192.0.2.10\n"));
    try (var store = org.cairndns.zone.store.ZoneStore.open(s.resolve("db/cairn"))) {
      store.load(Name.fromString("a.test."), v1, "seed", false);
    }
    java.util.concurrent.atomic.AtomicInteger soaQueries =
        new java.util.concurrent.atomic.AtomicInteger();
    try (ServerSocket primary =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> answerSoa(primary, v1.get(0), soaQueries));
      acceptor.setDaemon(true);
      acceptor.start();
      try (CairnServer secondary =
          ServerFixture.startWith(
              s,
              """
          database: db/cairn
          listen: [127.0.0.1:0]
          zones: [{name: a.test, primaries: [{address: "127.0.0.1:%d", transport: tcp}]}]
          """
                  .formatted(primary.getLocalPort()))) {
        var refresher = secondary.zoneStatus(Name.fromString("a.test."));
        await("the check at start")
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    soaQueries.get() == 1
                        && refresher.state() == org.cairndns.xfr.secondary.ZoneRefresher.State.OK);
        int before = soaQueries.get();
        InetSocketAddress sec = secondary.transport().udpAddresses().get(0);

        java.util.concurrent.atomic.AtomicBoolean flooding =
            new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger answeredDuringFlood =
            new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger unansweredDuringFlood =
            new java.util.concurrent.atomic.AtomicInteger();
        Thread legitimate =
            new Thread(
                () -> {
                  SimpleResolver resolver = new SimpleResolver(sec);
                  resolver.setTimeout(Duration.ofMillis(500));
                  while (flooding.get()) {
                    Message answer = null;
                    for (int attempt = 0;
                        attempt < 4 && answer == null;
                        attempt++) { // UDP: a datagram may be dropped
                      try {
                        answer =
                            resolver.send(
                                Message.newQuery(
                                    Record.newRecord(
                                        Name.fromConstantString("www.a.test."),
                                        Type.A,
                                        DClass.IN)));
                      } catch (java.io.IOException timeout) {
                        // asked again
                      }
                    }
                    if (answer != null
                        && answer.getRcode() == Rcode.NOERROR
                        && !answer.getSection(Section.ANSWER).isEmpty()) {
                      answeredDuringFlood.incrementAndGet();
                    } else {
                      unansweredDuringFlood.incrementAndGet();
                    }
                  }
                });

        Message notify = new Message();
        notify.getHeader().setOpcode(org.xbill.DNS.Opcode.NOTIFY);
        notify.getHeader().setFlag(Flags.AA);
        notify.addRecord(
            Record.newRecord(Name.fromString("a.test."), Type.SOA, DClass.IN), Section.QUESTION);
        byte[] wire = notify.toWire();
        // 20,000 NOTIFYs over about 2 s: the issue's flood rate (140k in 10 s), bounded in count
        // and time
        long started = System.nanoTime();
        long deadline = started + Duration.ofSeconds(10).toNanos();
        int sent = 0;
        try (java.net.DatagramSocket from =
            new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
          legitimate.start();
          for (; sent < 20_000 && System.nanoTime() < deadline; sent++) {
            wire[0] = (byte) (sent >> 8);
            wire[1] = (byte) sent;
            from.send(new java.net.DatagramPacket(wire, wire.length, sec));
            long due = started + sent * 100_000L; // 10,000 a second
            while (System.nanoTime() < due) {
              Thread.onSpinWait();
            }
          }
        } finally {
          flooding.set(false);
          legitimate.join(10_000);
        }
        // the follow-up check the flood queued, and no more
        java.util.concurrent.locks.LockSupport.parkNanos(
            org.cairndns.xfr.secondary.ZoneRefresher.NOTIFY_CHECK_SPACING
                .multipliedBy(3)
                .toNanos());
        int floodQueries = soaQueries.get() - before;
        assertTrue(
            floodQueries >= 1 && floodQueries <= 5,
            sent + " NOTIFYs cost " + floodQueries + " SOA queries");
        assertTrue(
            answeredDuringFlood.get() >= 1 && unansweredDuringFlood.get() == 0,
            "legitimate queries during the flood: "
                + answeredDuringFlood
                + " answered, "
                + unansweredDuringFlood
                + " not");
        assertEquals(1, ServerFixture.soaSerial(sec, "a.test."));
      }
    }
  }

  /**
   * Issue 11 item 15: EXPIRE counts from the last successful check across restarts. A zone whose
   * EXPIRE passed while the secondary was down is not served from the first query after the
   * restart; one within EXPIRE is.
   */
  @Test
  void aZoneThatExpiredWhileTheSecondaryWasDownIsNotServedAfterARestart() throws Exception {
    Path p = Files.createDirectories(dir.resolve("primary"));
    Path s = Files.createDirectories(dir.resolve("secondary"));
    Files.writeString(
        p.resolve("short.test.zone"),
        "$ORIGIN short.test.\n$TTL 300\n@ IN SOA ns hm 1 3600 600 2 60\n@ IN NS ns\nns IN A 192.0.2.1\n");
    Files.writeString(p.resolve("long.test.zone"), zone("long.test", 1, ""));
    String secondaryConfig =
        """
        database: db/cairn
        listen: [127.0.0.1:0]
        zones:
          - {name: short.test, primaries: [{address: "127.0.0.1:%1$d", transport: tcp}]}
          - {name: long.test, primaries: [{address: "127.0.0.1:%1$d", transport: tcp}]}
        """;
    int primaryPort;
    try (CairnServer primary =
        ServerFixture.startWith(
            p,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        zones:
          - {name: short.test, file: short.test.zone, allow-transfer: [{address: 127.0.0.1}]}
          - {name: long.test, file: long.test.zone, allow-transfer: [{address: 127.0.0.1}]}
        """)) {
      primaryPort = primary.transport().tcpAddresses().get(0).getPort();
      try (CairnServer secondary =
          ServerFixture.startWith(s, secondaryConfig.formatted(primaryPort))) {
        InetSocketAddress sec = secondary.transport().udpAddresses().get(0);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    ServerFixture.soaSerial(sec, "short.test.") == 1
                        && ServerFixture.soaSerial(sec, "long.test.") == 1);
      }
    }
    // Both down; the short zone's EXPIRE (2 s) passes.
    java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(2500).toNanos());
    try (CairnServer secondary =
        ServerFixture.startWith(s, secondaryConfig.formatted(primaryPort))) {
      InetSocketAddress sec = secondary.transport().udpAddresses().get(0);
      assertEquals(
          -1, ServerFixture.soaSerial(sec, "short.test."), "expired while down: not served");
      assertEquals(
          org.cairndns.xfr.secondary.ZoneRefresher.State.EXPIRED,
          secondary.zoneStatus(Name.fromString("short.test.")).state());
      assertEquals(1, ServerFixture.soaSerial(sec, "long.test."), "within EXPIRE: served");
    }
  }

  /**
   * A primary at {@code soa}'s serial: answers every SOA query on every connection, counting them.
   */
  private static void answerSoa(
      ServerSocket primary, Record soa, java.util.concurrent.atomic.AtomicInteger soaQueries) {
    while (!primary.isClosed()) {
      try {
        Socket c = primary.accept();
        Thread t =
            new Thread(
                () -> {
                  try (c) {
                    DataInputStream in = new DataInputStream(c.getInputStream());
                    DataOutputStream out = new DataOutputStream(c.getOutputStream());
                    while (true) {
                      byte[] req = new byte[in.readUnsignedShort()];
                      in.readFully(req);
                      Message q = new Message(req);
                      if (q.getQuestion().getType() == Type.SOA) {
                        soaQueries.incrementAndGet();
                      }
                      Message r = new Message(q.getHeader().getID());
                      r.getHeader().setFlag(Flags.QR);
                      r.getHeader().setFlag(Flags.AA);
                      r.addRecord(q.getQuestion(), Section.QUESTION);
                      r.addRecord(soa, Section.ANSWER);
                      byte[] w = r.toWire();
                      out.writeShort(w.length);
                      out.write(w);
                      out.flush();
                    }
                  } catch (Exception closed) {
                    // connection ended
                  }
                });
        t.setDaemon(true);
        t.start();
      } catch (Exception stopped) {
        return;
      }
    }
  }

  /** Answers SOA with serial 2; answers a transfer with its first message and then hangs up. */
  private static void serveBroken(ServerSocket fake) {
    try (Socket c = fake.accept()) {
      DataInputStream in = new DataInputStream(c.getInputStream());
      DataOutputStream out = new DataOutputStream(c.getOutputStream());
      List<Record> v2 = ServerFixture.parse("a.test.", zone("a.test", 2, ""));
      while (true) {
        byte[] req = new byte[in.readUnsignedShort()];
        in.readFully(req);
        Message q = new Message(req);
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.AA);
        r.addRecord(q.getQuestion(), Section.QUESTION);
        r.addRecord(v2.get(0), Section.ANSWER);
        if (q.getQuestion().getType() != Type.SOA) {
          for (int i = 1; i < 50; i++) {
            r.addRecord(v2.get(i), Section.ANSWER); // no closing SOA
          }
          byte[] w = r.toWire();
          out.writeShort(w.length);
          out.write(w);
          out.flush();
          return; // connection dropped mid-transfer
        }
        byte[] w = r.toWire();
        out.writeShort(w.length);
        out.write(w);
        out.flush();
      }
    } catch (Exception e) {
      // the test asserts on the secondary's side
    }
  }
}
