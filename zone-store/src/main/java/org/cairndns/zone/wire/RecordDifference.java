package org.cairndns.zone.wire;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
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
  public static void between(Iterable<Record> from, Iterable<Record> to, Consumer<Record> deleted,
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
}
