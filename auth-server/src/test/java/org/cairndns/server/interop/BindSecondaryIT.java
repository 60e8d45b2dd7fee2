package org.cairndns.server.interop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.cairndns.server.CairnServer;
import org.cairndns.server.ServerFixture;
import org.cairndns.zone.dnssec.SignedZones;
import org.cairndns.zone.dnssec.SignedZones.Denial;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.ZoneTransferIn;

/**
 * BIND 9 as a secondary of Cairn: one zone over XoT (TLS, XoT-only zone), one over TCP with TSIG,
 * and a zone signed with NSEC3 ({@link SignedZones}) over XoT. Its copies must equal Cairn's record
 * by record (the signed one RRSIGs, DNSKEYs, NSEC3PARAM and NSEC3 chain included), first by AXFR,
 * then, for the first two, by IXFR after Cairn loads a changed version. BIND's refresh timer for
 * the XoT zone is left at its 5-minute floor, so its second transfer can only come from Cairn's
 * NOTIFY.
 */
class BindSecondaryIT {
  static final String SECRET = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
  @TempDir Path dir;

  static String zone(String origin, long serial, String extra) {
    return ServerFixture.hostsZone(origin, serial, 500, extra);
  }

  @Test
  void bindPullsOverXotAndTsigThenTakesIxfr() throws Exception {
    Files.writeString(dir.resolve("xot.test.zone"), zone("xot.test", 1, "www IN A 192.0.2.80\n"));
    Files.writeString(dir.resolve("tsig.test.zone"), zone("tsig.test", 1, "www IN A 192.0.2.81\n"));
    Path signed = SignedZones.bind(dir, Denial.NSEC3, Duration.ofDays(30));
    int bindPort = NamedProcess.freePort();
    try (CairnServer cairn =
        ServerFixture.startWith(
            dir,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        tls-listen: [127.0.0.1:0]
        tsig-keys: [{name: xfr-key, algorithm: hmac-sha256, secret: "%s"}]
        zones:
          - {name: xot.test, file: xot.test.zone, allow-transfer: [{address: 127.0.0.1}], transfer-transports: [tls],
             notify: ["127.0.0.1:%d"]}
          - {name: tsig.test, file: tsig.test.zone, allow-transfer: [{key: xfr-key}], transfer-transports: [tcp]}
          - {name: edge.test, file: "%s", allow-transfer: [{address: 127.0.0.1}], transfer-transports: [tls]}
        """
                .formatted(SECRET, bindPort, signed))) {
      int tcpPort = cairn.transport().tcpAddresses().get(0).getPort();
      int tlsPort = cairn.transport().tlsAddresses().get(0).getPort();
      Path named = Files.createDirectories(dir.resolve("named"));
      String zones =
          """
          key "xfr-key" { algorithm hmac-sha256; secret "%s"; };
          tls cairn-xot { protocols { TLSv1.3; }; };
          zone "xot.test" { type secondary; file "xot.test.bk"; primaries { 127.0.0.1 port %d tls cairn-xot; }; };
          zone "tsig.test" { type secondary; file "tsig.test.bk"; primaries { 127.0.0.1 port %d key xfr-key; };
            min-refresh-time 1; max-refresh-time 2; min-retry-time 1; max-retry-time 2; };
          zone "edge.test" { type secondary; file "edge.test.bk"; primaries { 127.0.0.1 port %d tls cairn-xot; }; };
          """
              .formatted(SECRET, tlsPort, tcpPort, tlsPort);
      try (NamedProcess bind =
          NamedProcess.start(
              named,
              bindPort,
              zones,
              "  allow-transfer { any; };\n",
              Name.fromString("xot.test."))) {
        bind.awaitSoa(Name.fromString("tsig.test."), Duration.ofSeconds(30));
        bind.awaitSoa(Name.fromString("edge.test."), Duration.ofSeconds(30));
        assertSameZone(cairn, bind, "xot.test.");
        assertSameZone(cairn, bind, "tsig.test.");
        assertSameZone(cairn, bind, "edge.test.");

        for (String origin : List.of("xot.test", "tsig.test")) {
          List<Record> v2 =
              ServerFixture.parse(
                  origin + ".", zone(origin, 2, "www IN A 192.0.2.99\nnew IN TXT \"added\"\n"));
          cairn.store().load(Name.fromString(origin + "."), v2, "test v2", false);
        }
        cairn.refreshNow();
        for (String origin : List.of("xot.test.", "tsig.test.")) {
          await()
              .atMost(Duration.ofSeconds(30))
              .untilAsserted(
                  () ->
                      assertEquals(
                          2,
                          ServerFixture.soaSerial(bind.address(), origin),
                          "BIND took serial 2 of " + origin + ":\n" + bind.log()));
          assertSameZone(cairn, bind, origin);
        }
        String log = bind.log();
        assertTrue(
            log.contains(
                "transfer of 'xot.test/IN' from 127.0.0.1#" + tlsPort + ": Transfer completed"),
            log);
        // The second transfer was incremental: SOA, old SOA, 1 deleted, new SOA, 2 added, SOA.
        assertTrue(
            log.contains(
                "from 127.0.0.1#" + tlsPort + ": Transfer completed: 1 messages, 7 records"),
            log);
        assertTrue(
            log.contains(
                "from 127.0.0.1#" + tcpPort + ": Transfer completed: 1 messages, 7 records"),
            log);
        assertTrue(log.contains("'tsig.test/IN' from 127.0.0.1#" + tcpPort), log);
      }
    }
  }

  /** Both servers' AXFR of the zone, as sets of records. */
  private static void assertSameZone(CairnServer cairn, NamedProcess bind, String origin)
      throws Exception {
    TreeSet<String> fromCairn = new TreeSet<>();
    cairn.zones().get(Name.fromString(origin)).records().forEach(r -> fromCairn.add(norm(r)));
    ZoneTransferIn xfr = ZoneTransferIn.newAXFR(Name.fromString(origin), bind.address(), null);
    xfr.setTimeout(Duration.ofSeconds(20));
    xfr.run();
    TreeSet<String> fromBind = new TreeSet<>();
    xfr.getAXFR().forEach(r -> fromBind.add(norm(r)));
    assertEquals(fromCairn, fromBind, origin);
  }

  private static String norm(Record r) {
    return r.toString().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
  }
}
