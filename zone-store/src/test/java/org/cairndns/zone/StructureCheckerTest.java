package org.cairndns.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/** The zone rules as checked on a snapshot's bytes, signed zones included. */
class StructureCheckerTest {
  static final String ORIGIN = "s.test.";
  static final String SIG = " 13 2 %d 20300101000000 20200101000000 4711 s.test. AAAA";

  /**
   * A signed zone: RRSIGs and NSECs beside a CNAME and at a cut, signatures of several TTLs at one
   * name.
   */
  static final String SIGNED =
      """
      $TTL 300
      @ 3600 IN SOA ns hm 7 3600 600 86400 60
      @ 3600 IN RRSIG SOA%1$s
      @ 3600 IN NS ns
      @ 3600 IN RRSIG NS%1$s
      @ 300 IN DNSKEY 257 3 13 AAAA
      @ 300 IN RRSIG DNSKEY%2$s
      @ 300 IN NSEC alias.s.test. SOA NS DNSKEY RRSIG NSEC
      @ 300 IN RRSIG NSEC%2$s
      alias IN CNAME www
      alias IN RRSIG CNAME%2$s
      alias IN NSEC ns.s.test. CNAME RRSIG NSEC
      alias IN RRSIG NSEC%2$s
      ns IN A 192.0.2.1
      ns IN RRSIG A%2$s
      sub IN NS ns.sub
      sub IN DS 4711 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
      sub IN RRSIG DS%2$s
      sub IN NSEC www.s.test. NS DS RRSIG NSEC
      sub IN RRSIG NSEC%2$s
      ns.sub IN A 192.0.2.53
      www IN A 192.0.2.80
      """
          .formatted(SIG.formatted(3600), SIG.formatted(300));

  static List<StructureChecker.Problem> problems(String text) {
    return ZoneSnapshot.build(Name.fromConstantString(ORIGIN), TestZones.parse(ORIGIN, text))
        .problems();
  }

  @Test
  void aSignedZoneMeetsTheRules() {
    assertEquals(List.of(), problems(SIGNED));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no NS at the apex    | @ IN SOA ns hm 1 1 1 1 1 ;; www IN A 192.0.2.1                  | no NS records at the apex",
        "second SOA           | @ 3600 IN SOA ns hm 2 1 1 1 1                                   | second SOA",
        "SOA below the apex   | x IN SOA ns hm 2 1 1 1 1                                      | not at the apex",
        "CNAME and A          | www IN CNAME ns                                               | CNAME at www.s.test. has other data",
        "class CH             | ch CH TXT x                                                   | class CH is not IN",
        "data at a cut        | sub IN MX 1 ns                                                | at the delegation point",
        "data below a cut     | x.sub IN TXT no                                               | below the delegation sub.s.test.",
        "data below a DNAME   | d IN DNAME t.test. ;; a.b.d IN A 192.0.2.3                    | below the DNAME at d.s.test.",
      })
  void eachBrokenRuleIsNamed(String rule, String extra, String reason) {
    String text =
        rule.startsWith("no NS")
            ? "$TTL 300\n" + extra.replace(" ;; ", "\n").trim() + "\n"
            : SIGNED + extra.replace(" ;; ", "\n").trim() + "\n";
    List<StructureChecker.Problem> found = problems(text);
    assertEquals(1, found.size(), rule + ": " + found);
    assertTrue(found.get(0).reason().contains(reason), rule + ": " + found);
  }

  @Test
  void manyTypesAtOneOwnerAreCheckedInLinearTime() {
    StringBuilder text = new StringBuilder(SIGNED);
    for (int type = 1000;
        type < 21_000;
        type++) { // 20,000 RRsets at one name: quadratic would take minutes
      text.append("many 300 IN TYPE").append(type).append(" \\# 1 00\n");
    }
    text.append("many 300 IN CNAME elsewhere.test.\n");
    long started = System.nanoTime();
    List<StructureChecker.Problem> found = problems(text.toString());
    assertTrue(System.nanoTime() - started < 10_000_000_000L, "checked in under 10 s");
    assertEquals(1, found.size(), found.toString());
    assertTrue(found.get(0).reason().contains("has other data"), found.toString());
  }

  /**
   * A transfer is stored as the primary sent it: TTLs differing inside an RRset are not refused.
   */
  @Test
  void differingTtlsInsideAnRrsetAreNotRefused() {
    assertEquals(
        List.of(),
        problems(
            SIGNED
                + "www 60 IN A 192.0.2.81\n"
                + "ns 60 IN RRSIG A 13 2 60 20300101000000 20200101000000 1 s.test. AAAA\n"));
  }

  @Test
  void anOwnerWithManyRecordsAndManyNamesBelowIsReadOnce() {
    StringBuilder text = new StringBuilder(SIGNED);
    for (int i = 0;
        i < 40_000;
        i++) { // read once per name below it, x's records would take minutes
      text.append("x IN TXT t").append(i).append('\n');
      text.append("c").append(i).append(".x IN A 192.0.2.7\n");
    }
    ZoneSnapshot zone =
        ZoneSnapshot.build(
            Name.fromConstantString(ORIGIN), TestZones.parse(ORIGIN, text.toString()));
    long started = System.nanoTime();
    assertEquals(List.of(), zone.problems());
    assertTrue(System.nanoTime() - started < 5_000_000_000L, "checked in under 5 s");
  }

  @Test
  void problemsAreCapped() {
    StringBuilder text = new StringBuilder(SIGNED);
    for (int i = 0; i < 100; i++) {
      text.append("c").append(i).append(" IN CNAME www\nc").append(i).append(" IN TXT x\n");
    }
    assertEquals(StructureChecker.MAX_PROBLEMS, problems(text.toString()).size());
    assertEquals(Type.CNAME, problems(text.toString()).get(0).type());
  }
}
