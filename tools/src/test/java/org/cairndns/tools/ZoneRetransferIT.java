package org.cairndns.tools;

import static org.awaitility.Awaitility.await;
import static org.cairndns.tools.CliRun.cairn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.cairndns.server.CairnServer;
import org.cairndns.server.config.ConfigLoader;
import org.cairndns.xfr.secondary.RetransferRequests;
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
import org.xbill.DNS.Type;

/**
 * `cairn zone retransfer` against a running secondary: its primary was rebuilt with a lower serial,
 * which the secondary never takes on its own (it is not newer); the operator's retransfer takes it.
 */
class ZoneRetransferIT {
  @TempDir Path dir;

  static String zone(long serial, String host) {
    return "$ORIGIN rt.test.\n$TTL 300\n@ IN SOA ns hm "
        + serial
        + " 3600 600 86400 60\n@ IN NS ns\nns IN A 192.0.2.1\n"
        + host
        + " IN A 192.0.2.7\n";
  }

  static CairnServer start(Path home, String yaml) throws Exception {
    Path config = home.resolve("cairn.yaml");
    Files.writeString(config, yaml);
    return CairnServer.start(ConfigLoader.load(config));
  }

  static long servedSerial(InetSocketAddress server) {
    try {
      Message r =
          new SimpleResolver(server)
              .send(
                  Message.newQuery(
                      Record.newRecord(Name.fromString("rt.test."), Type.SOA, DClass.IN)));
      return r.getRcode() == Rcode.NOERROR && !r.getSection(Section.ANSWER).isEmpty()
          ? ((SOARecord) r.getSection(Section.ANSWER).get(0)).getSerial()
          : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void aRetransferTakesTheRebuiltPrimarysLowerSerial() throws Exception {
    Path p = Files.createDirectories(dir.resolve("primary"));
    Path s = Files.createDirectories(dir.resolve("secondary"));
    String primaryDb = p.resolve("db/cairn").toString();
    Files.writeString(p.resolve("v100.zone"), zone(100, "new"));
    Files.writeString(p.resolve("v50.zone"), zone(50, "old"));
    assertEquals(
        0,
        cairn(
                "zone",
                "load",
                "--db",
                primaryDb,
                "--origin",
                "rt.test",
                p.resolve("v100.zone").toString())
            .exit());
    try (CairnServer primary =
        start(
            p,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        zones: [{name: rt.test, allow-transfer: [{address: 127.0.0.1}]}]
        """)) {
      int primaryPort = primary.transport().tcpAddresses().get(0).getPort();
      try (CairnServer secondary =
          start(
              s,
              """
          database: db/cairn
          listen: [127.0.0.1:0]
          store-poll-interval: 200ms
          zones: [{name: rt.test, primaries: [{address: "127.0.0.1:%d", transport: tcp}]}]
          """
                  .formatted(primaryPort))) {
        InetSocketAddress sec = secondary.transport().udpAddresses().get(0);
        await("first transfer")
            .atMost(Duration.ofSeconds(30))
            .until(() -> servedSerial(sec) == 100);

        // The primary is rebuilt from scratch with a lower serial.
        assertEquals(0, cairn("zone", "delete", "--force", "--db", primaryDb, "rt.test").exit());
        assertEquals(
            0,
            cairn(
                    "zone",
                    "load",
                    "--db",
                    primaryDb,
                    "--origin",
                    "rt.test",
                    p.resolve("v50.zone").toString())
                .exit());
        primary.refreshNow();
        assertEquals(50, servedSerial(primary.transport().udpAddresses().get(0)));
        assertEquals(100, servedSerial(sec), "not newer: the secondary keeps 100");

        CliRun retransfer =
            cairn("zone", "retransfer", "--db", s.resolve("db/cairn").toString(), "rt.test");
        assertEquals(0, retransfer.exit(), retransfer.err());
        assertTrue(
            retransfer.out().contains("rt.test.: full transfer started"),
            "over the control channel: " + retransfer.out());
        await("the retransfer takes serial 50")
            .atMost(Duration.ofSeconds(30))
            .until(() -> servedSerial(sec) == 50);
        Message old =
            new SimpleResolver(sec)
                .send(
                    Message.newQuery(
                        Record.newRecord(Name.fromString("old.rt.test."), Type.A, DClass.IN)));
        assertEquals(Rcode.NOERROR, old.getRcode());
        assertEquals(1, old.getSection(Section.ANSWER).size(), "the whole zone at 50, not a mix");
        assertTrue(
            new RetransferRequests(secondary.store().database()).take().isEmpty(),
            "the request was taken once");
      }
    }
  }
}
