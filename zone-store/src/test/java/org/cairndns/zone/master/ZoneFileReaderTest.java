package org.cairndns.zone.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

class ZoneFileReaderTest {
  @TempDir Path dir;

  @Test
  void includeGenerateAndUnknownTypesWithPositions() throws Exception {
    Files.writeString(dir.resolve("hosts.inc"), "inc1 IN A 192.0.2.101\ninc2 IN A 192.0.2.102\n");
    Path file = dir.resolve("r.test.zone");
    Files.writeString(
        file,
        """
        $ORIGIN r.test.
        $TTL 300
        @ IN SOA ns hm 1 3600 600 86400 60
        @ IN NS ns
        ns IN A 192.0.2.1
        $GENERATE 1-3 host$ A 192.0.2.$
        odd IN TYPE65400 \\# 3 010203
        txt IN TXT ( "one"
           "two" )
        $INCLUDE hosts.inc
        """);
    ZoneFile zone = ZoneFileReader.read(file, Name.fromString("r.test."));
    assertEquals(10, zone.records().size());
    assertEquals(
        3, zone.records().stream().filter(r -> r.getName().toString().startsWith("host")).count());
    Record odd =
        zone.records().stream().filter(r -> r.getType() == 65400).findFirst().orElseThrow();
    assertEquals("\\# 3 010203", odd.rdataToString());
    int txt = indexOf(zone, Type.TXT);
    assertEquals(9, zone.positions().get(txt).line(), "multi-line record reports its last line");
    int inc2 = zone.records().size() - 1;
    assertTrue(
        zone.positions().get(inc2).file().endsWith("hosts.inc"),
        zone.positions().get(inc2).toString());
    assertEquals(2, zone.positions().get(inc2).line());
    assertEquals(file.toString(), zone.positions().get(0).file());
    assertEquals(3, zone.positions().get(0).line());
  }

  @Test
  void unreadableFileIsAClearError() {
    ZoneFileException e =
        assertThrows(
            ZoneFileException.class,
            () -> ZoneFileReader.read(dir.resolve("missing.zone"), Name.fromString("m.test.")));
    assertTrue(e.getMessage().contains("missing.zone: cannot read file"), e.getMessage());
  }

  private static int indexOf(ZoneFile zone, int type) {
    for (int i = 0; i < zone.records().size(); i++) {
      if (zone.records().get(i).getType() == type) {
        return i;
      }
    }
    return -1;
  }
}
