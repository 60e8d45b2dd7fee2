package org.cairndns.zone.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.cairndns.zone.ZoneSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

/**
 * Any text as a master file, read and validated as {@code cairn zone load} does: a valid zone
 * (which must then build a snapshot) or a {@link ZoneFileException}, nothing else. See
 * docs/fuzzing.md.
 */
class ZoneFileFuzzTest {
  static final Name ORIGIN = Name.fromConstantString("z.test.");

  /** A bound of this target, not of the reader: $GENERATE can ask for billions of records. */
  static final int MAX_RECORDS = 20_000;

  static Path dir;

  @BeforeAll
  static void createDir() throws IOException {
    dir = Files.createTempDirectory("zone-fuzz");
  }

  @AfterAll
  static void removeDir() throws IOException {
    Files.deleteIfExists(dir.resolve("z.test.zone"));
    Files.deleteIfExists(dir);
  }

  @FuzzTest
  void readAndValidate(byte[] input) throws IOException {
    String text = new String(input, StandardCharsets.UTF_8);
    if (text.toLowerCase(Locale.ROOT).contains("$include")) {
      return; // reads whatever file the operator names (/dev/stdin would block): not fuzzed here
    }
    Path file = Files.writeString(dir.resolve("z.test.zone"), text);
    List<Record> records;
    try {
      ZoneFile zone =
          ZoneFileReader.read(
              file,
              ORIGIN,
              count -> {
                if (count > MAX_RECORDS) {
                  throw new IllegalStateException(
                      "beyond the fuzz target's bound"); // read() reports it as a ZoneFileException
                }
              });
      records = ZoneValidator.validate(zone, ZoneValidator.Checks.LENIENT, Instant.EPOCH).records();
    } catch (ZoneFileException e) {
      assertFalse(e.problems().isEmpty());
      e.problems()
          .forEach(
              p -> {
                assertNotNull(p.file());
                assertNotNull(p.reason());
                assertTrue(p.line() >= 0, p::toString);
              });
      return;
    }
    // What validation accepts must be servable.
    SOARecord soa =
        (SOARecord) records.stream().filter(r -> r instanceof SOARecord).findFirst().orElseThrow();
    ZoneSnapshot snapshot = ZoneSnapshot.build(ORIGIN, records);
    assertEquals(soa.getSerial(), snapshot.serial());
    assertEquals(records.size(), snapshot.size(), "every record stored is served");
    snapshot.axfrRecords();
  }
}
