package org.cairndns.zone.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The one rule for what changed between two versions of records, for IXFR (RFC 1995) and the
 * journal, whether the versions are lists (the store) or snapshots: a record is the same exactly
 * when its canonical wire form, TTL included, is, so a TTL change is a deletion and an addition.
 * SOA records are never compared: each version's own SOA frames its step.
 */
public final class RecordDifference {
  private RecordDifference() {}

  /** What identifies a record across versions: its canonical wire form, TTL included. */
  public static ByteBuffer key(Record r) {
    return ByteBuffer.wrap(r.toWireCanonical());
  }

  /**
   * Records only in {@code from} go to {@code deleted} (in {@code from}'s order), records only in
   * {@code to} to {@code added} (in {@code to}'s order); a record given twice counts once.
   */
  public static void between(
      Iterable<Record> from,
      Iterable<Record> to,
      Consumer<Record> deleted,
      Consumer<Record> added) {
    Map<ByteBuffer, Record> before = new LinkedHashMap<>();
    for (Record r : from) {
      if (r.getType() != Type.SOA) {
        before.putIfAbsent(key(r), r);
      }
    }
    Set<ByteBuffer> after = new HashSet<>();
    for (Record r : to) {
      ByteBuffer k = r.getType() == Type.SOA ? null : key(r);
      if (k != null && after.add(k) && !before.containsKey(k)) {
        added.accept(r);
      }
    }
    for (Map.Entry<ByteBuffer, Record> e : before.entrySet()) {
      if (!after.contains(e.getKey())) {
        deleted.accept(e.getValue());
      }
    }
  }

  /**
   * The same between two snapshots' tables, {@code older} to {@code newer}. Owners whose record
   * bytes are equal in both are not decoded, so two versions of a large zone that differ a little
   * compare at the speed of memory.
   */
  public static void between(
      NodeTable older, NodeTable newer, Consumer<Record> deleted, Consumer<Record> added) {
    for (int id = 0; id < newer.count(); id++) {
      int was = older.findNameOf(newer, id);
      if (was == NodeTable.NO_NODE) {
        records(newer, id).forEach(added);
      } else if (!newer.sameRecords(id, older, was)) {
        between(records(older, was), records(newer, id), deleted, added);
      }
    }
    for (int id = 0; id < older.count(); id++) {
      if (newer.findNameOf(older, id) == NodeTable.NO_NODE) {
        records(older, id).forEach(deleted);
      }
    }
  }

  /** Node {@code id}'s records as objects, but SOA records. */
  private static List<Record> records(NodeTable table, int id) {
    List<Record> out = new ArrayList<>();
    Name owner = table.isEmpty(id) ? null : table.name(id);
    for (int p = table.runAt(id); p < table.runEnd(id); p = table.next(p)) {
      if (NodeTable.u16(table.data(), p) != Type.SOA) {
        out.add(table.record(owner, p));
      }
    }
    return out;
  }
}
