package org.cairndns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Collectors;
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
