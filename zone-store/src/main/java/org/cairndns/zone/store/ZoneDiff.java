package org.cairndns.zone.store;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cairndns.zone.wire.RecordDifference;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * The difference between two versions of a zone, as IXFR sends it (RFC 1995): the records deleted
 * from the version with SOA {@code fromSoa} and those added to make the version with {@code toSoa}.
 * The SOA records themselves are not in the lists.
 */
public record ZoneDiff(
    SOARecord fromSoa, SOARecord toSoa, List<Record> deleted, List<Record> added) {

  public ZoneDiff {
    deleted = List.copyOf(deleted);
    added = List.copyOf(added);
  }

  public long fromSerial() {
    return fromSoa.getSerial();
  }

  public long toSerial() {
    return toSoa.getSerial();
  }

  public boolean isEmpty() {
    return deleted.isEmpty() && added.isEmpty();
  }

  /**
   * Difference between two record sets, as {@link RecordDifference} compares them; linear in their
   * sizes.
   */
  public static ZoneDiff between(
      SOARecord fromSoa, Collection<Record> from, SOARecord toSoa, Collection<Record> to) {
    List<Record> deleted = new ArrayList<>();
    List<Record> added = new ArrayList<>();
    RecordDifference.between(from, to, deleted::add, added::add);
    return new ZoneDiff(fromSoa, toSoa, deleted, added);
  }

  /**
   * Applies this step to {@code records} (the {@code fromSoa} version); the result has {@code
   * toSoa}.
   */
  public List<Record> applyTo(Collection<Record> records) {
    Map<ByteBuffer, Record> current = keyed(records);
    for (Record r : deleted) {
      current.remove(RecordDifference.key(r));
    }
    for (Record r : added) {
      current.put(RecordDifference.key(r), r);
    }
    List<Record> result = new ArrayList<>(current.size() + 1);
    result.add(toSoa);
    result.addAll(current.values());
    return result;
  }

  /** The step that undoes this one. */
  public ZoneDiff inverse() {
    return new ZoneDiff(toSoa, fromSoa, added, deleted);
  }

  /** Several consecutive steps condensed into one (what IXFR may send in a single sequence). */
  public static ZoneDiff condense(List<ZoneDiff> steps) {
    if (steps.size() == 1) {
      return steps.get(0);
    }
    Map<ByteBuffer, Record> deleted = new LinkedHashMap<>();
    Map<ByteBuffer, Record> added = new LinkedHashMap<>();
    for (ZoneDiff step : steps) {
      for (Record r : step.deleted) {
        ByteBuffer k = RecordDifference.key(r);
        if (added.remove(k) == null) {
          deleted.put(k, r);
        }
      }
      for (Record r : step.added) {
        ByteBuffer k = RecordDifference.key(r);
        if (deleted.remove(k) == null) {
          added.put(k, r);
        }
      }
    }
    return new ZoneDiff(
        steps.get(0).fromSoa,
        steps.get(steps.size() - 1).toSoa,
        new ArrayList<>(deleted.values()),
        new ArrayList<>(added.values()));
  }

  private static Map<ByteBuffer, Record> keyed(Collection<Record> records) {
    Map<ByteBuffer, Record> map = new LinkedHashMap<>(records.size() * 2);
    for (Record r : records) {
      if (r.getType() != Type.SOA) {
        map.put(RecordDifference.key(r), r);
      }
    }
    return map;
  }
}
