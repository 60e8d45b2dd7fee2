package org.cairndns.zone.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.cairndns.zone.WireRecordSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * Zones and their versions in the store's database, with the IXFR journal between them. Every
 * change is one transaction ({@link StoreDatabase#inTransaction}): the new current records, the
 * version row and the journal step commit together or not at all, so a failed or interrupted load
 * leaves the previous version intact.
 */
public final class ZoneStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ZoneStore.class);
  public static final int DEFAULT_MAX_JOURNAL_STEPS = 100;

  private final StoreDatabase database;
  private final Journal journal;

  private ZoneStore(StoreDatabase database, int maxJournalSteps) {
    this.database = database;
    this.journal = new Journal(maxJournalSteps);
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
    return new ZoneStore(StoreDatabase.open(path), maxJournalSteps);
  }

  /**
   * The database the store keeps its tables in, for other modules' tables (xfr's secondary state).
   */
  public StoreDatabase database() {
    return database;
  }

  /**
   * Stores {@code records} as the new version of zone {@code origin}. Unchanged content is a no-op.
   * Changed content must carry a newer serial (RFC 1982) unless {@code bumpSerial}, which sets the
   * serial to max(old + 1, today's YYYYMMDD00).
   */
  public LoadOutcome load(Name origin, List<Record> records, String source, boolean bumpSerial)
      throws ZoneStoreException {
    return load(
        origin, apexSoa(origin, records), records.size(), () -> records, null, source, bumpSerial);
  }

  /**
   * Stores a zone that was encoded as it streamed in (a transfer). {@code records} gives the same
   * records as a list; it is asked for only when the zone already has a version, to compute the
   * difference the journal keeps.
   */
  public LoadOutcome load(
      Name origin, EncodedRecords encoded, Supplier<List<Record>> records, String source)
      throws ZoneStoreException {
    if (!encoded.soa().getName().equals(origin)) {
      throw new ZoneStoreException("zone " + origin + " has no SOA record at its apex");
    }
    return load(origin, encoded.soa(), encoded.count(), records, encoded, source, false);
  }

  private LoadOutcome load(
      Name origin,
      SOARecord newSoa,
      int count,
      Supplier<List<Record>> content,
      EncodedRecords streamed,
      String source,
      boolean bumpSerial)
      throws ZoneStoreException {
    return database.inTransaction(
        "cannot store zone " + origin,
        db -> {
          Optional<Versions.Current> current = Versions.current(db, origin);
          if (current.isEmpty()) {
            long serial = newSoa.getSerial();
            long id =
                Versions.create(
                    db,
                    origin,
                    serial,
                    count,
                    streamed != null ? streamed.compressed() : RecordBlobs.encode(content.get()));
            Versions.add(db, id, 1, serial, source, count);
            Versions.bumpChangeCounter(db);
            log.info(
                "zone={} event=created serial={} records={} source={}",
                origin,
                serial,
                count,
                source);
            return new LoadOutcome(LoadOutcome.Kind.CREATED, -1, serial, count, 0, count);
          }
          SOARecord soa = newSoa;
          EncodedRecords encoded = streamed;
          List<Record> records = content.get();
          Versions.Current cur = current.get();
          ZoneDiff diff = ZoneDiff.between(cur.soa(), cur.records(), soa, records);
          boolean soaChanged = !sameRecord(cur.soa(), soa);
          if (diff.isEmpty() && !soaChanged) {
            return new LoadOutcome(
                LoadOutcome.Kind.UNCHANGED,
                cur.soa().getSerial(),
                cur.soa().getSerial(),
                cur.records().size(),
                0,
                0);
          }
          if (!Serials.isNewer(soa.getSerial(), cur.soa().getSerial())) {
            if (!bumpSerial) {
              throw new ZoneStoreException(
                  "zone "
                      + origin
                      + " changed but serial "
                      + soa.getSerial()
                      + " is not newer than the stored "
                      + cur.soa().getSerial()
                      + "; raise the serial or use --bump-serial");
            }
            soa = withSerial(soa, bumpedSerial(cur.soa().getSerial()));
            records = replaceSoa(records, soa);
            encoded = null;
            diff = new ZoneDiff(cur.soa(), soa, diff.deleted(), diff.added());
          }
          return commitSteps(
              db,
              origin,
              cur.head(),
              records.size(),
              RecordBlobs.encode(records, encoded),
              List.of(diff),
              source);
        });
  }

  /**
   * Stores the result of an incremental transfer: {@code steps} must start at the current serial,
   * and {@code result} is the zone after them, encoded (the caller applied them to the version it
   * serves). The current version is not read back, only its serial checked: an IXFR of a few
   * records costs the same for a large zone as for a small one, but for compressing the result. All
   * steps are committed together, or nothing is.
   */
  public LoadOutcome applyDiff(
      Name origin, List<ZoneDiff> steps, EncodedRecords result, String source)
      throws ZoneStoreException {
    if (steps.isEmpty()) {
      throw new ZoneStoreException("no difference sequences to apply to " + origin);
    }
    return database.inTransaction(
        "cannot store zone " + origin,
        db -> {
          Versions.Head head =
              Versions.head(db, origin)
                  .orElseThrow(
                      () ->
                          new ZoneStoreException(
                              "zone "
                                  + origin
                                  + " is not in the store; an incremental transfer needs a base version"));
          long serial = head.serial();
          for (ZoneDiff step : steps) {
            if (step.fromSerial() != serial) {
              throw new ZoneStoreException(
                  "incremental transfer for "
                      + origin
                      + " starts at serial "
                      + step.fromSerial()
                      + " but the store has "
                      + serial);
            }
            serial = step.toSerial();
          }
          if (result.soa().getSerial() != serial) {
            throw new ZoneStoreException(
                "the result of the incremental transfer for "
                    + origin
                    + " has serial "
                    + result.soa().getSerial()
                    + ", not "
                    + serial);
          }
          return commitSteps(db, origin, head, result.count(), result.compressed(), steps, source);
        });
  }

  /**
   * Stores a whole zone whatever its serial, for an operator's retransfer that goes back to an
   * older one. The journal is cleared: its steps lead to the serial being replaced and would not
   * chain to this one, so IXFR clients fall back to AXFR.
   */
  public LoadOutcome replace(Name origin, EncodedRecords encoded, String source)
      throws ZoneStoreException {
    if (!encoded.soa().getName().equals(origin)) {
      throw new ZoneStoreException("zone " + origin + " has no SOA record at its apex");
    }
    return database.inTransaction(
        "cannot store zone " + origin,
        db -> {
          Versions.Head cur =
              Versions.head(db, origin)
                  .orElseThrow(
                      () ->
                          new ZoneStoreException(
                              "zone "
                                  + origin
                                  + " is not in the store; there is nothing to replace"));
          long serial = encoded.soa().getSerial();
          Versions.setCurrent(db, cur.id(), serial, encoded.count(), encoded.compressed());
          Journal.clear(db, cur.id());
          Versions.add(db, cur.id(), cur.seq() + 1, serial, source, encoded.count());
          Versions.bumpChangeCounter(db);
          log.warn(
              "zone={} event=replaced serial={} previous={} records={} source={} (journal cleared)",
              origin,
              serial,
              cur.serial(),
              encoded.count(),
              source);
          return new LoadOutcome(
              LoadOutcome.Kind.UPDATED, cur.serial(), serial, encoded.count(), 0, encoded.count());
        });
  }

  public List<ZoneInfo> list() throws ZoneStoreException {
    return database.inTransaction(
        "cannot list zones",
        db -> {
          String sql =
              "SELECT z.name, z.serial, z.record_count, z.changed_at, "
                  + "(SELECT COUNT(*) FROM zone_version v WHERE v.zone_id = z.id) FROM zone z ORDER BY z.name";
          try (PreparedStatement st = db.prepareStatement(sql);
              ResultSet rs = st.executeQuery()) {
            List<ZoneInfo> zones = new ArrayList<>();
            while (rs.next()) {
              zones.add(
                  new ZoneInfo(
                      Name.fromString(rs.getString(1)),
                      rs.getLong(2),
                      rs.getInt(3),
                      rs.getInt(5),
                      rs.getTimestamp(4).toInstant()));
            }
            return zones;
          }
        });
  }

  /**
   * Feeds the current version of {@code origin} to {@code sink} in wire form (SOA first), as it is
   * stored: no Record objects, for building a snapshot. False when the zone is not stored.
   */
  public boolean current(Name origin, WireRecordSink sink) throws ZoneStoreException {
    return database.inTransaction(
        "cannot read zone " + origin,
        db -> {
          try (PreparedStatement st =
              db.prepareStatement("SELECT records FROM zone WHERE name = ?")) {
            st.setString(1, StoreDatabase.key(origin));
            try (ResultSet rs = st.executeQuery()) {
              if (!rs.next()) {
                return false;
              }
              RecordBlobs.read(rs, 1, sink);
              return true;
            }
          }
        });
  }

  public Optional<ZoneContent> current(Name origin) throws ZoneStoreException {
    return database.inTransaction(
        "cannot read zone " + origin,
        db ->
            Versions.current(db, origin)
                .map(c -> new ZoneContent(origin, c.soa().getSerial(), c.records())));
  }

  /** The current SOA of {@code origin}, read without decoding the zone's other records. */
  public Optional<SOARecord> soa(Name origin) throws ZoneStoreException {
    return database.inTransaction(
        "cannot read the SOA of " + origin,
        db -> {
          try (PreparedStatement st =
              db.prepareStatement("SELECT records FROM zone WHERE name = ?")) {
            st.setString(1, StoreDatabase.key(origin));
            try (ResultSet rs = st.executeQuery()) {
              return rs.next() ? RecordBlobs.readSoa(rs, 1) : Optional.<SOARecord>empty();
            }
          }
        });
  }

  /** The zone as it was at {@code serial}, rebuilt from the current version and the journal. */
  public Optional<ZoneContent> at(Name origin, long serial) throws ZoneStoreException {
    return database.inTransaction(
        "cannot read zone " + origin,
        db -> {
          Optional<Versions.Current> cur = Versions.current(db, origin);
          if (cur.isEmpty()) {
            return Optional.<ZoneContent>empty();
          }
          List<ZoneDiff> steps = Journal.steps(db, cur.get().id());
          return Journal.rewind(cur.get().records(), cur.get().soa().getSerial(), steps, serial)
              .map(records -> new ZoneContent(origin, serial, records));
        });
  }

  /**
   * The journal steps leading from {@code fromSerial} to the current version, in order; empty when
   * {@code fromSerial} is not in the journal (the caller then sends the whole zone). An empty list
   * inside the Optional means {@code fromSerial} is current.
   */
  public Optional<List<ZoneDiff>> journal(Name origin, long fromSerial) throws ZoneStoreException {
    return database.inTransaction(
        "cannot read the journal of " + origin,
        db -> {
          Optional<Versions.Head> head = Versions.head(db, origin);
          if (head.isEmpty()) {
            return Optional.<List<ZoneDiff>>empty();
          }
          return Journal.path(Journal.steps(db, head.get().id()), fromSerial, head.get().serial());
        });
  }

  /** Condensed difference from {@code fromSerial} to {@code toSerial}, both in the journal. */
  public Optional<ZoneDiff> diff(Name origin, long fromSerial, long toSerial)
      throws ZoneStoreException {
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

  public List<VersionInfo> history(Name origin) throws ZoneStoreException {
    return database.inTransaction(
        "cannot read the history of " + origin,
        db -> {
          Optional<Versions.Head> head = Versions.head(db, origin);
          if (head.isEmpty()) {
            return List.<VersionInfo>of();
          }
          List<VersionInfo> versions = new ArrayList<>();
          String sql =
              "SELECT v.serial, v.loaded_at, v.source, v.record_count, j.deleted_count, j.added_count "
                  + "FROM zone_version v LEFT JOIN journal j ON j.zone_id = v.zone_id AND j.seq = v.seq "
                  + "WHERE v.zone_id = ? ORDER BY v.seq";
          try (PreparedStatement st = db.prepareStatement(sql)) {
            st.setLong(1, head.get().id());
            try (ResultSet rs = st.executeQuery()) {
              while (rs.next()) {
                int deleted = rs.getInt(5);
                boolean hasStep = !rs.wasNull();
                versions.add(
                    new VersionInfo(
                        rs.getLong(1),
                        rs.getTimestamp(2).toInstant(),
                        rs.getString(3),
                        rs.getInt(4),
                        hasStep ? deleted : -1,
                        hasStep ? rs.getInt(6) : -1));
              }
            }
          }
          return versions;
        });
  }

  public boolean delete(Name origin) throws ZoneStoreException {
    boolean deleted =
        database.inTransaction(
            "cannot delete zone " + origin,
            db -> {
              try (PreparedStatement st = db.prepareStatement("DELETE FROM zone WHERE name = ?")) {
                st.setString(1, StoreDatabase.key(origin));
                if (st.executeUpdate() == 0) {
                  return false;
                }
              }
              Versions.bumpChangeCounter(db);
              return true;
            });
    if (deleted) {
      log.info("zone={} event=deleted", origin);
    }
    return deleted;
  }

  /** Grows with every committed change; cheap enough to poll every second. */
  public long changeCounter() throws ZoneStoreException {
    return database.inTransaction(
        "cannot read the store state",
        db -> {
          try (PreparedStatement st =
                  db.prepareStatement("SELECT change_counter FROM store_state WHERE id = 1");
              ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  @Override
  public void close() {
    database.close();
  }

  // --- internals -------------------------------------------------------------------------------

  private LoadOutcome commitSteps(
      Connection db,
      Name origin,
      Versions.Head cur,
      int recordCount,
      byte[] stored,
      List<ZoneDiff> steps,
      String source)
      throws SQLException {
    SOARecord soa = steps.get(steps.size() - 1).toSoa();
    Versions.setCurrent(db, cur.id(), soa.getSerial(), recordCount, stored);
    long seq = cur.seq();
    int deleted = 0;
    int added = 0;
    for (ZoneDiff step : steps) {
      seq++;
      journal.insert(db, cur.id(), seq, step);
      deleted += step.deleted().size();
      added += step.added().size();
      Versions.add(db, cur.id(), seq, step.toSerial(), source, recordCount);
    }
    journal.prune(db, cur.id(), seq);
    Versions.bumpChangeCounter(db);
    log.info(
        "zone={} event=updated serial={} previous={} records={} deleted={} added={} source={}",
        origin,
        soa.getSerial(),
        cur.serial(),
        recordCount,
        deleted,
        added,
        source);
    return new LoadOutcome(
        LoadOutcome.Kind.UPDATED, cur.serial(), soa.getSerial(), recordCount, deleted, added);
  }

  private static SOARecord apexSoa(Name origin, List<Record> records) throws ZoneStoreException {
    SOARecord soa = Versions.apexSoa(origin, records);
    if (soa == null) {
      throw new ZoneStoreException("zone " + origin + " has no SOA record at its apex");
    }
    return soa;
  }

  private static boolean sameRecord(Record a, Record b) {
    return a.equals(b) && a.getTTL() == b.getTTL();
  }

  static long bumpedSerial(long old) {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    long dated =
        today.getYear() * 1_000_000L
            + today.getMonthValue() * 10_000L
            + today.getDayOfMonth() * 100L;
    long next = (old + 1) & 0xFFFFFFFFL;
    return Serials.isNewer(dated, old) && dated <= 0xFFFFFFFFL ? Math.max(next, dated) : next;
  }

  private static SOARecord withSerial(SOARecord s, long serial) {
    return new SOARecord(
        s.getName(),
        s.getDClass(),
        s.getTTL(),
        s.getHost(),
        s.getAdmin(),
        serial,
        s.getRefresh(),
        s.getRetry(),
        s.getExpire(),
        s.getMinimum());
  }

  private static List<Record> replaceSoa(List<Record> records, SOARecord soa) {
    List<Record> out = new ArrayList<>(records.size());
    for (Record r : records) {
      out.add(r.getType() == Type.SOA && r.getName().equals(soa.getName()) ? soa : r);
    }
    return Collections.unmodifiableList(out);
  }
}
