package org.cairndns.zone.wire;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The records of an AXFR written straight from a snapshot's arenas, no Record objects: the SOA,
 * owners in canonical order with their RRsets by type (signatures after the RRset they cover), then
 * the SOA again. Owner names are compressed within each message ({@link NameCompression}, case
 * kept); RDATA goes out as stored, names in it uncompressed. One per transfer, not thread-safe.
 */
public final class AxfrRecords {
  private final NodeTable table;
  private final int[] order;
  private final int total;

  /** Where the walk is: -1 the opening SOA, order.length the closing one, past it done. */
  private int owner = -1;

  /** The record offsets of the current owner, in the order they go out, and the next one. */
  private int[] records = new int[8];

  private int recordCount;
  private int nextRecord;
  private final int soaRecord;

  private final NameCompression compression = new NameCompression();

  public AxfrRecords(NodeTable table, int[] order, int total) {
    this.table = table;
    this.order = order;
    this.total = total;
    this.soaRecord = findSoa();
  }

  private int findSoa() {
    for (int p = table.runAt(0); p < table.runEnd(0); p = table.next(p)) {
      if (NodeTable.u16(table.data(), p) == Type.SOA) {
        return p;
      }
    }
    throw new IllegalStateException("a snapshot always has its SOA");
  }

  /**
   * Node ids in AXFR order: canonical name order (RFC 4034 §6.1, {@link NodeTable.CanonicalOrder});
   * the apex comes first by that order. Input already in order (a transfer, our own stored
   * versions) is checked in one pass and not sorted.
   */
  public static int[] order(NodeTable table) {
    NodeTable.CanonicalOrder order = table.new CanonicalOrder();
    int[] ids = new int[table.count()];
    boolean sorted = true;
    for (int id = 0; id < ids.length; id++) {
      ids[id] = id;
      sorted &= id == 0 || order.compare(id - 1, id) < 0;
    }
    if (!sorted) {
      ids =
          IntStream.range(0, ids.length)
              .boxed()
              .sorted(order)
              .mapToInt(Integer::intValue)
              .toArray();
    }
    return ids;
  }

  /**
   * The rest of this transfer as records, in the order they would be written but without the
   * closing SOA: the snapshot's record list, the same sequence by construction.
   */
  public List<Record> toRecords() {
    List<Record> out = new ArrayList<>(total);
    Name name = null;
    int named = -1;
    while (owner < order.length) {
      int node = owner < 0 ? 0 : order[owner];
      if (node != named) {
        name = table.name(node);
        named = node;
      }
      out.add(table.record(name, owner < 0 ? soaRecord : records[nextRecord]));
      advance();
    }
    return Collections.unmodifiableList(out);
  }

  /** Records in the whole transfer, both SOAs included. */
  public int count() {
    return total;
  }

  public boolean hasMore() {
    return owner <= order.length;
  }

  /** A new message begins: earlier names can no longer be pointed at. */
  public void startMessage() {
    compression.startMessage();
  }

  /**
   * Writes the next record at {@code out}'s position when it ends within {@code limit} bytes of the
   * message, or {@code always}; returns whether it did (and moved on). A record that does not fit
   * leaves {@code out} as it was: it is the first of the next message.
   */
  public boolean writeNext(DNSOutput out, int limit, boolean always) {
    int mark = out.current();
    int record = owner < 0 || owner == order.length ? soaRecord : records[nextRecord];
    int node = owner < 0 || owner == order.length ? 0 : order[owner];
    compression.write(out, table.names(), table.nameAt(node));
    int length = 10 + NodeTable.u16(table.data(), record + 8);
    out.writeByteArray(table.data(), record, length);
    if (out.current() > limit && !always) {
      out.jump(mark);
      return false;
    }
    advance();
    return true;
  }

  private void advance() {
    if (owner >= 0 && owner < order.length && ++nextRecord < recordCount) {
      return;
    }
    do {
      owner++;
    } while (owner < order.length && !collect(order[owner]));
  }

  /** The records of node {@code id} in AXFR order into {@link #records}; false when it has none. */
  private boolean collect(int id) {
    recordCount = 0;
    nextRecord = 0;
    // A handful of types per owner: one pass per type, lowest first, its RRSIGs after it.
    int type = -1;
    while (true) {
      int lowest = Integer.MAX_VALUE;
      for (int p = table.runAt(id); p < table.runEnd(id); p = table.next(p)) {
        int t = table.rrsetType(p);
        if (t > type && t < lowest) {
          lowest = t;
        }
      }
      if (lowest == Integer.MAX_VALUE) {
        return recordCount > 0;
      }
      type = lowest;
      addOfType(id, type, false);
      addOfType(id, type, true);
    }
  }

  private void addOfType(int id, int type, boolean signatures) {
    for (int p = table.runAt(id); p < table.runEnd(id); p = table.next(p)) {
      boolean signature = NodeTable.u16(table.data(), p) == Type.RRSIG;
      if (table.rrsetType(p) == type && signature == signatures && p != soaRecord) {
        if (recordCount == records.length) {
          records = java.util.Arrays.copyOf(records, 2 * recordCount);
        }
        records[recordCount++] = p;
      }
    }
  }
}
