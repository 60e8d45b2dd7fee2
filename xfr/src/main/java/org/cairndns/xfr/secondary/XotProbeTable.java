package org.cairndns.xfr.secondary;

import java.net.InetSocketAddress;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.cairndns.zone.store.StoreDatabase;
import org.cairndns.zone.store.ZoneStoreException;

/**
 * {@link XotProbes}' table in the store, so what was learned about which primaries speak XoT
 * survives restarts; read at start and by {@code cairn xfr probes}.
 */
public final class XotProbeTable {
  /** One row: a primary's address ({@code ip:port}), its {@link XotProbes.State} and when it changed. */
  public record Row(String address, String state, Instant changedAt) {}

  private final StoreDatabase database;

  public XotProbeTable(StoreDatabase database) {
    this.database = database;
  }

  public List<Row> rows() throws ZoneStoreException {
    return database.inTransaction("cannot read the XoT probe table", db -> {
      try (PreparedStatement st = db.prepareStatement("SELECT address, state, changed_at FROM xot_probe ORDER BY address");
          ResultSet rs = st.executeQuery()) {
        List<Row> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(new Row(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()));
        }
        return rows;
      }
    });
  }

  public void save(InetSocketAddress primary, XotProbes.Entry entry) throws ZoneStoreException {
    database.inTransaction("cannot save the XoT probe table", db -> {
      try (PreparedStatement st = db.prepareStatement(
          "MERGE INTO xot_probe (address, state, changed_at) KEY (address) VALUES (?, ?, ?)")) {
        st.setString(1, primary.getAddress().getHostAddress() + ":" + primary.getPort());
        st.setString(2, entry.state().name());
        st.setTimestamp(3, Timestamp.from(entry.changedAt()));
        return st.executeUpdate();
      }
    });
  }
}
