package org.cairndns.zone.store;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * The rows of a zone's versions: {@code zone} (the current version's serial and records, as one
 * blob) and {@code zone_version} (one row per version, for history), and the store's change counter
 * a running server polls. It works inside the caller's transaction.
 */
final class Versions {
  private Versions() {}

  record Current(long id, SOARecord soa, List<Record> records, long seq) {
    Head head() {
      return new Head(id, soa.getSerial(), seq);
    }
  }

  /** What a new version needs to know of the current one. */
  record Head(long id, long serial, long seq) {}

  /** A new zone row at its first version; returns the zone's id. */
  static long create(Connection db, Name origin, long serial, int recordCount, byte[] stored)
      throws SQLException {
    Timestamp now = Timestamp.from(Instant.now());
    try (PreparedStatement st =
        db.prepareStatement(
            "INSERT INTO zone (name, serial, record_count, records, created_at, changed_at) VALUES (?, ?, ?, ?, ?, ?)",
            new String[] {"ID"})) {
      st.setString(1, StoreDatabase.key(origin));
      st.setLong(2, serial);
      st.setInt(3, recordCount);
      st.setBytes(4, stored);
      st.setTimestamp(5, now);
      st.setTimestamp(6, now);
      st.executeUpdate();
      try (ResultSet keys = st.getGeneratedKeys()) {
        keys.next();
        return keys.getLong(1);
      }
    }
  }

  /** Makes {@code stored} the zone's current records, at {@code serial}. */
  static void setCurrent(Connection db, long zoneId, long serial, int recordCount, byte[] stored)
      throws SQLException {
    try (PreparedStatement st =
        db.prepareStatement(
            "UPDATE zone SET serial = ?, record_count = ?, records = ?, changed_at = ? WHERE id = ?")) {
      st.setLong(1, serial);
      st.setInt(2, recordCount);
      st.setBytes(3, stored);
      st.setTimestamp(4, Timestamp.from(Instant.now()));
      st.setLong(5, zoneId);
      st.executeUpdate();
    }
  }

  /** The row of version {@code seq} in the zone's history. */
  static void add(Connection db, long zoneId, long seq, long serial, String source, int records)
      throws SQLException {
    try (PreparedStatement st =
        db.prepareStatement(
            "INSERT INTO zone_version (zone_id, seq, serial, loaded_at, source, record_count) VALUES (?, ?, ?, ?, ?, ?)")) {
      st.setLong(1, zoneId);
      st.setLong(2, seq);
      st.setLong(3, serial);
      st.setTimestamp(4, Timestamp.from(Instant.now()));
      st.setString(5, source.length() > 2000 ? source.substring(0, 2000) : source);
      st.setInt(6, records);
      st.executeUpdate();
    }
  }

  /** The current version with its records decoded, for computing a difference. */
  static Optional<Current> current(Connection db, Name origin) throws SQLException, IOException {
    try (PreparedStatement st =
        db.prepareStatement(
            "SELECT z.id, z.records, (SELECT MAX(seq) FROM zone_version v WHERE v.zone_id = z.id) FROM zone z WHERE z.name = ?")) {
      st.setString(1, StoreDatabase.key(origin));
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        List<Record> records = RecordBlobs.read(rs, 2);
        SOARecord soa = apexSoa(origin, records);
        if (soa == null) {
          throw new IOException("stored zone " + origin + " has no SOA");
        }
        return Optional.of(new Current(rs.getLong(1), soa, records, rs.getLong(3)));
      }
    }
  }

  /** The current version without its records. */
  static Optional<Head> head(Connection db, Name origin) throws SQLException {
    try (PreparedStatement st =
        db.prepareStatement(
            "SELECT z.id, z.serial, (SELECT MAX(seq) FROM zone_version v WHERE v.zone_id = z.id) FROM zone z WHERE z.name = ?")) {
      st.setString(1, StoreDatabase.key(origin));
      try (ResultSet rs = st.executeQuery()) {
        return rs.next()
            ? Optional.of(new Head(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
            : Optional.empty();
      }
    }
  }

  static void bumpChangeCounter(Connection db) throws SQLException {
    try (PreparedStatement st =
        db.prepareStatement(
            "UPDATE store_state SET change_counter = change_counter + 1 WHERE id = 1")) {
      st.executeUpdate();
    }
  }

  /** The SOA at {@code origin} among {@code records}, or null. */
  static SOARecord apexSoa(Name origin, List<Record> records) {
    for (Record r : records) {
      if (r.getType() == Type.SOA && r.getName().equals(origin)) {
        return (SOARecord) r;
      }
    }
    return null;
  }
}
