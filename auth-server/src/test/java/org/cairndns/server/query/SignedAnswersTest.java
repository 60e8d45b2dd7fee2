package org.cairndns.server.query;

import static org.cairndns.server.query.ZoneAnswererTest.query;
import static org.cairndns.server.query.ZoneAnswererTest.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.cairndns.request.Transport;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.ZoneSnapshot;
import org.cairndns.zone.dnssec.Nsec3Scan;
import org.cairndns.zone.dnssec.SignedZones;
import org.cairndns.zone.dnssec.SignedZones.Denial;
import org.cairndns.zone.master.ZoneFileReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSEC3Record;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Answers with DO from {@link SignedZones#EDGE} signed by BIND's dnssec-signzone (NSEC, NSEC3,
 * NSEC3 opt-out): the exact proofs in the authority section (NSEC owners spelled out; NSEC3 owners
 * worked out here by scanning the chain, independently of the server's sorted table), and every
 * signature in the response checked with dnsjava's DNSSEC.verify against the zone's DNSKEYs.
 */
class SignedAnswersTest {
  private static final Map<Denial, Signed> ZONES = new EnumMap<>(Denial.class);

  @TempDir static Path dir;

  /** One signed zone as served, with its keys and NSEC3 chain for the checks. */
  record Signed(ZoneSet zones, List<DNSKEYRecord> keys, List<NSEC3Record> chain) {}

  @BeforeAll
  static void sign() throws Exception {
    for (Denial denial : Denial.values()) {
      Path file = SignedZones.bind(dir, denial, Duration.ofDays(30));
      Name origin = Name.fromString(SignedZones.ORIGIN);
      List<Record> records = ZoneFileReader.read(file, origin).records();
      ZoneSet zones = new ZoneSet();
      zones.publish(ZoneSnapshot.build(origin, records));
      ZONES.put(
          denial,
          new Signed(
              zones,
              records.stream()
                  .filter(DNSKEYRecord.class::isInstance)
                  .map(DNSKEYRecord.class::cast)
                  .toList(),
              records.stream()
                  .filter(NSEC3Record.class::isInstance)
                  .map(NSEC3Record.class::cast)
                  .toList()));
    }
  }

  static Message withDo(String name, int type, int payload) throws Exception {
    Message q = query(name, type);
    q.addRecord(new OPTRecord(payload, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
    return q;
  }

  /** The answer to {@code name}/{@code type} with DO, every signature in it verified. */
  static Message ask(Denial denial, String name, int type) throws Exception {
    Signed signed = ZONES.get(denial);
    Message r = ZoneAnswererTest.ask(signed.zones, withDo(name, type, 4096), Transport.TCP);
    verifySignatures(r, signed.keys);
    return r;
  }

  /** Checks each RRSIG in the response against the RRset it follows. */
  static void verifySignatures(Message r, List<DNSKEYRecord> keys) throws Exception {
    for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
      Map<String, RRset> sets = new LinkedHashMap<>();
      for (Record rr : r.getSection(section)) {
        int type = rr instanceof RRSIGRecord sig ? sig.getTypeCovered() : rr.getType();
        sets.computeIfAbsent(rr.getName() + "/" + type, k -> new RRset()).addRR(rr);
      }
      for (RRset set : sets.values()) {
        if (set.size() == 0) {
          continue; // a type RRSIG answer: signatures without their RRset
        }
        for (RRSIGRecord sig : set.sigs()) {
          DNSKEYRecord key =
              keys.stream()
                  .filter(k -> k.getFootprint() == sig.getFootprint())
                  .findFirst()
                  .orElseThrow();
          DNSSEC.verify(set, sig, key);
        }
      }
    }
  }

  /** A section as "owner TYPE" per record, RRSIGs as "owner RRSIG(covered)". */
  static List<String> shape(Message r, int section) {
    return r.getSection(section).stream()
        .map(
            rr ->
                rr.getName()
                    + " "
                    + (rr instanceof RRSIGRecord sig
                        ? "RRSIG(" + Type.string(sig.getTypeCovered()) + ")"
                        : Type.string(rr.getType())))
        .toList();
  }

  static List<String> signedSoa() {
    return List.of("edge.test. SOA", "edge.test. RRSIG(SOA)");
  }

  static List<String> nsec(String... owners) {
    List<String> out = new ArrayList<>();
    for (String owner : owners) {
      out.add(owner + " NSEC");
      out.add(owner + " RRSIG(NSEC)");
    }
    return out;
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  // ---- NSEC (RFC 4035 §3.1.3)

  @Test
  void nxDomainCoversTheNameAndTheWildcard() throws Exception {
    Message r = ask(Denial.NSEC, "nope.edge.test.", Type.A);
    assertEquals(Rcode.NXDOMAIN, r.getRcode());
    // mail < nope < ns1; *.edge.test sorts right after the apex
    assertEquals(
        concat(signedSoa(), nsec("mail.edge.test.", "edge.test.")), shape(r, Section.AUTHORITY));
    Message deep = ask(Denial.NSEC, "x.b.ent.edge.test.", Type.A);
    // closest encloser b.ent (empty): a.b.ent < x.b.ent; *.b.ent sorts before a.b.ent
    assertEquals(
        concat(signedSoa(), nsec("a.b.ent.edge.test.", "elsewhere.edge.test.")),
        shape(deep, Section.AUTHORITY));
  }

  @Test
  void noDataHasTheNsecAtTheName() throws Exception {
    Message r = ask(Denial.NSEC, "mail.edge.test.", Type.TXT);
    assertEquals(Rcode.NOERROR, r.getRcode());
    assertEquals(List.of(), r.getSection(Section.ANSWER));
    assertEquals(concat(signedSoa(), nsec("mail.edge.test.")), shape(r, Section.AUTHORITY));
    Message ent = ask(Denial.NSEC, "b.ent.edge.test.", Type.A);
    assertEquals(
        concat(signedSoa(), nsec("elsewhere.edge.test.")),
        shape(ent, Section.AUTHORITY),
        "an empty non-terminal: the NSEC whose span holds it");
  }

  @Test
  void wildcardAnswersProveNoCloserName() throws Exception {
    Message r = ask(Denial.NSEC, "x.wild.edge.test.", Type.A);
    assertEquals(
        List.of("x.wild.edge.test. A", "x.wild.edge.test. RRSIG(A)"), shape(r, Section.ANSWER));
    RRSIGRecord sig = (RRSIGRecord) r.getSection(Section.ANSWER).get(1);
    assertEquals(3, sig.getLabels(), "the labels field shows the expansion");
    assertEquals(nsec("*.wild.edge.test."), shape(r, Section.AUTHORITY));
    Message noData = ask(Denial.NSEC, "x.wild.edge.test.", Type.MX);
    assertEquals(
        concat(signedSoa(), nsec("*.wild.edge.test.")),
        shape(noData, Section.AUTHORITY),
        "the wildcard's NSEC both lacks MX and covers qname: once");
  }

  @Test
  void referralsCarryDsOrItsAbsence() throws Exception {
    Message secure = ask(Denial.NSEC, "www.secure.edge.test.", Type.A);
    assertFalse(secure.getHeader().getFlag(Flags.AA));
    assertEquals(
        List.of("secure.edge.test. NS", "secure.edge.test. DS", "secure.edge.test. RRSIG(DS)"),
        shape(secure, Section.AUTHORITY));
    assertEquals(List.of("ns.secure.edge.test. A"), shape(secure, Section.ADDITIONAL));
    Message insecure = ask(Denial.NSEC, "host.insecure.edge.test.", Type.A);
    assertEquals(
        concat(List.of("insecure.edge.test. NS"), nsec("insecure.edge.test.")),
        shape(insecure, Section.AUTHORITY));
    assertEquals(List.of("ns.insecure.edge.test. A"), shape(insecure, Section.ADDITIONAL));
  }

  @Test
  void dsQuestionsAreAnsweredFromTheParentSide() throws Exception {
    Message ds = ask(Denial.NSEC, "secure.edge.test.", Type.DS);
    assertTrue(ds.getHeader().getFlag(Flags.AA));
    assertEquals(
        List.of("secure.edge.test. DS", "secure.edge.test. RRSIG(DS)"), shape(ds, Section.ANSWER));
    Message none = ask(Denial.NSEC, "insecure.edge.test.", Type.DS);
    assertTrue(none.getHeader().getFlag(Flags.AA));
    assertEquals(concat(signedSoa(), nsec("insecure.edge.test.")), shape(none, Section.AUTHORITY));
  }

  @Test
  void everyLinkOfAChainIsSigned() throws Exception {
    Message r = ask(Denial.NSEC, "www.edge.test.", Type.A);
    assertEquals(
        List.of(
            "www.edge.test. CNAME",
            "www.edge.test. RRSIG(CNAME)",
            "cname1.edge.test. CNAME",
            "cname1.edge.test. RRSIG(CNAME)",
            "mail.edge.test. A",
            "mail.edge.test. RRSIG(A)"),
        shape(r, Section.ANSWER));
    Message dname = ask(Denial.NSEC, "x.dn.edge.test.", Type.A);
    assertEquals(
        List.of("dn.edge.test. DNAME", "dn.edge.test. RRSIG(DNAME)", "x.dn.edge.test. CNAME"),
        shape(dname, Section.ANSWER),
        "the synthesized CNAME has no signature");
    Message apex = ask(Denial.NSEC, "edge.test.", Type.NS);
    assertEquals(
        List.of("edge.test. NS", "edge.test. NS", "edge.test. RRSIG(NS)"),
        shape(apex, Section.ANSWER));
    assertEquals(
        List.of(
            "ns1.edge.test. A",
            "ns1.edge.test. RRSIG(A)",
            "ns2.edge.test. AAAA",
            "ns2.edge.test. RRSIG(AAAA)"),
        shape(apex, Section.ADDITIONAL));
  }

  @Test
  void negativeSoaSignatureHasTheSoasNegativeTtl() throws Exception {
    Message r = ask(Denial.NSEC, "nope.edge.test.", Type.A);
    List<Record> authority = r.getSection(Section.AUTHORITY);
    assertEquals(300, authority.get(0).getTTL(), "min(SOA TTL 3600, minimum 300)");
    assertEquals(300, authority.get(1).getTTL());
    assertEquals(3600, ((RRSIGRecord) authority.get(1)).getOrigTTL());
  }

  @Test
  void withoutDoNothingIsAdded() throws Exception {
    Message r =
        ZoneAnswererTest.ask(
            ZONES.get(Denial.NSEC).zones, query("nope.edge.test.", Type.A), Transport.UDP);
    assertEquals(List.of("edge.test. SOA"), shape(r, Section.AUTHORITY));
    Message referral =
        ZoneAnswererTest.ask(
            ZONES.get(Denial.NSEC).zones, query("www.secure.edge.test.", Type.A), Transport.UDP);
    assertEquals(List.of("secure.edge.test. NS"), shape(referral, Section.AUTHORITY));
  }

  // ---- NSEC3 (RFC 5155 §7.2)

  /** The owner of the NSEC3 matching {@code name}'s hash, checked to exist. */
  static String matching(Denial denial, String name) throws Exception {
    Nsec3Scan chain = new Nsec3Scan(ZONES.get(denial).chain);
    assertTrue(chain.matches(Name.fromString(name)), name + " has an NSEC3");
    return chain.hashedOwner(Name.fromString(name));
  }

  /** The owner of the NSEC3 whose span holds {@code name}'s hash. */
  static String covering(Denial denial, String name) throws Exception {
    String owner = new Nsec3Scan(ZONES.get(denial).chain).covering(Name.fromString(name));
    assertNotNull(owner, name + " is not covered: it has an NSEC3");
    return owner;
  }

  /** The NSEC3 owners of the authority section, each followed by its RRSIG. */
  static Set<String> nsec3Owners(Message r) {
    List<Record> authority = r.getSection(Section.AUTHORITY);
    Set<String> owners = new TreeSet<>();
    for (int i = 0; i < authority.size(); i++) {
      if (authority.get(i).getType() == Type.NSEC3) {
        Record sig = authority.get(i + 1);
        assertEquals(Type.RRSIG, sig.getType(), "an NSEC3's RRSIG follows it");
        assertEquals(Type.NSEC3, ((RRSIGRecord) sig).getTypeCovered());
        owners.add(authority.get(i).getName().toString().toLowerCase(Locale.ROOT));
      }
    }
    assertEquals(
        2L * owners.size(),
        authority.stream().filter(SignedAnswersTest::isNsec3OrItsSig).count(),
        "no NSEC3 twice: " + r);
    return owners;
  }

  private static boolean isNsec3OrItsSig(Record rr) {
    return rr.getType() == Type.NSEC3
        || (rr instanceof RRSIGRecord sig && sig.getTypeCovered() == Type.NSEC3);
  }

  static Set<String> set(String... owners) {
    return new TreeSet<>(List.of(owners));
  }

  @ParameterizedTest
  @EnumSource(
      value = Denial.class,
      names = {"NSEC3", "NSEC3_OPT_OUT"})
  void nsec3NxDomainIsTheClosestEncloserProofAndTheWildcardCover(Denial d) throws Exception {
    Message r = ask(d, "nope.edge.test.", Type.A);
    assertEquals(Rcode.NXDOMAIN, r.getRcode());
    assertEquals(signedSoa(), shape(r, Section.AUTHORITY).subList(0, 2));
    assertEquals(
        set(matching(d, "edge.test."), covering(d, "nope.edge.test."), covering(d, "*.edge.test.")),
        nsec3Owners(r));
    Message deep = ask(d, "x.y.b.ent.edge.test.", Type.A);
    assertEquals(
        set(
            matching(d, "b.ent.edge.test."),
            covering(d, "y.b.ent.edge.test."),
            covering(d, "*.b.ent.edge.test.")),
        nsec3Owners(deep),
        "next closer is y.b.ent, one label below the closest encloser");
  }

  @ParameterizedTest
  @EnumSource(
      value = Denial.class,
      names = {"NSEC3", "NSEC3_OPT_OUT"})
  void nsec3NoDataMatchesTheName(Denial d) throws Exception {
    assertEquals(
        set(matching(d, "mail.edge.test.")), nsec3Owners(ask(d, "mail.edge.test.", Type.TXT)));
    assertEquals(
        set(matching(d, "b.ent.edge.test.")),
        nsec3Owners(ask(d, "b.ent.edge.test.", Type.A)),
        "an empty non-terminal has its own NSEC3");
  }

  @ParameterizedTest
  @EnumSource(
      value = Denial.class,
      names = {"NSEC3", "NSEC3_OPT_OUT"})
  void nsec3WildcardAnswersAndNoData(Denial d) throws Exception {
    Message answer = ask(d, "x.wild.edge.test.", Type.A);
    assertEquals(
        List.of("x.wild.edge.test. A", "x.wild.edge.test. RRSIG(A)"),
        shape(answer, Section.ANSWER));
    assertEquals(
        set(covering(d, "x.wild.edge.test.")),
        nsec3Owners(answer),
        "§7.2.6: the next closer name is covered");
    Message deeper = ask(d, "a.b.wild.edge.test.", Type.A);
    assertEquals(set(covering(d, "b.wild.edge.test.")), nsec3Owners(deeper));
    Message noData = ask(d, "x.wild.edge.test.", Type.MX);
    assertEquals(
        set(
            matching(d, "wild.edge.test."),
            covering(d, "x.wild.edge.test."),
            matching(d, "*.wild.edge.test.")),
        nsec3Owners(noData),
        "§7.2.5: closest encloser proof and the wildcard's NSEC3");
  }

  @ParameterizedTest
  @EnumSource(
      value = Denial.class,
      names = {"NSEC3", "NSEC3_OPT_OUT"})
  void nsec3SecureReferralHasDs(Denial d) throws Exception {
    Message r = ask(d, "www.secure.edge.test.", Type.A);
    assertEquals(
        List.of("secure.edge.test. NS", "secure.edge.test. DS", "secure.edge.test. RRSIG(DS)"),
        shape(r, Section.AUTHORITY));
  }

  @Test
  void nsec3InsecureReferralMatchesTheCut() throws Exception {
    Denial d = Denial.NSEC3;
    assertEquals(
        set(matching(d, "insecure.edge.test.")),
        nsec3Owners(ask(d, "host.insecure.edge.test.", Type.A)));
    Message ds = ask(d, "insecure.edge.test.", Type.DS);
    assertTrue(ds.getHeader().getFlag(Flags.AA));
    assertEquals(set(matching(d, "insecure.edge.test.")), nsec3Owners(ds));
  }

  @Test
  void optOutProvesTheClosestEncloserForInsecureCuts() throws Exception {
    Denial d = Denial.NSEC3_OPT_OUT;
    String coverOwner = covering(d, "insecure.edge.test.");
    Set<String> proof = set(matching(d, "edge.test."), coverOwner);
    assertEquals(proof, nsec3Owners(ask(d, "host.insecure.edge.test.", Type.A)), "§7.2.7");
    Message ds = ask(d, "insecure.edge.test.", Type.DS);
    assertEquals(Rcode.NOERROR, ds.getRcode());
    assertEquals(proof, nsec3Owners(ds), "§7.2.4");
    NSEC3Record cover =
        (NSEC3Record)
            ds.getSection(Section.AUTHORITY).stream()
                .filter(rr -> rr.getName().toString().equalsIgnoreCase(coverOwner))
                .findFirst()
                .orElseThrow();
    assertEquals(1, cover.getFlags() & 1, "the covering NSEC3 has the opt-out flag");
  }

  @ParameterizedTest
  @EnumSource(
      value = Denial.class,
      names = {"NSEC3", "NSEC3_OPT_OUT"})
  void nsec3OwnersAreNotNamesOfTheZone(Denial d) throws Exception {
    String owner = matching(d, "mail.edge.test.");
    for (int type : new int[] {Type.NSEC3, Type.A}) {
      Message r = ask(d, owner, type);
      assertEquals(Rcode.NXDOMAIN, r.getRcode(), "as NSD 4.6 and Knot 3.2 answer: " + r);
      assertEquals(
          set(matching(d, "edge.test."), covering(d, owner), covering(d, "*.edge.test.")),
          nsec3Owners(r));
    }
    assertEquals(Rcode.NXDOMAIN, ask(d, "x." + owner, Type.A).getRcode(), "nor what is below them");
  }

  @Test
  void typeRrsigThroughAWildcardIsProvedToo() throws Exception {
    Message r = ask(Denial.NSEC, "x.wild.edge.test.", Type.RRSIG);
    assertEquals(
        List.of(
            "x.wild.edge.test. RRSIG(A)",
            "x.wild.edge.test. RRSIG(TXT)",
            "x.wild.edge.test. RRSIG(NSEC)"),
        shape(r, Section.ANSWER),
        "every signature at the name, as NSD");
    assertEquals(nsec("*.wild.edge.test."), shape(r, Section.AUTHORITY));
  }

  @ParameterizedTest
  @EnumSource(Denial.class)
  void theLongestNamesAreProvedWithoutFailing(Denial d) throws Exception {
    // 122 one-letter labels: 254 bytes with edge.test., the most a name may have (RFC 1035 §3.1)
    String longest = "a.".repeat(122) + SignedZones.ORIGIN;
    assertEquals(255, Name.fromString(longest).length());
    Message r = ask(d, longest, Type.A);
    assertEquals(Rcode.NXDOMAIN, r.getRcode());
    assertEquals(signedSoa(), shape(r, Section.AUTHORITY).subList(0, 2));
    Message wild = ask(d, "a.".repeat(119) + "wild." + SignedZones.ORIGIN, Type.A);
    assertEquals(Rcode.NOERROR, wild.getRcode());
    assertEquals(2, wild.getSection(Section.ANSWER).size(), "a wildcard answer, proved");
  }

  // ---- size (RFC 4035 §3.1.1)

  @Test
  void signaturesThatDoNotFitTruncateOverUdp() throws Exception {
    QueryProcessor processor =
        new QueryProcessor(ZONES.get(Denial.NSEC3).zones, null, null, QueryConfig.defaults());
    Message small =
        new Message(
            ((Outcome.Reply)
                    processor.handle(
                        withDo("nope.edge.test.", Type.A, 512).toWire(),
                        QueryProcessorTest.over(Transport.UDP)))
                .wire());
    assertTrue(small.getHeader().getFlag(Flags.TC), small.toString());
    assertTrue(
        small.getSection(Section.AUTHORITY).stream()
            .collect(Collectors.groupingBy(rr -> rr.getName() + "/" + coveredType(rr)))
            .values()
            .stream()
            .allMatch(set -> set.stream().anyMatch(RRSIGRecord.class::isInstance)),
        "what is kept keeps its signatures: " + small);
    Message large =
        new Message(
            ((Outcome.Reply)
                    processor.handle(
                        withDo("nope.edge.test.", Type.A, 1232).toWire(),
                        QueryProcessorTest.over(Transport.UDP)))
                .wire());
    assertFalse(large.getHeader().getFlag(Flags.TC));
    assertEquals(8, large.getSection(Section.AUTHORITY).size(), records(large, 2).toString());
  }

  private static int coveredType(Record rr) {
    return rr instanceof RRSIGRecord sig ? sig.getTypeCovered() : rr.getType();
  }

  @Test
  void unsignedZonesHaveNoProofs() {
    assertNotNull(
        ZONES.get(Denial.NSEC).zones.find(Name.fromConstantString("edge.test.")).proofs());
    assertEquals(
        null,
        ZoneAnswererTest.ZONES.find(Name.fromConstantString("q.test.")).proofs(),
        "no RRSIG on the SOA: nothing built");
  }
}
