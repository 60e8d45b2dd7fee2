package org.cairndns.zone.store;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

/**
 * The IXFR journal table: one row per step between consecutive versions of a zone, holding what was
 * deleted and added with both SOAs (RFC 1995 order), at most {@code maxSteps} per zone. It works
 * inside the caller's transaction.
 */
final class Journal {
  private final int maxSteps;

  Journal(int maxSteps) {
    this.maxSteps = maxSteps;
  }

  void insert(Connection db, long zoneId, long seq, ZoneDiff step) throws SQLException {
    try (PreparedStatement st =
        db.prepareStatement(
            "INSERT INTO journal (zone_id, seq, from_serial, to_serial, deleted_count, added_count, deleted, added) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      st.setLong(1, zoneId);
      st.setLong(2, seq);
      st.setLong(3, step.fromSerial());
      st.setLong(4, step.toSerial());
      st.setInt(5, step.deleted().size());
      st.setInt(6, step.added().size());
      st.setBytes(7, RecordBlobs.encode(step.fromSoa(), step.deleted()));
      st.setBytes(8, RecordBlobs.encode(step.toSoa(), step.added()));
      st.executeUpdate();
    }
  }

  /**
   * Removes the steps and versions older than the last {@code maxSteps} steps up to {@code
   * latestSeq}.
   */
  void prune(Connection db, long zoneId, long latestSeq) throws SQLException {
    long keepFrom = latestSeq - maxSteps + 1;
    for (String table : List.of("journal", "zone_version")) {
      try (PreparedStatement st =
          db.prepareStatement("DELETE FROM " + table + " WHERE zone_id = ? AND seq < ?")) {
        st.setLong(1, zoneId);
        st.setLong(2, table.equals("journal") ? keepFrom : keepFrom - 1);
        st.executeUpdate();
      }
    }
  }

  static void clear(Connection db, long zoneId) throws SQLException {
    try (PreparedStatement st = db.prepareStatement("DELETE FROM journal WHERE zone_id = ?")) {
      st.setLong(1, zoneId);
      st.executeUpdate();
    }
  }

  /** Every step kept for the zone, oldest first. */
  static List<ZoneDiff> steps(Connection db, long zoneId) throws SQLException, IOException {
    List<ZoneDiff> steps = new ArrayList<>();
    try (PreparedStatement st =
        db.prepareStatement("SELECT deleted, added FROM journal WHERE zone_id = ? ORDER BY seq")) {
      st.setLong(1, zoneId);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          List<Record> deleted = RecordBlobs.read(rs, 1);
          List<Record> added = RecordBlobs.read(rs, 2);
          steps.add(
              new ZoneDiff(
                  (SOARecord) deleted.get(0),
                  (SOARecord) added.get(0),
                  deleted.subList(1, deleted.size()),
                  added.subList(1, added.size())));
        }
      }
    }
    return steps;
  }

  /**
   * The tail of {@code steps} leading from {@code fromSerial} to {@code currentSerial}: empty when
   * there is none, an empty list when {@code fromSerial} is current.
   */
  static Optional<List<ZoneDiff>> path(List<ZoneDiff> steps, long fromSerial, long currentSerial) {
    if (currentSerial == fromSerial) {
      return Optional.of(List.of());
    }
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).fromSerial() == fromSerial) {
        List<ZoneDiff> tail = steps.subList(i, steps.size());
        return tail.get(tail.size() - 1).toSerial() == currentSerial
            ? Optional.of(List.copyOf(tail))
            : Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * The records at {@code serial}, undoing {@code steps} from the newest back starting at the
   * current version; empty when the journal does not reach back to {@code serial}.
   */
  static Optional<List<Record>> rewind(
      List<Record> current, long currentSerial, List<ZoneDiff> steps, long serial) {
    List<Record> records = current;
    long at = currentSerial;
    for (int i = steps.size() - 1; i >= 0 && at != serial; i--) {
      ZoneDiff step = steps.get(i);
      if (step.toSerial() != at) {
        break;
      }
      records = step.inverse().applyTo(records);
      at = step.fromSerial();
    }
    return at == serial ? Optional.of(records) : Optional.empty();
  }
}
