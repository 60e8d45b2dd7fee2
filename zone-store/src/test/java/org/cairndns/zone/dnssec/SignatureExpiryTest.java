package org.cairndns.zone.dnssec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Optional;
import org.cairndns.zone.TestZones;
import org.cairndns.zone.ZoneSnapshot;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

class SignatureExpiryTest {
  private static final String ZONE =
      """
      $TTL 300
      @ IN SOA ns hm 1 3600 600 86400 60
      @ IN NS ns
      @ IN RRSIG SOA 13 2 300 20300101000000 20200101000000 4711 e.test. AAAA
      ns IN A 192.0.2.1
      ns IN RRSIG A 13 3 300 20290615120000 20200101000000 4711 e.test. AAAA
      Deep.Ns IN TXT "x"
      deep.ns IN RRSIG TXT 13 4 300 20290615115959 20200101000000 4711 e.test. AAAA
      """;

  @Test
  void theEarliestSignatureIsReadFromTheSnapshotsBytes() {
    ZoneSnapshot zone =
        ZoneSnapshot.build(Name.fromConstantString("e.test."), TestZones.parse("e.test.", ZONE));
    assertEquals(
        Optional.of(
            new SignatureExpiry.Signature(
                Name.fromConstantString("Deep.Ns.e.test."),
                Type.TXT,
                Instant.parse("2029-06-15T11:59:59Z"))),
        SignatureExpiry.earliest(zone));
  }

  @Test
  void anUnsignedZoneHasNone() {
    String unsigned =
        ZONE.lines().filter(l -> !l.contains("RRSIG")).reduce("", (a, l) -> a + l + "\n");
    ZoneSnapshot zone =
        ZoneSnapshot.build(
            Name.fromConstantString("e.test."), TestZones.parse("e.test.", unsigned));
    assertEquals(Optional.empty(), SignatureExpiry.earliest(zone));
  }
}
