package org.cairndns.zone.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;

class MasterPositionTest {
  @TempDir Path dir;

  /** Fails, naming the field, when a dnsjava upgrade renames what line numbers are read from. */
  @Test
  void dnsjavaStillHasTheFieldsLinesAreReadFrom() {
    assertNull(
        MasterPosition.MISSING,
        () -> "zone file line numbers would all be 0 with this dnsjava: " + MasterPosition.MISSING);
  }

  @Test
  void eachRecordsFileAndLastLine() throws Exception {
    Files.writeString(dir.resolve("inner.inc"), "\n\ninc IN A 192.0.2.9\n");
    Path file = dir.resolve("p.test.zone");
    Files.writeString(
        file,
        """
        $ORIGIN p.test.
        @ 300 IN SOA ns hm 1 3600 600 86400 60

        @ 300 IN NS ns
        txt 300 IN TXT ( "one"
           "two" )
        $INCLUDE inner.inc
        last 300 IN A 192.0.2.2
        """);
    List<String> positions = new ArrayList<>();
    try (Master master = new Master(file.toString(), Name.fromString("p.test."), 3600)) {
      while (master.nextRecord() != null) {
        ZoneFile.Position p = MasterPosition.of(master, "main");
        positions.add(Path.of(p.file()).getFileName() + ":" + p.line());
      }
    }
    assertEquals(List.of("main:2", "main:4", "main:6", "inner.inc:3", "main:8"), positions);
  }
}
