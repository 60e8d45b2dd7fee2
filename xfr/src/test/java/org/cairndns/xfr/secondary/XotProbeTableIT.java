package org.cairndns.xfr.secondary;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import org.cairndns.zone.store.ZoneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XotProbeTableIT {
  @TempDir Path dir;

  @Test
  void entriesReadBackByPrimaryIpv6IncludedAndBrokenRowsAreSkipped() throws Exception {
    Instant at = Instant.parse("2026-11-23T00:00:00Z");
    InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("192.0.2.53"), 853);
    InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::53"), 853);
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      XotProbeTable table = new XotProbeTable(store.database());
      table.save(v4, new XotProbes.Entry(XotProbes.State.BUSY, at.minusSeconds(60)));
      table.save(v4, new XotProbes.Entry(XotProbes.State.GOOD, at));
      table.save(v6, new XotProbes.Entry(XotProbes.State.BAD, at));
      for (String[] broken :
          new String[][] {
            {"192.0.2.1:853", "MAYBE"}, {"ns.example:853", "GOOD"}, {"192.0.2.2", "GOOD"}
          }) {
        store
            .database()
            .inTransaction(
                "cannot write",
                db -> {
                  try (PreparedStatement st =
                      db.prepareStatement(
                          "INSERT INTO xot_probe (address, state, changed_at) VALUES (?, ?, ?)")) {
                    st.setString(1, broken[0]);
                    st.setString(2, broken[1]);
                    st.setTimestamp(3, Timestamp.from(at));
                    return st.executeUpdate();
                  }
                });
      }
      assertEquals(5, table.rows().size(), "one row per primary");
    }
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      assertEquals(
          Map.of(
              v4,
              new XotProbes.Entry(XotProbes.State.GOOD, at),
              v6,
              new XotProbes.Entry(XotProbes.State.BAD, at)),
          new XotProbeTable(store.database()).saved());
    }
  }
}
