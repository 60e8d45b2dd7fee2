package org.cairndns.xfr.secondary;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.cairndns.zone.store.StoreDatabase;
import org.cairndns.zone.store.ZoneStoreException;
import org.xbill.DNS.Name;

/**
 * Operators' requests ({@code cairn zone retransfer}) for a full transfer of a secondary zone that
 * accepts any serial, left in the store for the server running on it: its store poll takes them and
 * hands each to the zone's {@link ZoneRefresher#retransfer()}.
 */
public final class RetransferRequests {
  private final StoreDatabase database;

  public RetransferRequests(StoreDatabase database) {
    this.database = database;
  }

  /**
   * Asks the server running on this store for a full transfer of {@code zone} that accepts any
   * serial.
   */
  public void request(Name zone) throws ZoneStoreException {
    database.inTransaction(
        "cannot request a retransfer of " + zone,
        db -> {
          try (PreparedStatement st =
              db.prepareStatement(
                  "MERGE INTO retransfer_request (zone, requested_at) KEY (zone) VALUES (?, ?)")) {
            st.setString(1, StoreDatabase.key(zone));
            st.setTimestamp(2, Timestamp.from(Instant.now()));
            return st.executeUpdate();
          }
        });
  }

  /** The pending requests, removed as they are read (one small query when there are none). */
  public List<Name> take() throws ZoneStoreException {
    return database.inTransaction(
        "cannot read the retransfer requests",
        db -> {
          List<Name> zones = new ArrayList<>();
          try (PreparedStatement st =
                  db.prepareStatement("SELECT zone FROM retransfer_request ORDER BY zone");
              ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
              zones.add(Name.fromString(rs.getString(1)));
            }
          }
          if (!zones.isEmpty()) {
            try (PreparedStatement delete =
                db.prepareStatement("DELETE FROM retransfer_request WHERE zone = ?")) {
              for (Name zone : zones) {
                delete.setString(1, StoreDatabase.key(zone));
                delete.executeUpdate();
              }
            }
          }
          return zones;
        });
  }
}
