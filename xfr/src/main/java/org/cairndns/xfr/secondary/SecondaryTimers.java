package org.cairndns.xfr.secondary;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.cairndns.zone.store.StoreDatabase;
import org.cairndns.zone.store.ZoneStoreException;
import org.xbill.DNS.Name;

/**
 * When each secondary zone last had a successful check, kept in the store so that EXPIRE counts
 * from it across restarts (as NSD's xfrd.state and Knot's timer database do). Keyed by name: a zone
 * has timers before its first version is stored.
 */
final class SecondaryTimers {
  private final StoreDatabase database;

  SecondaryTimers(StoreDatabase database) {
    this.database = database;
  }

  /** When {@code zone} last had a successful check, if ever recorded. */
  Optional<Instant> lastSuccess(Name zone) throws ZoneStoreException {
    return database.inTransaction(
        "cannot read the timers of " + zone,
        db -> {
          try (PreparedStatement st =
              db.prepareStatement("SELECT last_success FROM secondary_timer WHERE zone = ?")) {
            st.setString(1, StoreDatabase.key(zone));
            try (ResultSet rs = st.executeQuery()) {
              return rs.next()
                  ? Optional.of(rs.getTimestamp(1).toInstant())
                  : Optional.<Instant>empty();
            }
          }
        });
  }

  void saveSuccess(Name zone, Instant at) throws ZoneStoreException {
    database.inTransaction(
        "cannot save the timers of " + zone,
        db -> {
          try (PreparedStatement st =
              db.prepareStatement(
                  "MERGE INTO secondary_timer (zone, last_success) KEY (zone) VALUES (?, ?)")) {
            st.setString(1, StoreDatabase.key(zone));
            st.setTimestamp(2, Timestamp.from(at));
            return st.executeUpdate();
          }
        });
  }
}
