package org.cairndns.server.interop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.cairndns.server.CairnServer;
import org.cairndns.server.ServerFixture;
import org.cairndns.tls.PemCredentials;
import org.cairndns.tls.SelfSignedCertificate;
import org.cairndns.tls.SpkiPin;
import org.cairndns.zone.dnssec.SignedZones;
import org.cairndns.zone.dnssec.SignedZones.Denial;
import org.cairndns.zone.master.ZoneFileReader;
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
 * BIND 9 as the primary with {@code listen-on tls}; Cairn pulls five zones from it over strict XoT
 * (pinned), pipelined on one connection, one of them several thousand records of many types and one
 * signed with NSEC3 ({@link SignedZones}), both of which it must hold exactly as BIND's zone file
 * has them (RRSIGs, DNSKEYs, NSEC3PARAM and the NSEC3 chain included), then follows BIND's NOTIFY
 * after a reload of a changed zone with IXFR (BIND has {@code ixfr-from-differences yes}).
 */
class BindPrimaryIT {
  @TempDir Path dir;

  static String zone(String origin, long serial, String extra) {
    return ServerFixture.hostsZone(origin, serial, 300, extra);
  }

  /**
   * A zone of several thousand records of many types, with names in mixed case: BIND sends it in
   * many messages, compressing names across records (also inside MX, CNAME, SRV and NS RDATA).
   */
  static String mixedZone(String origin) {
    StringBuilder sb =
        new StringBuilder(
            zone(
                origin,
                1,
                """
        @ IN MX 10 Mail
        @ IN CAA 0 issue "ca.example"
        Mail IN A 192.0.2.25
        Mail IN AAAA 2001:db8::25
        *.wild IN TXT "wildcard"
        _sip._tcp IN SRV 10 5 5060 Sip
        Sip IN A 192.0.2.60
        Sub IN NS ns1.Sub
        ns1.Sub IN A 192.0.2.53
        """));
    for (int i = 0; i < 1500; i++) {
      sb.append("Host")
          .append(i)
          .append(" IN AAAA 2001:db8::")
          .append(Integer.toHexString(i))
          .append('\n');
      sb.append("alias").append(i).append(" IN CNAME Host").append(i).append('\n');
      sb.append("t")
          .append(i)
          .append(".Txt IN TXT \"host ")
          .append(i)
          .append("\" \"second string\"\n");
    }
    return sb.toString();
  }

  @Test
  void cairnPullsFromBindOverXotAndFollowsItsReloads() throws Exception {
    Path named = Files.createDirectories(dir.resolve("named"));
    PemCredentials cert = SelfSignedCertificate.generate("primary.test");
    SelfSignedCertificate.write(cert, named.resolve("cert.pem"), named.resolve("key.pem"));
    List<String> zones = List.of("p1.test", "p2.test", "p3.test", "mixed.test");
    Name signedOrigin = Name.fromString(SignedZones.ORIGIN);
    Path signed = SignedZones.bind(named, Denial.NSEC3, Duration.ofDays(30));
    List<String> pulled = new ArrayList<>(zones);
    pulled.add("edge.test");
    int cairnPort = ServerFixture.freePort();
    int tlsPort = ServerFixture.freePort();
    StringBuilder statements =
        new StringBuilder(
            "tls local-tls { key-file \""
                + named.resolve("key.pem")
                + "\"; cert-file \""
                + named.resolve("cert.pem")
                + "\"; };\n");
    for (String z : zones) {
      Files.writeString(
          named.resolve(z + ".zone"),
          z.equals("mixed.test") ? mixedZone(z) : zone(z, 1, "www IN A 192.0.2.1\n"));
      statements
          .append("zone \"")
          .append(z)
          .append("\" { type primary; file \"")
          .append(named.resolve(z + ".zone"))
          .append(
              "\"; ixfr-from-differences yes; allow-transfer { any; }; notify explicit; also-notify { 127.0.0.1 port ")
          .append(cairnPort)
          .append("; }; };\n");
    }
    statements
        .append("zone \"")
        .append(SignedZones.ORIGIN)
        .append("\" { type primary; file \"")
        .append(signed)
        .append("\"; allow-transfer { any; }; notify no; };\n");
    try (NamedProcess bind =
        NamedProcess.start(
            named,
            statements.toString(),
            "  listen-on port " + tlsPort + " tls local-tls { 127.0.0.1; };\n",
            Name.fromString("p1.test."))) {
      String primaries =
          "[{address: \"127.0.0.1:%d\", transport: tls, tls-pins: [\"%s\"]}]"
              .formatted(tlsPort, SpkiPin.of(cert.leaf()));
      StringBuilder yaml =
          new StringBuilder("database: db/cairn\nlisten: [127.0.0.1:" + cairnPort + "]\nzones:\n");
      for (String z : pulled) {
        yaml.append("  - {name: ")
            .append(z)
            .append(", primaries: ")
            .append(primaries)
            .append("}\n");
      }
      Path cairnDir = Files.createDirectories(dir.resolve("cairn"));
      try (CairnServer cairn = ServerFixture.startWith(cairnDir, yaml.toString())) {
        InetSocketAddress udp = cairn.transport().udpAddresses().get(0);
        for (String z : pulled) {
          await()
              .atMost(Duration.ofSeconds(30))
              .untilAsserted(
                  () ->
                      assertEquals(
                          1,
                          ServerFixture.soaSerial(udp, z + "."),
                          z + " from BIND:\n" + bind.log()));
        }
        assertEquals(1, cairn.primaryConnectionsOpened(), "five zones over one XoT connection");
        Name mixed = Name.fromString("mixed.test.");
        assertEquals(
            texts(ZoneFileReader.parse(mixed, mixedZone("mixed.test"))),
            texts(cairn.zones().get(mixed).records()),
            "every record as BIND's zone file has it");
        assertEquals(
            texts(ZoneFileReader.read(signed, signedOrigin).records()),
            texts(cairn.zones().get(signedOrigin).records()),
            "the signed zone, every record as BIND's zone file has it");

        Files.writeString(
            named.resolve("p2.test.zone"),
            zone("p2.test", 2, "www IN A 192.0.2.2\nnew IN TXT \"v2\"\n"));
        bind.reload();
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertEquals(
                        2,
                        ServerFixture.soaSerial(udp, "p2.test."),
                        "after BIND's NOTIFY:\n" + bind.log()));
        assertEquals("incremental", cairn.zoneStatus(Name.fromString("p2.test.")).lastTransfer());
        Message www =
            new SimpleResolver(udp)
                .send(
                    Message.newQuery(
                        Record.newRecord(Name.fromString("www.p2.test."), Type.A, DClass.IN)));
        assertEquals("192.0.2.2", www.getSection(Section.ANSWER).get(0).rdataToString());
      }
    }
  }

  /** Records as text, case folded (BIND may send an owner in the case it first saw it). */
  private static Set<String> texts(List<Record> records) {
    return records.stream()
        .map(r -> r.toString().toLowerCase(java.util.Locale.ROOT))
        .collect(Collectors.toSet());
  }
}
