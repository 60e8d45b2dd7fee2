package org.cairndns.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.cairndns.zone.dnssec.Nsec3Scan;
import org.cairndns.zone.dnssec.SignedZones;
import org.cairndns.zone.dnssec.SignedZones.Denial;
import org.cairndns.zone.master.ZoneFileReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSEC3Record;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;
import org.xbill.DNS.utils.base32;

/**
 * The binary searches behind the proofs, against a scan of a real signer's chain: every name's
 * covering NSEC or NSEC3, the ends of the chain (wrapping to its last record) included.
 */
class DnssecProofsTest {
  private static final Name ORIGIN = Name.fromConstantString(SignedZones.ORIGIN);
  private static final base32 HEX = new base32(base32.Alphabet.BASE32HEX, false, true);

  @TempDir Path dir;

  private ZoneSnapshot signed(Denial denial) throws Exception {
    Path file = SignedZones.bind(dir, denial, Duration.ofDays(30));
    return ZoneSnapshot.build(ORIGIN, ZoneFileReader.read(file, ORIGIN).records());
  }

  private static Set<String> owners(List<RRset> proof) {
    return proof.stream()
        .map(set -> set.getName().toString().toLowerCase(Locale.ROOT))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void unsignedZonesBuildNothing() throws Exception {
    ZoneSnapshot zone =
        ZoneSnapshot.build(
            ORIGIN,
            List.of(
                Record.fromString(
                    ORIGIN, Type.SOA, DClass.IN, 300, "ns1 hm 1 3600 600 86400 300", ORIGIN),
                Record.fromString(ORIGIN, Type.NS, DClass.IN, 300, "ns1", ORIGIN)));
    assertNull(zone.proofs());
  }

  @Test
  void nsecCoversNamesPastTheLastOwnerWithTheLast() throws Exception {
    DnssecProofs proofs = signed(Denial.NSEC).proofs();
    assertNotNull(proofs);
    int labels = ORIGIN.labels();
    // www is the last owner (its NSEC's next is the apex); *.edge.test sorts right after the apex
    assertEquals(
        Set.of("www.edge.test.", "edge.test."),
        owners(proofs.nxDomain(Name.fromString("zzz.edge.test."), labels)));
    assertEquals(
        Set.of("a.b.ent.edge.test.", "edge.test."),
        owners(proofs.nxDomain(Name.fromString("ent0.edge.test."), labels)),
        "a.b.ent < ent0 < insecure: ent (a prefix of ent0) and all below it sort first");
  }

  @Test
  void nsec3CoversEveryHashAsAScanOfTheChainDoes() throws Exception {
    ZoneSnapshot zone = signed(Denial.NSEC3);
    assertCoversAsTheScan(zone, nsec3s(zone.records()));
  }

  @Test
  void duringARolloverTheNsec3paramsChainAnswers() throws Exception {
    List<Record> records = new ArrayList<>(signed(Denial.NSEC3).records());
    List<NSEC3Record> served = nsec3s(records);
    // A second chain (other salt and iterations) half-built beside it, as a signer rolling over
    Random random = new Random(7);
    for (int i = 0; i < 64; i++) {
      byte[] hash = new byte[20];
      byte[] next = new byte[20];
      random.nextBytes(hash);
      random.nextBytes(next);
      records.add(
          new NSEC3Record(
              new Name(HEX.toString(hash), ORIGIN),
              DClass.IN,
              300,
              NSEC3Record.SHA1_DIGEST_ID,
              0,
              1,
              new byte[] {(byte) 0xAB},
              next,
              new int[] {Type.A}));
    }
    assertCoversAsTheScan(ZoneSnapshot.build(ORIGIN, records), served);
  }

  private static List<NSEC3Record> nsec3s(List<Record> records) {
    return records.stream()
        .filter(NSEC3Record.class::isInstance)
        .map(NSEC3Record.class::cast)
        .toList();
  }

  /** For 300 names, the NSEC3 a proof picks is the one a scan of {@code chain} finds. */
  private static void assertCoversAsTheScan(ZoneSnapshot zone, List<NSEC3Record> chain)
      throws Exception {
    DnssecProofs proofs = zone.proofs();
    Nsec3Scan scan = new Nsec3Scan(chain);
    boolean wrapped = false;
    for (int i = 0; i < 300; i++) {
      Name name = Name.fromString("n" + i + "." + SignedZones.ORIGIN);
      String cover = scan.covering(name);
      assertNotNull(cover, name + " matches no NSEC3 owner");
      wrapped |=
          Nsec3Scan.wraps((NSEC3Record) zone.rrset(Name.fromString(cover), Type.NSEC3).first());
      // A wildcard answer's proof is the one NSEC3 covering the next closer name, qname here.
      assertEquals(
          Set.of(cover), owners(proofs.wildcardAnswer(name, ORIGIN.labels())), name.toString());
    }
    assertTrue(wrapped, "some hash falls past the chain's ends: the last NSEC3 covers it");
  }
}
