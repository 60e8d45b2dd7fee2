package org.cairndns.tools.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NsdConfTest {
  @TempDir Path dir;

  @Test
  void zonefilePatternsAsNsdExpandsThem() {
    assertEquals("example.com.zone", NsdConf.expandZonefile("%s.zone", "example.com."));
    assertEquals("e/x/a/example.com", NsdConf.expandZonefile("%1/%2/%3/%s", "example.com"));
    assertEquals("com/example/www", NsdConf.expandZonefile("%z/%y/%x", "www.example.com"));
    assertEquals("com/./.", NsdConf.expandZonefile("%z/%y/%x", "com"));
  }

  @Test
  void keywordsAreReadWhateverTheLayoutAndIpv6ValuesStayValues() throws Exception {
    Path conf = dir.resolve("nsd.conf");
    Files.writeString(
        conf,
        """
        zone: name:a.test zonefile: "a.zone"   # one line, as NSD allows
        provide-xfr: fe80::1 NOKEY
        provide-xfr: 10.1.0.0&255.255.0.0 NOKEY
        provide-xfr: 10.2.0.0&255.0.255.0 NOKEY
        """);
    ImportedConfig config = NsdConf.read(conf);
    ImportedConfig.Zone zone = config.zones.get(0);
    assertEquals("a.test", zone.name);
    assertEquals(dir.resolve("a.zone"), zone.file);
    assertEquals(
        List.of("fe80::1", "10.1.0.0/16"),
        zone.allowTransfer.stream().map(ImportedConfig.TransferRule::network).toList());
    assertEquals(1, zone.notes.size(), "a mask that is not a prefix is noted: " + zone.notes);
    assertEquals(4, zone.notes.get(0).where().line());
  }
}
