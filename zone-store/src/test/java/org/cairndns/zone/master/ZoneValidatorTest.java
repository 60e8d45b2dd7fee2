package org.cairndns.zone.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

class ZoneValidatorTest {
  @TempDir Path dir;

  private static final String HEAD =
      """
      $ORIGIN v.test.
      $TTL 300
      @ IN SOA ns hm 1 3600 600 86400 60
      @ IN NS ns
      ns IN A 192.0.2.1
      """;

  private ZoneFileException invalid(String body) throws IOException {
    Path file = dir.resolve("v.test.zone");
    Files.writeString(file, body);
    return assertThrows(
        ZoneFileException.class,
        () ->
            ZoneValidator.validate(
                ZoneFileReader.read(file, Name.fromString("v.test.")),
                ZoneValidator.Checks.LENIENT,
                Instant.now()));
  }

  /** Each rule: the extra line (line 6 of the file) and a fragment of the expected reason. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      value = {
        "second SOA        | @ IN SOA ns hm 2 3600 600 86400 60       | second SOA",
        "SOA below apex    | sub IN SOA ns hm 2 3600 600 86400 60     | not at the apex",
        "CNAME beside data | ns IN CNAME elsewhere.test.              | CNAME at ns.v.test. has other data",
        "outside zone      | www.other.test. IN A 192.0.2.9           | outside the zone",
        "unwritable RDATA  | old IN WKS 192.0.2.1 tcp                 | WKS record at old.v.test. cannot be written",
        "class CH          | txt CH TXT \"x\"                          | class CH is not IN",
        "data below cut    | sub IN NS ns.sub ;; x.sub IN TXT \"no\"      | below the delegation sub.v.test.",
        "data at cut       | sub IN NS ns.elsewhere.test. ;; sub IN MX 1 ns | at the delegation point",
        "below DNAME       | d IN DNAME other.test. ;; x.d IN A 192.0.2.3 | below the DNAME",
      })
  void eachRuleNamesFileLineAndReason(String rule, String extra, String reason) throws IOException {
    String body = HEAD + extra.replace(" ;; ", "\n").trim() + "\n";
    ZoneFileException e = invalid(body);
    String message = e.getMessage();
    assertTrue(message.contains(reason), rule + ": " + message);
    int expectedLine = body.split("\n").length; // the offending record is the file's last line
    assertTrue(
        message.contains(dir.resolve("v.test.zone") + ":" + expectedLine + ":"),
        rule + ": " + message);
  }

  @Test
  void missingSoaAndNsAreReported() throws IOException {
    ZoneFileException e = invalid("$ORIGIN v.test.\nwww 300 IN A 192.0.2.1\n");
    assertTrue(e.getMessage().contains("no SOA record at the apex"), e.getMessage());
    assertTrue(e.getMessage().contains("no NS records at the apex"), e.getMessage());
  }

  @Test
  void glueBelowDelegationIsAllowed() throws Exception {
    Path file = dir.resolve("ok.zone");
    Files.writeString(
        file, HEAD + "sub IN NS ns.sub\nns.sub IN A 192.0.2.53\nns.sub IN AAAA 2001:db8::53\n");
    ZoneFile zone = ZoneFileReader.read(file, Name.fromString("v.test."));
    assertEquals(
        zone.records(),
        ZoneValidator.validate(zone, ZoneValidator.Checks.LENIENT, Instant.now()).records());
    assertEquals(6, zone.records().size());
  }

  /**
   * As BIND: the first TTL of an RRset is kept and each later one named; an RRSIG is in its covered
   * type's RRset.
   */
  @Test
  void differingTtlsKeepTheFirstWithAWarningNamingTheLine() throws Exception {
    Path file = dir.resolve("ttl.zone");
    Files.writeString(
        file,
        HEAD
            + """
        ns 600 IN A 192.0.2.2
        ns 60 IN RRSIG A 13 3 300 20300101000000 20200101000000 1 v.test. AAAA
        ns 90 IN RRSIG AAAA 13 3 300 20300101000000 20200101000000 1 v.test. AAAA
        ns 600 IN TXT "a separate RRset"
        """);
    List<ZoneFileException.Problem> warnings = new ArrayList<>();
    List<Record> records =
        RrsetTtls.harmonise(
            ZoneFileReader.read(file, Name.fromString("v.test.")), false, warnings, 20);
    assertEquals(
        List.of(
            file
                + ":6: TTL 600 differs from TTL 300 of the same RRset ns.v.test. A; TTL 300 is used (RFC 2181 §5.2)"),
        warnings.stream().map(Object::toString).toList());
    List<Long> ttls = records.stream().map(Record::getTTL).toList();
    assertEquals(List.of(300L, 300L, 300L, 300L, 60L, 90L, 600L), ttls);
  }

  @Test
  void strictRefusesDifferingTtls() throws IOException {
    Path file = dir.resolve("v.test.zone");
    Files.writeString(file, HEAD + "ns 600 IN A 192.0.2.2\n");
    ZoneFileException e =
        assertThrows(
            ZoneFileException.class,
            () ->
                ZoneValidator.validate(
                    ZoneFileReader.read(file, Name.fromString("v.test.")),
                    new ZoneValidator.Checks(true, Duration.ofDays(7)),
                    Instant.now()));
    assertEquals(
        List.of(
            file
                + ":6: TTL 600 differs from TTL 300 of the same RRset ns.v.test. A (RFC 2181 §5.2)"),
        e.problems().stream().map(Object::toString).toList());
  }

  /** RFC 2181 §5: a record given twice (owner in any case) is stored once, the first copy. */
  @Test
  void aRecordGivenTwiceIsKeptOnce() throws Exception {
    Path file = dir.resolve("dup.zone");
    Files.writeString(file, HEAD + "NS IN A 192.0.2.1\nns IN A 192.0.2.2\n@ IN NS ns\n");
    ZoneFile zone = ZoneFileReader.read(file, Name.fromString("v.test."));
    assertEquals(
        List.of(
            zone.records().get(0),
            zone.records().get(1),
            zone.records().get(2),
            zone.records().get(4)),
        ZoneValidator.validate(zone, ZoneValidator.Checks.LENIENT, Instant.now()).records());
  }

  @Test
  void syntaxErrorNamesFileAndLine() throws IOException {
    ZoneFileException e = invalid(HEAD + "bad IN A 192.0.2\n");
    assertEquals(6, e.problems().get(0).line(), e.getMessage());
    assertTrue(e.getMessage().contains("v.test.zone:6:"), e.getMessage());
  }
}
