package org.cairndns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import org.cairndns.xfr.secondary.XotProbeTable;
import org.cairndns.xfr.secondary.XotProbes;
import org.cairndns.zone.store.ZoneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code cairn xfr probes} prints the probe table a secondary left in the store. */
class XfrCommandIT {
  @TempDir Path dir;

  @Test
  void probesPrintsEachPrimaryWithItsStateAndLastChange() throws Exception {
    Path db = dir.resolve("db");
    Instant changed = Instant.parse("2026-11-23T00:00:00Z");
    try (ZoneStore store = ZoneStore.open(db)) {
      XotProbeTable table = new XotProbeTable(store.database());
      table.save(
          new InetSocketAddress("192.0.2.53", 853),
          new XotProbes.Entry(XotProbes.State.GOOD, changed));
      table.save(
          new InetSocketAddress("192.0.2.7", 53),
          new XotProbes.Entry(XotProbes.State.BAD, changed));
    }
    CommandLine cli = CairnCommand.newCommandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out));
    assertEquals(0, cli.execute("xfr", "probes", "--db", db.toString()));
    assertEquals(
        String.format(
            "%-40s %-8s %s%n%-40s %-8s %s%n%-40s %-8s %s%n",
            "PRIMARY",
            "STATE",
            "CHANGED",
            "192.0.2.53:853",
            "GOOD",
            changed,
            "192.0.2.7:53",
            "BAD",
            changed),
        out.toString());
  }
}
