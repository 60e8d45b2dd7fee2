package org.cairndns.zone.store;

import java.io.IOException;
import java.io.InputStream;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cairndns.zone.WireRecordSink;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

/**
 * Records in the store's BLOB columns (a zone's current records, a journal step's deleted and added
 * ones), in {@link RecordCodec}'s encoding: the one place the store turns records into column
 * values and back.
 */
final class RecordBlobs {
  private RecordBlobs() {}

  static byte[] encode(List<Record> records) {
    return RecordCodec.encode(records);
  }

  /**
   * {@code records}, taking the encoding made as they streamed in when it holds the same records.
   */
  static byte[] encode(List<Record> records, EncodedRecords streamed) {
    return streamed != null && streamed.count() == records.size()
        ? streamed.compressed()
        : encode(records);
  }

  /**
   * {@code soa} followed by {@code records}, as a journal step keeps each side (RFC 1995 order).
   */
  static byte[] encode(SOARecord soa, List<Record> records) {
    List<Record> all = new ArrayList<>(records.size() + 1);
    all.add(soa);
    all.addAll(records);
    return encode(all);
  }

  static List<Record> read(ResultSet rs, int column) throws SQLException, IOException {
    try (InputStream in = rs.getBinaryStream(column)) {
      return RecordCodec.decode(in);
    }
  }

  /** Feeds the records of the column to {@code sink} in wire form: no Record objects. */
  static void read(ResultSet rs, int column, WireRecordSink sink) throws SQLException, IOException {
    try (InputStream in = rs.getBinaryStream(column)) {
      RecordCodec.decode(in, sink);
    }
  }

  /** The SOA the encoding puts first, read without decoding the other records. */
  static Optional<SOARecord> readSoa(ResultSet rs, int column) throws SQLException, IOException {
    try (InputStream in = rs.getBinaryStream(column)) {
      return RecordCodec.first(in) instanceof SOARecord soa ? Optional.of(soa) : Optional.empty();
    }
  }
}
