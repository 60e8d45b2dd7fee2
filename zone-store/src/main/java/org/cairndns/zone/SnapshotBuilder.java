package org.cairndns.zone;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cairndns.zone.wire.NodeTable;
import org.cairndns.zone.wire.RecordDifference;
import org.cairndns.zone.wire.RecordWriter;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * Builds a {@link ZoneSnapshot} one record at a time, from dnsjava records (zone files) or wire
 * records (the store, transfers), so a transfer can fill it as messages arrive; or the next version
 * from an IXFR step ({@link #applied}). Not thread-safe; {@link #build()} once.
 */
public final class SnapshotBuilder {
  private final Name origin;
  private final NodeTable table;

  /** Reused to encode records' owners and RDATA. */
  private final DNSOutput scratch = new DNSOutput(512);

  private SOARecord soa;
  private Name lastOwner;
  private int lastNode;
  private int size;

  public SnapshotBuilder(Name origin) {
    this.origin = origin;
    this.table = new NodeTable(origin.toWire(), origin.labels());
  }

  /**
   * Adds one record; false when the zone holds it already, so it was left out (a record given twice
   * is kept once: {@link NodeTable#append}). IllegalArgumentException when it lies outside the zone
   * or cannot be encoded.
   */
  @SuppressWarnings(
      "ReferenceEquality") // a zone file's records share one Name per owner: a fast path
  public boolean add(Record r) {
    Name owner = r.getName();
    if (owner != lastOwner && !owner.equals(lastOwner)) {
      if (!owner.subdomain(origin)) {
        throw new IllegalArgumentException(owner + " is outside zone " + origin);
      }
      lastNode = table.intern(wire(owner), 0);
      lastOwner = owner;
    }
    byte[] rdata = rdata(r);
    if (!table.append(lastNode, r.getType(), r.getDClass(), r.getTTL(), rdata, 0, rdata.length)) {
      return false;
    }
    if (r.getType() == Type.SOA && lastNode == 0) {
      soa = (SOARecord) r;
    }
    size++;
    return true;
  }

  /** {@code name} in wire form, as spelled. */
  @SuppressWarnings(
      "ReferenceEquality") // canonicalize() returns the name itself when already lowercase
  private byte[] wire(Name name) {
    if (name.canonicalize() == name) {
      return name.toWireCanonical(); // all lowercase (the usual case): no object per label
    }
    scratch.jump(0);
    name.toWire(scratch, null);
    return scratch.toByteArray();
  }

  private byte[] rdata(Record r) {
    scratch.jump(0);
    try {
      RecordWriter.writeRdata(r, scratch, null);
    } catch (
        RuntimeException e) { // dnsjava reads some RDATA it cannot write back: WKS without services
      throw new IllegalArgumentException(
          Type.string(r.getType()) + " record at " + r.getName() + " cannot be encoded", e);
    }
    return scratch.toByteArray();
  }

  /**
   * Adds one record given in wire form, as a transfer carries it: the owner is the uncompressed
   * wire name at {@code name[nameOffset..]}, the RDATA {@code rdata[rdataOffset, +rdataLength)} has
   * no compression pointers. The bytes are copied; the arrays may be reused afterwards. Only the
   * owner and the lengths are checked here; the RDATA is parsed when first served. False when the
   * zone holds the record already, as {@link #add(Record)}.
   *
   * @throws IllegalArgumentException when the record is malformed or lies outside the zone
   */
  public boolean add(
      byte[] name,
      int nameOffset,
      int type,
      int dclass,
      long ttl,
      byte[] rdata,
      int rdataOffset,
      int rdataLength) {
    if ((type | dclass) >>> 16 != 0
        || ttl >>> 32 != 0
        || rdataLength >>> 16 != 0
        || rdataOffset < 0
        || rdataOffset > rdata.length - rdataLength) {
      throw new IllegalArgumentException("malformed " + Type.string(type) + " record");
    }
    int node;
    try {
      node = table.intern(name, nameOffset);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " " + origin, e);
    }
    if (type == Type.SOA && node == 0) {
      soa =
          (SOARecord)
              NodeTable.record(
                  table.name(node), type, dclass, ttl, rdata, rdataOffset, rdataLength);
    }
    lastOwner = null;
    if (!table.append(node, type, dclass, ttl, rdata, rdataOffset, rdataLength)) {
      return false;
    }
    size++;
    return true;
  }

  /** Records added so far, a record given twice counted once. */
  public int size() {
    return size;
  }

  /** What breaks the rules every zone must meet ({@link StructureChecker}); empty when none. */
  public List<StructureChecker.Problem> problems() {
    return StructureChecker.problems(origin, table);
  }

  /** The snapshot; IllegalArgumentException when there is no SOA at the apex. */
  public ZoneSnapshot build() {
    if (soa == null) {
      throw new IllegalArgumentException("zone " + origin + " has no SOA at its apex");
    }
    table.trim();
    return new ZoneSnapshot(origin, soa, size, table);
  }

  /**
   * The version after deleting {@code deleted} from {@code base} and adding {@code added} (an IXFR
   * or journal step), with {@code next} as its SOA. A record is deleted when its canonical wire
   * form, TTL included, matches ({@link RecordDifference#key}). Owners the step does not name are
   * copied as bytes; only those it names are decoded, so a small step costs a copy of the arenas,
   * not a rebuild from objects.
   *
   * @throws IllegalArgumentException when an added record lies outside the zone
   */
  static ZoneSnapshot applied(
      ZoneSnapshot base, SOARecord next, Collection<Record> deleted, Collection<Record> added) {
    Set<ByteBuffer> gone = new HashSet<>();
    Set<Integer> touched = new HashSet<>();
    for (Record r : deleted) {
      gone.add(RecordDifference.key(r));
      touch(base, touched, r);
    }
    for (Record r : added) {
      touch(base, touched, r);
    }
    SnapshotBuilder builder = new SnapshotBuilder(base.origin());
    builder.add(next);
    NodeTable table = base.table();
    Set<ByteBuffer> kept = new HashSet<>(); // at touched owners, so an added record is not doubled
    for (int id = 0; id < table.count(); id++) {
      if (!touched.contains(id)) {
        base.forEachRecordAt(id, builder::add);
        continue;
      }
      Name owner = table.name(id);
      for (int p = table.runAt(id); p < table.runEnd(id); p = table.next(p)) {
        if (id != 0 || NodeTable.u16(table.data(), p) != Type.SOA) {
          Record r = table.record(owner, p);
          ByteBuffer k = RecordDifference.key(r);
          if (!gone.contains(k) && kept.add(k)) {
            builder.add(r);
          }
        }
      }
    }
    for (Record r : added) {
      boolean apexSoa = r.getType() == Type.SOA && r.getName().equals(base.origin());
      if (!apexSoa && kept.add(RecordDifference.key(r))) {
        builder.add(r);
      }
    }
    return builder.build();
  }

  private static void touch(ZoneSnapshot base, Set<Integer> touched, Record r) {
    int id = r.getName().subdomain(base.origin()) ? base.find(r.getName()) : NodeTable.NO_NODE;
    if (id != NodeTable.NO_NODE) {
      touched.add(id);
    }
  }
}
