package org.cairndns.zone.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.cairndns.zone.WireRecordSink;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * Zones, their versions and the IXFR journal in an embedded H2 database. Every change is one
 * transaction: the new current records, the version row and the journal step commit together or
 * not at all, so a crash mid-load leaves the previous version intact. The database is opened in
 * H2's auto-server mode so the command line can load zones while a server has the store open.
 */
public final class ZoneStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ZoneStore.class);
  public static final int DEFAULT_MAX_JOURNAL_STEPS = 100;

  private final Connection db;
  private final int maxJournalSteps;

  private ZoneStore(Connection db, int maxJournalSteps) {
    this.db = db;
    this.maxJournalSteps = maxJournalSteps;
  }

  public static ZoneStore open(Path path) throws ZoneStoreException {
    return open(path, DEFAULT_MAX_JOURNAL_STEPS);
  }

  /**
   * @param path database base path without the {@code .mv.db} suffix, e.g. {@code data/cairn}
   * @param maxJournalSteps journal steps kept per zone; older ones are pruned (IXFR from older
   *     serials falls back to a full transfer)
   */
  public static ZoneStore open(Path path, int maxJournalSteps) throws ZoneStoreException {
    // No trace file: H2 would create PATH.trace.db with the default mode, and every error it
    // records reaches us as an SQLException anyway.
    String url = "jdbc:h2:file:" + path.toAbsolutePath() + ";AUTO_SERVER=TRUE;TRACE_LEVEL_FILE=0";
    // The auto-server port is for processes on this machine (the CLI beside a running server).
    if (System.getProperty("h2.bindAddress") == null) {
      System.setProperty("h2.bindAddress", "127.0.0.1");
    }
    try {
      String password = password(path);
      createDatabaseFile(path);
      Flyway.configure().dataSource(url, USER, password).loggers("slf4j").load().migrate();
      Connection c = DriverManager.getConnection(url, USER, password);
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      return new ZoneStore(c, maxJournalSteps);
    } catch (SQLException | java.io.IOException | RuntimeException e) {
      throw new ZoneStoreException("cannot open zone store " + path + ": " + rootMessage(e), e);
    }
  }

  private static final String USER = "cairn";

  /**
   * The database password, kept in {@code PATH.key} (mode 0600) and made when the store is
   * created. H2's auto-server mode, which lets the command line write while a server runs, opens
   * a TCP port for the database, so the store must not be open to anyone who can reach it. A new
   * store's folder is made with mode 0700; the files of an existing store that others may read
   * are tightened with a warning.
   */
  private static String password(Path path) throws IOException, ZoneStoreException {
    Path keyFile = sibling(path, ".key");
    Path dbFile = sibling(path, ".mv.db");
    if (Files.exists(keyFile)) {
      for (String suffix : List.of(".key", ".mv.db", ".trace.db")) {
        OwnerOnlyFiles.tighten(sibling(path, suffix));
      }
      return Files.readString(keyFile).trim();
    }
    if (Files.exists(dbFile)) {
      throw new ZoneStoreException("cannot open zone store " + path + ": its password file " + keyFile + " is missing");
    }
    Path parent = keyFile.toAbsolutePath().getParent();
    if (parent != null) {
      OwnerOnlyFiles.createDirectories(parent);
    }
    byte[] random = new byte[24];
    new java.security.SecureRandom().nextBytes(random);
    String password = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    try (SeekableByteChannel out = Files.newByteChannel(keyFile,
        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OwnerOnlyFiles.fileMode(keyFile))) {
      out.write(ByteBuffer.wrap(password.getBytes(StandardCharsets.US_ASCII)));
    }
    return password;
  }

  /**
   * Creates {@code PATH.mv.db} empty with mode 0600 when it is missing: H2 takes an empty file as a
   * new database and keeps its mode, where it would create one others can read.
   */
  private static void createDatabaseFile(Path path) throws IOException {
    Path dbFile = sibling(path, ".mv.db");
    try {
      Files.createFile(dbFile, OwnerOnlyFiles.fileMode(dbFile));
    } catch (FileAlreadyExistsException existing) {
      // an existing store, or another process created it first
    }
  }

  /** {@code PATH} plus {@code suffix}: the store's files sit beside each other. */
  private static Path sibling(Path path, String suffix) {
    return path.resolveSibling(path.getFileName() + suffix);
  }

  /**
   * Stores {@code records} as the new version of zone {@code origin}. Unchanged content is a no-op.
   * Changed content must carry a newer serial (RFC 1982) unless {@code bumpSerial}, which sets the
   * serial to max(old + 1, today's YYYYMMDD00).
   */
  public synchronized LoadOutcome load(Name origin, List<Record> records, String source, boolean bumpSerial)
      throws ZoneStoreException {
    return load(origin, apexSoa(origin, records), records.size(), () -> records, null, source, bumpSerial);
  }

  /**
   * Stores a zone that was encoded as it streamed in (a transfer). {@code records} gives the same
   * records as a list; it is asked for only when the zone already has a version, to compute the
   * difference the journal keeps.
   */
  public synchronized LoadOutcome load(Name origin, EncodedRecords encoded, Supplier<List<Record>> records,
      String source) throws ZoneStoreException {
    if (!encoded.soa().getName().equals(origin)) {
      throw new ZoneStoreException("zone " + origin + " has no SOA record at its apex");
    }
    return load(origin, encoded.soa(), encoded.count(), records, encoded, source, false);
  }

  private LoadOutcome load(Name origin, SOARecord soa, int count, Supplier<List<Record>> content,
      EncodedRecords encoded, String source, boolean bumpSerial) throws ZoneStoreException {
    try {
      Optional<Current> current = readCurrent(origin);
      if (current.isEmpty()) {
        long id = insertZone(origin, soa.getSerial(), count, encoded != null ? encoded.compressed() : RecordCodec.encode(content.get()));
        insertVersion(id, 1, soa.getSerial(), source, count);
        bumpChangeCounter();
        db.commit();
        log.info("zone={} event=created serial={} records={} source={}", origin, soa.getSerial(), count, source);
        return new LoadOutcome(LoadOutcome.Kind.CREATED, -1, soa.getSerial(), count, 0, count);
      }
      List<Record> records = content.get();
      Current cur = current.get();
      ZoneDiff diff = ZoneDiff.between(cur.soa, cur.records, soa, records);
      boolean soaChanged = !sameRecord(cur.soa, soa);
      if (diff.isEmpty() && !soaChanged) {
        db.rollback();
        return new LoadOutcome(LoadOutcome.Kind.UNCHANGED, cur.soa.getSerial(), cur.soa.getSerial(), cur.records.size(), 0, 0);
      }
      if (!Serials.isNewer(soa.getSerial(), cur.soa.getSerial())) {
        if (!bumpSerial) {
          db.rollback();
          throw new ZoneStoreException(
              "zone " + origin + " changed but serial " + soa.getSerial() + " is not newer than the stored "
                  + cur.soa.getSerial() + "; raise the serial or use --bump-serial");
        }
        soa = withSerial(soa, bumpedSerial(cur.soa.getSerial()));
        records = replaceSoa(records, soa);
        encoded = null;
        diff = new ZoneDiff(cur.soa, soa, diff.deleted(), diff.added());
      }
      return commitSteps(origin, cur.head(), records.size(), encode(records, encoded), List.of(diff), source);
    } catch (SQLException | IOException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot store zone " + origin + ": " + rootMessage(e), e);
    }
  }

  /**
   * Stores the result of an incremental transfer: {@code steps} must start at the current serial,
   * and {@code result} is the zone after them, encoded (the caller applied them to the version it
   * serves). The current version is not read back, only its serial checked: an IXFR of a few
   * records costs the same for a large zone as for a small one, but for compressing the result.
   * All steps are committed together, or nothing is.
   */
  public synchronized LoadOutcome applyDiff(Name origin, List<ZoneDiff> steps, EncodedRecords result, String source)
      throws ZoneStoreException {
    if (steps.isEmpty()) {
      throw new ZoneStoreException("no difference sequences to apply to " + origin);
    }
    try {
      Head head = readHead(origin)
          .orElseThrow(() -> new ZoneStoreException("zone " + origin + " is not in the store; an incremental transfer needs a base version"));
      long serial = head.serial();
      for (ZoneDiff step : steps) {
        if (step.fromSerial() != serial) {
          throw new ZoneStoreException("incremental transfer for " + origin + " starts at serial "
              + step.fromSerial() + " but the store has " + serial);
        }
        serial = step.toSerial();
      }
      if (result.soa().getSerial() != serial) {
        throw new ZoneStoreException("the result of the incremental transfer for " + origin + " has serial "
            + result.soa().getSerial() + ", not " + serial);
      }
      return commitSteps(origin, head, result.count(), result.compressed(), steps, source);
    } catch (SQLException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot store zone " + origin + ": " + rootMessage(e), e);
    } catch (ZoneStoreException e) {
      rollbackQuietly();
      throw e;
    }
  }

  public synchronized List<ZoneInfo> list() throws ZoneStoreException {
    String sql = "SELECT z.name, z.serial, z.record_count, z.changed_at, "
        + "(SELECT COUNT(*) FROM zone_version v WHERE v.zone_id = z.id) FROM zone z ORDER BY z.name";
    try (PreparedStatement st = db.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
      List<ZoneInfo> zones = new ArrayList<>();
      while (rs.next()) {
        zones.add(new ZoneInfo(Name.fromString(rs.getString(1)), rs.getLong(2), rs.getInt(3),
            rs.getInt(5), rs.getTimestamp(4).toInstant()));
      }
      db.commit();
      return zones;
    } catch (SQLException | IOException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot list zones: " + rootMessage(e), e);
    }
  }

  /**
   * Feeds the current version of {@code origin} to {@code sink} in wire form (SOA first), as it is
   * stored: no Record objects, for building a snapshot. False when the zone is not stored.
   */
  public synchronized boolean current(Name origin, WireRecordSink sink) throws ZoneStoreException {
    try (PreparedStatement st = db.prepareStatement("SELECT records FROM zone WHERE name = ?")) {
      st.setString(1, key(origin));
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          db.commit();
          return false;
        }
        try (InputStream in = rs.getBinaryStream(1)) {
          RecordCodec.decode(in, sink);
        }
      }
      db.commit();
      return true;
    } catch (SQLException | IOException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot read zone " + origin + ": " + rootMessage(e), e);
    }
  }

  public synchronized Optional<ZoneContent> current(Name origin) throws ZoneStoreException {
    try {
      Optional<Current> cur = readCurrent(origin);
      db.commit();
      return cur.map(c -> new ZoneContent(origin, c.soa.getSerial(), c.records));
    } catch (SQLException | IOException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot read zone " + origin + ": " + rootMessage(e), e);
    }
  }

  /** The current SOA of {@code origin}, read without decoding the zone's other records. */
  public synchronized Optional<SOARecord> soa(Name origin) throws ZoneStoreException {
    try (PreparedStatement st = db.prepareStatement("SELECT records FROM zone WHERE name = ?")) {
      st.setString(1, key(origin));
      Optional<SOARecord> soa = Optional.empty();
      try (ResultSet rs = st.executeQuery()) {
        if (rs.next()) {
          try (InputStream in = rs.getBinaryStream(1)) {
            Record first = RecordCodec.first(in);
            soa = first instanceof SOARecord s ? Optional.of(s) : Optional.empty();
          }
        }
      }
      db.commit();
      return soa;
    } catch (SQLException | IOException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot read the SOA of " + origin + ": " + rootMessage(e), e);
    }
  }

  /** The zone as it was at {@code serial}, rebuilt from the current version and the journal. */
  public synchronized Optional<ZoneContent> at(Name origin, long serial) throws ZoneStoreException {
    try {
      Optional<Current> cur = readCurrent(origin);
      if (cur.isEmpty()) {
        db.commit();
        return Optional.empty();
      }
      List<Record> records = cur.get().records;
      long at = cur.get().soa.getSerial();
      List<ZoneDiff> steps = readSteps(cur.get().id);
      for (int i = steps.size() - 1; i >= 0 && at != serial; i--) {
        ZoneDiff step = steps.get(i);
        if (step.toSerial() != at) {
          break;
        }
        records = step.inverse().applyTo(records);
        at = step.fromSerial();
      }
      db.commit();
      return at == serial ? Optional.of(new ZoneContent(origin, serial, records)) : Optional.empty();
    } catch (SQLException | IOException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot read zone " + origin + ": " + rootMessage(e), e);
    }
  }

  /**
   * The journal steps leading from {@code fromSerial} to the current version, in order; empty when
   * {@code fromSerial} is not in the journal (the caller then sends the whole zone). An empty list
   * inside the Optional means {@code fromSerial} is current.
   */
  public synchronized Optional<List<ZoneDiff>> journal(Name origin, long fromSerial) throws ZoneStoreException {
    try {
      Optional<Long> id = zoneId(origin);
      if (id.isEmpty()) {
        db.commit();
        return Optional.empty();
      }
      long current = currentSerial(id.get());
      List<ZoneDiff> steps = readSteps(id.get());
      db.commit();
      if (current == fromSerial) {
        return Optional.of(List.of());
      }
      for (int i = 0; i < steps.size(); i++) {
        if (steps.get(i).fromSerial() == fromSerial) {
          List<ZoneDiff> tail = steps.subList(i, steps.size());
          return tail.get(tail.size() - 1).toSerial() == current ? Optional.of(List.copyOf(tail)) : Optional.empty();
        }
      }
      return Optional.empty();
    } catch (SQLException | IOException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot read the journal of " + origin + ": " + rootMessage(e), e);
    }
  }

  /** Condensed difference from {@code fromSerial} to {@code toSerial}, both in the journal. */
  public synchronized Optional<ZoneDiff> diff(Name origin, long fromSerial, long toSerial) throws ZoneStoreException {
    Optional<List<ZoneDiff>> steps = journal(origin, fromSerial);
    if (steps.isEmpty()) {
      return Optional.empty();
    }
    List<ZoneDiff> path = new ArrayList<>();
    for (ZoneDiff step : steps.get()) {
      path.add(step);
      if (step.toSerial() == toSerial) {
        return Optional.of(ZoneDiff.condense(path));
      }
    }
    return Optional.empty();
  }

  public synchronized List<VersionInfo> history(Name origin) throws ZoneStoreException {
    try {
      Optional<Long> id = zoneId(origin);
      if (id.isEmpty()) {
        db.commit();
        return List.of();
      }
      List<VersionInfo> versions = new ArrayList<>();
      String sql = "SELECT v.serial, v.loaded_at, v.source, v.record_count, j.deleted_count, j.added_count "
          + "FROM zone_version v LEFT JOIN journal j ON j.zone_id = v.zone_id AND j.seq = v.seq "
          + "WHERE v.zone_id = ? ORDER BY v.seq";
      try (PreparedStatement st = db.prepareStatement(sql)) {
        st.setLong(1, id.get());
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            int deleted = rs.getInt(5);
            boolean hasStep = !rs.wasNull();
            versions.add(new VersionInfo(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                rs.getInt(4), hasStep ? deleted : -1, hasStep ? rs.getInt(6) : -1));
          }
        }
      }
      db.commit();
      return versions;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot read the history of " + origin + ": " + rootMessage(e), e);
    }
  }

  public synchronized boolean delete(Name origin) throws ZoneStoreException {
    try (PreparedStatement st = db.prepareStatement("DELETE FROM zone WHERE name = ?")) {
      st.setString(1, key(origin));
      boolean deleted = st.executeUpdate() > 0;
      if (deleted) {
        bumpChangeCounter();
      }
      db.commit();
      if (deleted) {
        log.info("zone={} event=deleted", origin);
      }
      return deleted;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot delete zone " + origin + ": " + rootMessage(e), e);
    }
  }

  /** One row of the XoT probe table: a primary's address ({@code ip:port}), state and when it changed. */
  public record ProbeRow(String address, String state, Instant changedAt) {}

  public synchronized List<ProbeRow> probes() throws ZoneStoreException {
    try (PreparedStatement st = db.prepareStatement("SELECT address, state, changed_at FROM xot_probe ORDER BY address");
        ResultSet rs = st.executeQuery()) {
      List<ProbeRow> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(new ProbeRow(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()));
      }
      db.commit();
      return rows;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot read the XoT probe table: " + rootMessage(e), e);
    }
  }

  public synchronized void saveProbe(ProbeRow row) throws ZoneStoreException {
    try (PreparedStatement st = db.prepareStatement("MERGE INTO xot_probe (address, state, changed_at) KEY (address) VALUES (?, ?, ?)")) {
      st.setString(1, row.address());
      st.setString(2, row.state());
      st.setTimestamp(3, Timestamp.from(row.changedAt()));
      st.executeUpdate();
      db.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot save the XoT probe table: " + rootMessage(e), e);
    }
  }

  /** When secondary zone {@code origin} last had a successful check, if ever recorded. */
  public synchronized Optional<Instant> lastSuccessfulCheck(Name origin) throws ZoneStoreException {
    try (PreparedStatement st = db.prepareStatement("SELECT last_success FROM secondary_timer WHERE zone = ?")) {
      st.setString(1, key(origin));
      Optional<Instant> last;
      try (ResultSet rs = st.executeQuery()) {
        last = rs.next() ? Optional.of(rs.getTimestamp(1).toInstant()) : Optional.empty();
      }
      db.commit();
      return last;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot read the timers of " + origin + ": " + rootMessage(e), e);
    }
  }

  public synchronized void saveSuccessfulCheck(Name origin, Instant at) throws ZoneStoreException {
    try (PreparedStatement st = db.prepareStatement("MERGE INTO secondary_timer (zone, last_success) KEY (zone) VALUES (?, ?)")) {
      st.setString(1, key(origin));
      st.setTimestamp(2, Timestamp.from(at));
      st.executeUpdate();
      db.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot save the timers of " + origin + ": " + rootMessage(e), e);
    }
  }

  /** Asks the server running on this store for a full transfer of {@code origin} that accepts any serial. */
  public synchronized void requestRetransfer(Name origin) throws ZoneStoreException {
    try (PreparedStatement st = db.prepareStatement(
        "MERGE INTO retransfer_request (zone, requested_at) KEY (zone) VALUES (?, ?)")) {
      st.setString(1, key(origin));
      st.setTimestamp(2, Timestamp.from(Instant.now()));
      st.executeUpdate();
      db.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot request a retransfer of " + origin + ": " + rootMessage(e), e);
    }
  }

  /** The pending retransfer requests, removed as they are read (one small query when there are none). */
  public synchronized List<Name> takeRetransferRequests() throws ZoneStoreException {
    try (PreparedStatement st = db.prepareStatement("SELECT zone FROM retransfer_request ORDER BY zone");
        ResultSet rs = st.executeQuery()) {
      List<Name> zones = new ArrayList<>();
      while (rs.next()) {
        zones.add(Name.fromString(rs.getString(1)));
      }
      if (!zones.isEmpty()) {
        try (PreparedStatement delete = db.prepareStatement("DELETE FROM retransfer_request WHERE zone = ?")) {
          for (Name zone : zones) {
            delete.setString(1, key(zone));
            delete.executeUpdate();
          }
        }
      }
      db.commit();
      return zones;
    } catch (SQLException | IOException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot read the retransfer requests: " + rootMessage(e), e);
    }
  }

  /**
   * Stores a whole zone whatever its serial, for an operator's retransfer that goes back to an older
   * one. The journal is cleared: its steps lead to the serial being replaced and would not chain to
   * this one, so IXFR clients fall back to AXFR.
   */
  public synchronized LoadOutcome replace(Name origin, EncodedRecords encoded, String source) throws ZoneStoreException {
    if (!encoded.soa().getName().equals(origin)) {
      throw new ZoneStoreException("zone " + origin + " has no SOA record at its apex");
    }
    try {
      Optional<Head> head = readHead(origin);
      if (head.isEmpty()) {
        db.rollback();
        throw new ZoneStoreException("zone " + origin + " is not in the store; there is nothing to replace");
      }
      Head cur = head.get();
      long serial = encoded.soa().getSerial();
      try (PreparedStatement st = db.prepareStatement(
          "UPDATE zone SET serial = ?, record_count = ?, records = ?, changed_at = ? WHERE id = ?")) {
        st.setLong(1, serial);
        st.setInt(2, encoded.count());
        st.setBytes(3, encoded.compressed());
        st.setTimestamp(4, Timestamp.from(Instant.now()));
        st.setLong(5, cur.id());
        st.executeUpdate();
      }
      try (PreparedStatement st = db.prepareStatement("DELETE FROM journal WHERE zone_id = ?")) {
        st.setLong(1, cur.id());
        st.executeUpdate();
      }
      insertVersion(cur.id(), cur.seq() + 1, serial, source, encoded.count());
      bumpChangeCounter();
      db.commit();
      log.warn("zone={} event=replaced serial={} previous={} records={} source={} (journal cleared)",
          origin, serial, cur.serial(), encoded.count(), source);
      return new LoadOutcome(LoadOutcome.Kind.UPDATED, cur.serial(), serial, encoded.count(), 0, encoded.count());
    } catch (SQLException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot store zone " + origin + ": " + rootMessage(e), e);
    }
  }

  /** Grows with every committed change; cheap enough to poll every second. */
  public synchronized long changeCounter() throws ZoneStoreException {
    try (PreparedStatement st = db.prepareStatement("SELECT change_counter FROM store_state WHERE id = 1");
        ResultSet rs = st.executeQuery()) {
      rs.next();
      long value = rs.getLong(1);
      db.commit();
      return value;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new ZoneStoreException("cannot read the store state: " + rootMessage(e), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      log.warn("event=store-close-failed error=\"{}\"", e.getMessage());
    }
  }

  // --- internals -------------------------------------------------------------------------------

  private record Current(long id, SOARecord soa, List<Record> records, long seq) {
    Head head() {
      return new Head(id, soa.getSerial(), seq);
    }
  }

  /** What a new version needs to know of the current one. */
  private record Head(long id, long serial, long seq) {}

  private static byte[] encode(List<Record> records, EncodedRecords encoded) {
    return encoded != null && encoded.count() == records.size() ? encoded.compressed() : RecordCodec.encode(records);
  }

  private LoadOutcome commitSteps(Name origin, Head cur, int recordCount, byte[] stored, List<ZoneDiff> steps,
      String source) throws SQLException {
    SOARecord soa = steps.get(steps.size() - 1).toSoa();
    try (PreparedStatement st = db.prepareStatement(
        "UPDATE zone SET serial = ?, record_count = ?, records = ?, changed_at = ? WHERE id = ?")) {
      st.setLong(1, soa.getSerial());
      st.setInt(2, recordCount);
      st.setBytes(3, stored);
      st.setTimestamp(4, Timestamp.from(Instant.now()));
      st.setLong(5, cur.id());
      st.executeUpdate();
    }
    long seq = cur.seq();
    int deleted = 0;
    int added = 0;
    for (ZoneDiff step : steps) {
      seq++;
      insertStep(cur.id(), seq, step);
      deleted += step.deleted().size();
      added += step.added().size();
      insertVersion(cur.id(), seq, step.toSerial(), source, recordCount);
    }
    prune(cur.id(), seq);
    bumpChangeCounter();
    db.commit();
    log.info("zone={} event=updated serial={} previous={} records={} deleted={} added={} source={}",
        origin, soa.getSerial(), cur.serial(), recordCount, deleted, added, source);
    return new LoadOutcome(LoadOutcome.Kind.UPDATED, cur.serial(), soa.getSerial(), recordCount, deleted, added);
  }

  private void prune(long zoneId, long latestSeq) throws SQLException {
    long keepFrom = latestSeq - maxJournalSteps + 1;
    for (String table : List.of("journal", "zone_version")) {
      try (PreparedStatement st = db.prepareStatement("DELETE FROM " + table + " WHERE zone_id = ? AND seq < ?")) {
        st.setLong(1, zoneId);
        st.setLong(2, table.equals("journal") ? keepFrom : keepFrom - 1);
        st.executeUpdate();
      }
    }
  }

  private long insertZone(Name origin, long serial, int recordCount, byte[] stored) throws SQLException {
    Timestamp now = Timestamp.from(Instant.now());
    try (PreparedStatement st = db.prepareStatement(
        "INSERT INTO zone (name, serial, record_count, records, created_at, changed_at) VALUES (?, ?, ?, ?, ?, ?)",
        new String[] {"ID"})) {
      st.setString(1, key(origin));
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

  private void insertVersion(long zoneId, long seq, long serial, String source, int records) throws SQLException {
    try (PreparedStatement st = db.prepareStatement(
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

  private void insertStep(long zoneId, long seq, ZoneDiff step) throws SQLException {
    try (PreparedStatement st = db.prepareStatement(
        "INSERT INTO journal (zone_id, seq, from_serial, to_serial, deleted_count, added_count, deleted, added) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      List<Record> deleted = new ArrayList<>(step.deleted().size() + 1);
      deleted.add(step.fromSoa());
      deleted.addAll(step.deleted());
      List<Record> added = new ArrayList<>(step.added().size() + 1);
      added.add(step.toSoa());
      added.addAll(step.added());
      st.setLong(1, zoneId);
      st.setLong(2, seq);
      st.setLong(3, step.fromSerial());
      st.setLong(4, step.toSerial());
      st.setInt(5, step.deleted().size());
      st.setInt(6, step.added().size());
      st.setBytes(7, RecordCodec.encode(deleted));
      st.setBytes(8, RecordCodec.encode(added));
      st.executeUpdate();
    }
  }

  private List<ZoneDiff> readSteps(long zoneId) throws SQLException, IOException {
    List<ZoneDiff> steps = new ArrayList<>();
    try (PreparedStatement st = db.prepareStatement("SELECT deleted, added FROM journal WHERE zone_id = ? ORDER BY seq")) {
      st.setLong(1, zoneId);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          List<Record> deleted = decode(rs, 1);
          List<Record> added = decode(rs, 2);
          steps.add(new ZoneDiff((SOARecord) deleted.get(0), (SOARecord) added.get(0),
              deleted.subList(1, deleted.size()), added.subList(1, added.size())));
        }
      }
    }
    return steps;
  }

  private Optional<Current> readCurrent(Name origin) throws SQLException, IOException {
    try (PreparedStatement st = db.prepareStatement(
        "SELECT z.id, z.records, (SELECT MAX(seq) FROM zone_version v WHERE v.zone_id = z.id) FROM zone z WHERE z.name = ?")) {
      st.setString(1, key(origin));
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        List<Record> records = decode(rs, 2);
        SOARecord soa = apexSoaOrNull(origin, records);
        if (soa == null) {
          throw new IOException("stored zone " + origin + " has no SOA");
        }
        return Optional.of(new Current(rs.getLong(1), soa, records, rs.getLong(3)));
      }
    }
  }

  private Optional<Head> readHead(Name origin) throws SQLException {
    try (PreparedStatement st = db.prepareStatement(
        "SELECT z.id, z.serial, (SELECT MAX(seq) FROM zone_version v WHERE v.zone_id = z.id) FROM zone z WHERE z.name = ?")) {
      st.setString(1, key(origin));
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.of(new Head(rs.getLong(1), rs.getLong(2), rs.getLong(3))) : Optional.empty();
      }
    }
  }

  private Optional<Long> zoneId(Name origin) throws SQLException {
    try (PreparedStatement st = db.prepareStatement("SELECT id FROM zone WHERE name = ?")) {
      st.setString(1, key(origin));
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  private long currentSerial(long zoneId) throws SQLException {
    try (PreparedStatement st = db.prepareStatement("SELECT serial FROM zone WHERE id = ?")) {
      st.setLong(1, zoneId);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private void bumpChangeCounter() throws SQLException {
    try (PreparedStatement st = db.prepareStatement("UPDATE store_state SET change_counter = change_counter + 1 WHERE id = 1")) {
      st.executeUpdate();
    }
  }

  private static List<Record> decode(ResultSet rs, int column) throws SQLException, IOException {
    try (InputStream in = rs.getBinaryStream(column)) {
      return RecordCodec.decode(in);
    }
  }

  private static SOARecord apexSoa(Name origin, List<Record> records) throws ZoneStoreException {
    SOARecord soa = apexSoaOrNull(origin, records);
    if (soa == null) {
      throw new ZoneStoreException("zone " + origin + " has no SOA record at its apex");
    }
    return soa;
  }

  private static SOARecord apexSoaOrNull(Name origin, List<Record> records) {
    for (Record r : records) {
      if (r.getType() == Type.SOA && r.getName().equals(origin)) {
        return (SOARecord) r;
      }
    }
    return null;
  }

  private static boolean sameRecord(Record a, Record b) {
    return a.equals(b) && a.getTTL() == b.getTTL();
  }

  static long bumpedSerial(long old) {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    long dated = today.getYear() * 1_000_000L + today.getMonthValue() * 10_000L + today.getDayOfMonth() * 100L;
    long next = (old + 1) & 0xFFFFFFFFL;
    return Serials.isNewer(dated, old) && dated <= 0xFFFFFFFFL ? Math.max(next, dated) : next;
  }

  private static SOARecord withSerial(SOARecord s, long serial) {
    return new SOARecord(s.getName(), s.getDClass(), s.getTTL(), s.getHost(), s.getAdmin(), serial,
        s.getRefresh(), s.getRetry(), s.getExpire(), s.getMinimum());
  }

  private static List<Record> replaceSoa(List<Record> records, SOARecord soa) {
    List<Record> out = new ArrayList<>(records.size());
    for (Record r : records) {
      out.add(r.getType() == Type.SOA && r.getName().equals(soa.getName()) ? soa : r);
    }
    return Collections.unmodifiableList(out);
  }

  private static String key(Name origin) {
    return origin.toString().toLowerCase(java.util.Locale.ROOT);
  }

  private void rollbackQuietly() {
    try {
      db.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the transaction is gone either way
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
