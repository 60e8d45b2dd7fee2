package org.cairndns.xfr.secondary;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cairndns.zone.store.StoreDatabase;
import org.cairndns.zone.store.ZoneStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Address;

/**
 * {@link XotProbes}' table in the store, so what was learned about which primaries speak XoT
 * survives restarts; read at start and by {@code cairn xfr probes}.
 */
public final class XotProbeTable {
  private static final Logger log = LoggerFactory.getLogger(XotProbeTable.class);

  /**
   * One row: a primary's address ({@code ip:port}), its {@link XotProbes.State} and when it
   * changed.
   */
  public record Row(String address, String state, Instant changedAt) {}

  private final StoreDatabase database;

  public XotProbeTable(StoreDatabase database) {
    this.database = database;
  }

  public List<Row> rows() throws ZoneStoreException {
    return database.inTransaction(
        "cannot read the XoT probe table",
        db -> {
          try (PreparedStatement st =
                  db.prepareStatement(
                      "SELECT address, state, changed_at FROM xot_probe ORDER BY address");
              ResultSet rs = st.executeQuery()) {
            List<Row> rows = new ArrayList<>();
            while (rs.next()) {
              rows.add(new Row(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()));
            }
            return rows;
          }
        });
  }

  /**
   * The saved entries by primary, for {@link XotProbes} to start from; a row that does not parse is
   * skipped.
   */
  public Map<InetSocketAddress, XotProbes.Entry> saved() throws ZoneStoreException {
    Map<InetSocketAddress, XotProbes.Entry> saved = new HashMap<>();
    for (Row row : rows()) {
      try {
        saved.put(
            address(row.address()),
            new XotProbes.Entry(XotProbes.State.valueOf(row.state()), row.changedAt()));
      } catch (IllegalArgumentException | UnknownHostException badRow) {
        log.warn("event=probe-row-ignored address={}", row.address());
      }
    }
    return saved;
  }

  public void save(InetSocketAddress primary, XotProbes.Entry entry) throws ZoneStoreException {
    database.inTransaction(
        "cannot save the XoT probe table",
        db -> {
          try (PreparedStatement st =
              db.prepareStatement(
                  "MERGE INTO xot_probe (address, state, changed_at) KEY (address) VALUES (?, ?, ?)")) {
            st.setString(1, primary.getAddress().getHostAddress() + ":" + primary.getPort());
            st.setString(2, entry.state().name());
            st.setTimestamp(3, Timestamp.from(entry.changedAt()));
            return st.executeUpdate();
          }
        });
  }

  /**
   * The primary of a row, {@code ip:port} as {@link #save} writes it. The port follows the last
   * colon, so an IPv6 address reads back without brackets; only address literals are read, never a
   * name a resolver would be asked for.
   */
  private static InetSocketAddress address(String text) throws UnknownHostException {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("no port in " + text);
    }
    return new InetSocketAddress(
        Address.getByAddress(text.substring(0, colon)),
        Integer.parseInt(text.substring(colon + 1)));
  }
}
