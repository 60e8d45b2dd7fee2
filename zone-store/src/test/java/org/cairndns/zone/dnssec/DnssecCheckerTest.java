package org.cairndns.zone.dnssec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * Zones signed here with dnsjava, then broken one way each; real signers' zones are in the tools'
 * ZoneDnssecIT.
 */
class DnssecCheckerTest {
  private static final Name ORIGIN = Name.fromConstantString("c.test.");
  private static final Name NS = Name.fromConstantString("ns.c.test.");
  private static final Name WWW = Name.fromConstantString("www.c.test.");
  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  private static final Instant EXPIRES = NOW.plus(Duration.ofDays(30));
  private static KeyPair keys;
  private static DNSKEYRecord dnskey;

  @BeforeAll
  static void makeKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    keys = generator.generateKeyPair();
    dnskey =
        new DNSKEYRecord(
            ORIGIN,
            DClass.IN,
            300,
            257,
            DNSKEYRecord.Protocol.DNSSEC,
            DNSSEC.Algorithm.ECDSAP256SHA256,
            keys.getPublic());
  }

  /** The zone's records, NSEC chain {@code @ → ns → www → @}, without signatures. */
  private static List<Record> unsigned() throws Exception {
    return new ArrayList<>(
        List.of(
            new SOARecord(ORIGIN, DClass.IN, 300, NS, NS, 1, 3600, 600, 86400, 60),
            new NSRecord(ORIGIN, DClass.IN, 300, NS),
            dnskey,
            new NSECRecord(
                ORIGIN,
                DClass.IN,
                60,
                NS,
                new int[] {Type.SOA, Type.NS, Type.DNSKEY, Type.RRSIG, Type.NSEC}),
            new ARecord(NS, DClass.IN, 300, InetAddress.getByName("192.0.2.1")),
            new NSECRecord(NS, DClass.IN, 60, WWW, new int[] {Type.A, Type.RRSIG, Type.NSEC}),
            new ARecord(WWW, DClass.IN, 300, InetAddress.getByName("192.0.2.80")),
            new NSECRecord(WWW, DClass.IN, 60, ORIGIN, new int[] {Type.A, Type.RRSIG, Type.NSEC})));
  }

  /**
   * {@code records} with an RRSIG over each RRset, valid from a day before {@link #NOW} to {@code
   * expires}.
   */
  private static List<Record> signed(List<Record> records, Instant expires) throws Exception {
    Map<String, RRset> sets = new LinkedHashMap<>();
    for (Record r : records) {
      sets.computeIfAbsent(r.getName() + "/" + r.getType(), k -> new RRset()).addRR(r);
    }
    List<Record> out = new ArrayList<>(records);
    for (RRset set : sets.values()) {
      out.add(DNSSEC.sign(set, dnskey, keys.getPrivate(), NOW.minus(Duration.ofDays(1)), expires));
    }
    return out;
  }

  private static DnssecChecker.Report check(List<Record> records) {
    return DnssecChecker.check(ORIGIN, records, NOW, Duration.ofDays(7));
  }

  private static List<String> errors(List<Record> records) {
    return check(records).errors().stream().map(Object::toString).toList();
  }

  private static List<Record> without(List<Record> records, Predicate<Record> drop) {
    return records.stream().filter(drop.negate()).toList();
  }

  @Test
  void aSoundZonePassesWithItsEarliestExpiry() throws Exception {
    DnssecChecker.Report report = check(signed(unsigned(), EXPIRES));
    assertTrue(report.signed());
    assertEquals(List.of(), report.errors());
    assertEquals(List.of(), report.warnings());
    assertEquals(8, report.verified());
    assertEquals(EXPIRES, report.earliest().orElseThrow().expires());
  }

  @Test
  void anUnsignedZoneHasNothingToCheck() throws Exception {
    List<Record> records =
        without(unsigned(), r -> r.getType() == Type.DNSKEY || r.getType() == Type.NSEC);
    assertFalse(check(records).signed());
  }

  @Test
  void expiredAndSoonExpiringSignatures() throws Exception {
    assertEquals(
        List.of("c.test. SOA: signature expired at " + NOW.minusSeconds(1)),
        errors(signed(unsigned(), NOW.minusSeconds(1))).subList(0, 1));
    DnssecChecker.Report soon = check(signed(unsigned(), NOW.plus(Duration.ofDays(2))));
    assertEquals(List.of(), soon.errors());
    assertEquals(1, soon.warnings().size(), soon.warnings().toString());
    assertTrue(
        soon.warnings().get(0).reason().contains("within 7 days"), soon.warnings().toString());
  }

  @Test
  void aChangedRecordOrAMissingSignatureIsNamed() throws Exception {
    List<Record> records = new ArrayList<>(signed(unsigned(), EXPIRES));
    ARecord changed = new ARecord(WWW, DClass.IN, 300, InetAddress.getByName("192.0.2.81"));
    records.replaceAll(r -> r.getName().equals(WWW) && r.getType() == Type.A ? changed : r);
    assertEquals(
        List.of("www.c.test. A: signature by key " + dnskey.getFootprint() + " does not verify"),
        errors(records));
    List<Record> unsignedA =
        without(
            signed(unsigned(), EXPIRES),
            r ->
                r instanceof RRSIGRecord sig
                    && sig.getName().equals(NS)
                    && sig.getTypeCovered() == Type.A);
    assertEquals(List.of("ns.c.test. A: not signed"), errors(unsignedA));
  }

  @Test
  void aBrokenNsecChainIsNamed() throws Exception {
    List<Record> noNsec =
        without(
            signed(unsigned(), EXPIRES),
            r ->
                r.getName().equals(NS)
                    && (r.getType() == Type.NSEC
                        || (r instanceof RRSIGRecord sig && sig.getTypeCovered() == Type.NSEC)));
    assertEquals(List.of("ns.c.test. NSEC: no NSEC: the chain is broken"), errors(noNsec));
    List<Record> skipping = unsigned();
    skipping.replaceAll(
        r ->
            r.getName().equals(ORIGIN) && r.getType() == Type.NSEC
                ? new NSECRecord(ORIGIN, DClass.IN, 60, WWW, ((NSECRecord) r).getTypes())
                : r);
    assertEquals(
        List.of("c.test. NSEC: next name is www.c.test., the next name in the zone is ns.c.test."),
        errors(signed(skipping, EXPIRES)));
  }

  @Test
  void aTypeBitmapThatDiffersFromItsOwnerIsNamed() throws Exception {
    List<Record> wrong = unsigned();
    wrong.replaceAll(
        r ->
            r.getName().equals(NS) && r.getType() == Type.NSEC
                ? new NSECRecord(NS, DClass.IN, 60, WWW, new int[] {Type.A, Type.MX, Type.NSEC})
                : r);
    assertEquals(
        List.of(
            "ns.c.test. NSEC: type bitmap lacks RRSIG, present at the owner; lists MX, not present"
                + " at the owner"),
        errors(signed(wrong, EXPIRES)));
  }

  /**
   * A delegation's NSEC lists NS, RRSIG and NSEC (DS when there is one), not its glue's types: glue
   * is not the zone's data.
   */
  @Test
  void aDelegationsBitmapListsNsAndNotItsGlue() throws Exception {
    Name sub = Name.fromConstantString("sub.c.test.");
    Name glue = Name.fromConstantString("ns.sub.c.test.");
    assertEquals(List.of(), errors(delegated(sub, glue, Type.NS, Type.RRSIG, Type.NSEC)));
    assertEquals(
        List.of("sub.c.test. NSEC: type bitmap lists A, not present at the owner"),
        errors(delegated(sub, glue, Type.NS, Type.A, Type.RRSIG, Type.NSEC)));
    assertEquals(
        List.of("sub.c.test. NSEC: type bitmap lacks NS RRSIG, present at the owner"),
        errors(delegated(sub, glue, Type.NSEC)));
  }

  /**
   * The zone with an insecure delegation {@code sub} and its glue, {@code sub}'s NSEC listing
   * {@code bitmap}; signed as a signer signs it (not the delegation's NS, not the glue).
   */
  private static List<Record> delegated(Name sub, Name glue, int... bitmap) throws Exception {
    List<Record> records = unsigned();
    records.replaceAll(
        r ->
            r.getName().equals(NS) && r.getType() == Type.NSEC
                ? new NSECRecord(NS, DClass.IN, 60, sub, ((NSECRecord) r).getTypes())
                : r);
    records.add(new NSRecord(sub, DClass.IN, 300, glue));
    records.add(new NSECRecord(sub, DClass.IN, 60, WWW, bitmap));
    records.add(new ARecord(glue, DClass.IN, 300, InetAddress.getByName("192.0.2.53")));
    return without(
        signed(records, EXPIRES),
        r ->
            r instanceof RRSIGRecord sig
                && (sig.getName().equals(glue)
                    || (sig.getName().equals(sub) && sig.getTypeCovered() == Type.NS)));
  }
}
