package org.cairndns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.cairndns.server.CairnServer;
import org.cairndns.zone.dnssec.SignedZones;
import org.cairndns.zone.dnssec.SignedZones.Denial;
import org.cairndns.zone.master.ZoneFileReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.Name;
import org.xbill.DNS.Section;

/**
 * Zones signed by real signers load, check and round-trip through {@code cairn zone export}, byte
 * for byte.
 */
class ZoneDnssecIT {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Denial.class)
  void bindSignedZonesLoadAndRoundTrip(Denial denial) throws Exception {
    loadsAndRoundTrips(SignedZones.bind(dir, denial, Duration.ofDays(30)));
  }

  @ParameterizedTest
  @EnumSource(Denial.class)
  void ldnsSignedZonesLoadAndRoundTrip(Denial denial) throws Exception {
    loadsAndRoundTrips(SignedZones.ldns(dir, denial));
  }

  @ParameterizedTest
  @EnumSource(Denial.class)
  void knotSignedZonesLoadAndRoundTrip(Denial denial) throws Exception {
    loadsAndRoundTrips(SignedZones.knot(dir, denial));
  }

  private void loadsAndRoundTrips(Path signed) throws Exception {
    CliRun check = CliRun.cairn("zone", "check", "--origin", SignedZones.ORIGIN, signed.toString());
    assertEquals(0, check.exit(), check.err());
    assertFalse(check.err().contains("warning"), check.err());
    assertTrue(check.err().contains("earliest signature expiry: "), check.err());
    String db = dir.resolve("db").toString();
    CliRun load =
        CliRun.cairn("zone", "load", "--db", db, "--origin", SignedZones.ORIGIN, signed.toString());
    assertEquals(0, load.exit(), load.err());
    CliRun export = CliRun.cairn("zone", "export", "--db", db, SignedZones.ORIGIN);
    assertEquals(0, export.exit(), export.err());
    Path exported = Files.writeString(dir.resolve("exported.zone"), export.out());
    CliRun again =
        CliRun.cairn(
            "zone",
            "load",
            "--db",
            dir.resolve("db2").toString(),
            "--origin",
            SignedZones.ORIGIN,
            exported.toString());
    assertEquals(0, again.exit(), again.err());
    assertEquals(wireRecords(signed), wireRecords(exported));
  }

  /** Every record of a file in wire form, TTL and case of names included. */
  private static Set<String> wireRecords(Path file) throws Exception {
    return ZoneFileReader.read(file, Name.fromString(SignedZones.ORIGIN)).records().stream()
        .map(r -> HexFormat.of().formatHex(r.toWire(Section.ANSWER)))
        .collect(Collectors.toSet());
  }

  /** A running server's zone status shows the expiry {@code cairn zone check} finds. */
  @Test
  void zoneStatusShowsTheEarliestSignatureExpiry() throws Exception {
    Path signed = SignedZones.bind(dir, Denial.NSEC3, Duration.ofDays(30));
    CliRun check = CliRun.cairn("zone", "check", "--origin", SignedZones.ORIGIN, signed.toString());
    String first =
        check
            .err()
            .replaceAll(
                "(?s).*earliest signature expiry: (\\S+) RRSIG (\\S+) expires (\\S+)\n.*",
                "$3 $1 $2");
    String[] expected = first.split(" ");
    assertEquals(3, expected.length, check.err());
    Path home = Files.createDirectories(dir.resolve("server"));
    try (CairnServer server =
        ZoneRetransferIT.start(
            home,
            """
            database: db/cairn
            listen: [127.0.0.1:0]
            zones:
              - {name: %s, file: %s}
              - {name: plain.test., file: %s}
            """
                .formatted(
                    SignedZones.ORIGIN,
                    signed,
                    Files.writeString(
                        dir.resolve("plain.zone"),
                        ControlChannelIT.zone("plain.test", 1, 86400))))) {
      assertEquals(
          expected[0],
          server
              .zoneStatus(Name.fromString(SignedZones.ORIGIN))
              .earliestSignature()
              .expires()
              .toString());
      String db = home.resolve("db/cairn").toString();
      CliRun table = CliRun.cairn("zone", "status", "--db", db);
      assertEquals(0, table.exit(), table.err());
      List<String> edge = ControlChannelIT.row(table.out(), SignedZones.ORIGIN);
      assertEquals(expected[0], edge.get(edge.size() - 2), table.out());
      assertTrue(table.out().contains("SIGNATURES-EXPIRE"), table.out());
      List<String> plain = ControlChannelIT.row(table.out(), "plain.test.");
      assertEquals(
          List.of("-", "-"),
          plain.subList(plain.size() - 2, plain.size()),
          "unsigned: " + table.out());

      CliRun json = CliRun.cairn("zone", "status", SignedZones.ORIGIN, "--db", db, "--json");
      assertTrue(
          json.out()
              .contains(
                  "\"signature_expires\":\""
                      + expected[0]
                      + "\",\"signature_expires_rrset\":\""
                      + expected[1]
                      + " "
                      + expected[2]
                      + "\""),
          json.out());
      assertTrue(
          CliRun.cairn("zone", "status", "plain.test.", "--db", db, "--json")
              .out()
              .contains("\"signature_expires\":null,\"signature_expires_rrset\":null"));
    }
  }

  @Test
  void signaturesExpiringSoonAreWarnedAbout() throws Exception {
    Path signed = SignedZones.bind(dir, Denial.NSEC3, Duration.ofDays(3));
    CliRun check = CliRun.cairn("zone", "check", "--origin", SignedZones.ORIGIN, signed.toString());
    assertEquals(0, check.exit(), check.err());
    assertTrue(
        check
            .err()
            .matches("(?s).*warning: .*: \\S+ \\S+: signature expires at .*, within 7 days.*"),
        check.err());
    CliRun later =
        CliRun.cairn(
            "zone",
            "check",
            "--signature-warning-days",
            "2",
            "--origin",
            SignedZones.ORIGIN,
            signed.toString());
    assertEquals(0, later.exit(), later.err());
    assertFalse(later.err().contains("warning"), later.err());
  }

  @Test
  void aChangedRecordFailsItsSignature() throws Exception {
    Path signed = SignedZones.bind(dir, Denial.NSEC, Duration.ofDays(30));
    String text = Files.readString(signed);
    Path changed =
        Files.writeString(dir.resolve("changed.zone"), text.replace("192.0.2.2", "192.0.2.99"));
    CliRun check =
        CliRun.cairn("zone", "check", "--origin", SignedZones.ORIGIN, changed.toString());
    assertEquals(1, check.exit(), check.err());
    assertTrue(check.err().contains("mail.edge.test. A: signature by key "), check.err());
    assertTrue(check.err().contains("does not verify"), check.err());
  }

  @Test
  void anNsec3BitmapListingATypeNotAtItsOwnerIsNamed() throws Exception {
    Path signed = SignedZones.bind(dir, Denial.NSEC3, Duration.ofDays(30));
    String text = Files.readString(signed);
    assertTrue(text.contains("A RRSIG )"), "an owner with A and its RRSIG only: " + text);
    Path file =
        Files.writeString(
            dir.resolve("bitmap.zone"), text.replaceFirst("A RRSIG \\)", "A MX RRSIG )"));
    CliRun check = CliRun.cairn("zone", "check", "--origin", SignedZones.ORIGIN, file.toString());
    assertEquals(1, check.exit(), check.err());
    assertTrue(
        check.err().contains(" NSEC3: type bitmap lists MX, not present at the owner"),
        check.err());
  }

  @Test
  void aMissingNsecBreaksTheChain() throws Exception {
    Path signed = SignedZones.bind(dir, Denial.NSEC, Duration.ofDays(30));
    String broken =
        Files.readAllLines(signed).stream()
            .filter(
                l -> !l.matches("\\s+\\d+\\s+NSEC\\s+dn\\.edge\\.test\\.\\s.*")) // cname1's NSEC
            .collect(Collectors.joining("\n"));
    Path file = Files.writeString(dir.resolve("broken.zone"), broken + "\n");
    CliRun check = CliRun.cairn("zone", "check", "--origin", SignedZones.ORIGIN, file.toString());
    assertEquals(1, check.exit(), check.err());
    assertTrue(check.err().contains("cname1.edge.test. NSEC: no NSEC"), check.err());
  }
}
