package org.cairndns.zone;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.cairndns.zone.wire.AxfrRecords;
import org.cairndns.zone.wire.NodeTable;
import org.cairndns.zone.wire.RecordDifference;
import org.cairndns.zone.wire.RecordWriter;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * One immutable version of a zone, indexed for answering. Names and records are kept as bytes in a
 * {@link NodeTable} (a few dozen bytes per record, a handful of arrays per zone), with every empty
 * non-terminal present as a node, so a lookup is a few hash probes over the query's wire bytes.
 * dnsjava objects are made per owner name only when an answer needs them, and kept for the next
 * query. Writers build a new snapshot and publish it; readers never lock.
 */
public final class ZoneSnapshot {
  private static final VarHandle NODES = MethodHandles.arrayElementVarHandle(Node[].class);

  private final Name origin;
  private final SOARecord soa;
  private final int size;
  private final NodeTable table;
  /** Node id -> its decoded RRsets, made on first use (a race may decode twice: harmless). */
  private final Node[] decoded;
  private volatile List<Record> records;
  /** Node ids in canonical name order, for AXFR; made on first use. */
  private volatile int[] canonical;

  /** The RRsets of one owner name in the order their types first appeared; glue only at a cut. */
  private static final class Node {
    final Name name;
    final int[] types;
    final RRset[] sets;
    final List<RRset> glue;

    Node(Name name, int[] types, RRset[] sets, List<RRset> glue) {
      this.name = name;
      this.types = types;
      this.sets = sets;
      this.glue = glue;
    }

    RRset get(int type) {
      for (int i = 0; i < types.length; i++) {
        if (types[i] == type) {
          return sets[i];
        }
      }
      return null;
    }
  }

  private ZoneSnapshot(Name origin, SOARecord soa, int size, NodeTable table) {
    this.origin = origin;
    this.soa = soa;
    this.size = size;
    this.table = table;
    this.decoded = new Node[table.count()];
  }

  /**
   * Builds a snapshot from validated records. Fails fast (IllegalArgumentException) when there is
   * no SOA at the apex or a record lies outside the zone.
   */
  public static ZoneSnapshot build(Name origin, Collection<Record> input) {
    Builder builder = new Builder(origin);
    for (Record r : input) {
      builder.add(r);
    }
    return builder.build();
  }

  /**
   * Builds a snapshot one record at a time, so a transfer can fill it as messages arrive. Not
   * thread-safe; {@link #build()} once.
   */
  public static final class Builder {
    private final Name origin;
    private final NodeTable table;
    /** Reused to encode records' owners and RDATA. */
    private final DNSOutput scratch = new DNSOutput(512);
    private SOARecord soa;
    private Name lastOwner;
    private int lastNode;
    private int size;

    public Builder(Name origin) {
      this.origin = origin;
      this.table = new NodeTable(origin.toWire(), origin.labels());
    }

    /** Adds one record; IllegalArgumentException when it lies outside the zone or cannot be encoded. */
    @SuppressWarnings("ReferenceEquality") // a zone file's records share one Name per owner: a fast path
    public Builder add(Record r) {
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
        return this;
      }
      if (r.getType() == Type.SOA && lastNode == 0) {
        soa = (SOARecord) r;
      }
      size++;
      return this;
    }

    /** {@code name} in wire form, as spelled. */
    @SuppressWarnings("ReferenceEquality") // canonicalize() returns the name itself when already lowercase
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
      } catch (RuntimeException e) { // dnsjava reads some RDATA it cannot write back: WKS without services
        throw new IllegalArgumentException(Type.string(r.getType()) + " record at " + r.getName() + " cannot be encoded", e);
      }
      return scratch.toByteArray();
    }

    /**
     * Adds one record given in wire form, as a transfer carries it: the owner is the uncompressed
     * wire name at {@code name[nameOffset..]}, the RDATA {@code rdata[rdataOffset, +rdataLength)}
     * has no compression pointers. The bytes are copied; the arrays may be reused afterwards. Only
     * the owner and the lengths are checked here; the RDATA is parsed when first served.
     *
     * @throws IllegalArgumentException when the record is malformed or lies outside the zone
     */
    public Builder add(byte[] name, int nameOffset, int type, int dclass, long ttl, byte[] rdata, int rdataOffset,
        int rdataLength) {
      if ((type | dclass) >>> 16 != 0 || ttl >>> 32 != 0 || rdataLength >>> 16 != 0 || rdataOffset < 0
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
        soa = (SOARecord) NodeTable.record(table.name(node), type, dclass, ttl, rdata, rdataOffset, rdataLength);
      }
      lastOwner = null;
      if (table.append(node, type, dclass, ttl, rdata, rdataOffset, rdataLength)) {
        size++;
      }
      return this;
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
  }

  /** Node {@code id} as objects, decoded on first use and kept. */
  private Node node(int id) {
    Node n = (Node) NODES.getAcquire(decoded, id);
    if (n == null) {
      n = decode(id, true);
      NODES.setRelease(decoded, id, n);
    }
    return n;
  }

  /**
   * Decodes node {@code id}'s records into RRsets, grouped as {@link NodeTable#rrsetType} says,
   * adding the glue when it is a delegation point and {@code withGlue}.
   */
  private Node decode(int id, boolean withGlue) {
    Name owner = table.name(id);
    int[] types = new int[2];
    RRset[] sets = new RRset[2];
    int n = 0;
    for (int p = table.runAt(id); p < table.runEnd(id); p = table.next(p)) {
      int type = table.rrsetType(p);
      int i = 0;
      while (i < n && types[i] != type) {
        i++;
      }
      if (i == n) {
        if (n == types.length) {
          types = Arrays.copyOf(types, 2 * n);
          sets = Arrays.copyOf(sets, 2 * n);
        }
        types[n] = type;
        sets[n++] = new RRset();
      }
      sets[i].addRR(table.record(owner, p));
    }
    Node node = new Node(owner, Arrays.copyOf(types, n), Arrays.copyOf(sets, n), List.of());
    return withGlue && id != 0 && node.get(Type.NS) != null ? withGlue(id, node) : node;
  }

  /** {@code cut} with the in-zone addresses of its name servers (below the cut or not). */
  private Node withGlue(int id, Node cut) {
    List<RRset> glue = new ArrayList<>();
    for (Record r : cut.get(Type.NS).rrs(false)) {
      Name target = ((NSRecord) r).getTarget();
      int t = target.subdomain(origin) ? find(target) : NodeTable.NO_NODE;
      if (t == NodeTable.NO_NODE) {
        continue;
      }
      // A target that is itself a cut is decoded without its own glue: cuts may name each other.
      Node addresses = t == id ? cut : isCut(t) ? decode(t, false) : node(t);
      addIfPresent(glue, addresses.get(Type.A));
      addIfPresent(glue, addresses.get(Type.AAAA));
    }
    return new Node(cut.name, cut.types, cut.sets, List.copyOf(glue));
  }

  private boolean isCut(int id) {
    return id != 0 && table.has(id, Type.NS);
  }

  private static void addIfPresent(List<RRset> list, RRset rrset) {
    if (rrset != null) {
      list.add(rrset);
    }
  }

  /** The node named exactly {@code name}, or -1. */
  private int find(Name name) {
    byte[] wire = name.toWireCanonical();
    return table.find(wire, 0, NodeTable.state(wire, 0, wire.length));
  }

  /**
   * The version after deleting {@code deleted} and adding {@code added} (an IXFR or journal step),
   * with {@code next} as its SOA. A record is deleted when its canonical wire form, TTL included,
   * matches ({@link RecordDifference#key}). Owners the step does not name are copied as bytes;
   * only those it names are decoded, so a small step costs a copy of the arenas, not a rebuild
   * from objects.
   *
   * @throws IllegalArgumentException when an added record lies outside the zone
   */
  public ZoneSnapshot apply(SOARecord next, Collection<Record> deleted, Collection<Record> added) {
    Set<ByteBuffer> gone = new HashSet<>();
    Set<Integer> touched = new HashSet<>();
    for (Record r : deleted) {
      gone.add(RecordDifference.key(r));
      touch(touched, r);
    }
    for (Record r : added) {
      touch(touched, r);
    }
    Builder builder = new Builder(origin).add(next);
    Set<ByteBuffer> kept = new HashSet<>(); // at touched owners, so an added record is not doubled
    for (int id = 0; id < table.count(); id++) {
      if (!touched.contains(id)) {
        forEachRecordAt(id, builder::add);
        continue;
      }
      forEachDecoded(id, r -> keep(builder, gone, kept, r));
    }
    for (Record r : added) {
      if (!isApexSoa(r) && kept.add(RecordDifference.key(r))) {
        builder.add(r);
      }
    }
    return builder.build();
  }

  private void touch(Set<Integer> touched, Record r) {
    int id = r.getName().subdomain(origin) ? find(r.getName()) : NodeTable.NO_NODE;
    if (id != NodeTable.NO_NODE) {
      touched.add(id);
    }
  }

  private static void keep(Builder builder, Set<ByteBuffer> gone, Set<ByteBuffer> kept, Record r) {
    ByteBuffer k = RecordDifference.key(r);
    if (!gone.contains(k) && kept.add(k)) {
      builder.add(r);
    }
  }

  private boolean isApexSoa(Record r) {
    return r.getType() == Type.SOA && r.getName().equals(origin);
  }

  /**
   * What changed from {@code older} to this version, SOA aside: records only there go to
   * {@code deleted}, records only here to {@code added}, compared as {@link RecordDifference}
   * compares them. Owners whose record bytes are equal in both are not
   * decoded, so two versions of a large zone that differ a little compare at the speed of memory.
   */
  public void differences(ZoneSnapshot older, Consumer<Record> deleted, Consumer<Record> added) {
    for (int id = 0; id < table.count(); id++) {
      int was = older.table.findNameOf(table, id);
      if (was == NodeTable.NO_NODE) {
        forEachDecoded(id, added);
      } else if (!table.sameRecords(id, older.table, was)) {
        List<Record> before = new ArrayList<>();
        older.forEachDecoded(was, before::add);
        List<Record> now = new ArrayList<>();
        forEachDecoded(id, now::add);
        RecordDifference.between(before, now, deleted, added);
      }
    }
    for (int id = 0; id < older.table.count(); id++) {
      if (table.findNameOf(older.table, id) == NodeTable.NO_NODE) {
        older.forEachDecoded(id, deleted);
      }
    }
  }

  /** Node {@code id}'s records as objects, but the SOA at the apex. */
  private void forEachDecoded(int id, Consumer<Record> each) {
    if (table.isEmpty(id)) {
      return;
    }
    for (RRset set : decode(id, false).sets) {
      for (Record r : set.rrs(false)) {
        if (!isApexSoa(r)) {
          each.accept(r);
        }
      }
      set.sigs().forEach(each);
    }
  }

  /** Every record but the SOA, in wire form, owner by owner in the order they were added. */
  public void forEachRecordAfterSoa(WireRecordSink sink) {
    for (int id = 0; id < table.count(); id++) {
      forEachRecordAt(id, sink);
    }
  }

  /** The records of node {@code id} in wire form, but the SOA at the apex. */
  private void forEachRecordAt(int id, WireRecordSink sink) {
    byte[] data = table.data();
    for (int p = table.runAt(id); p < table.runEnd(id); p = table.next(p)) {
      int type = NodeTable.u16(data, p);
      if (id != 0 || type != Type.SOA) {
        sink.add(table.names(), table.nameAt(id), type, NodeTable.u16(data, p + 2), NodeTable.u32(data, p + 4), data,
            p + 10, NodeTable.u16(data, p + 8));
      }
    }
  }

  public Name origin() {
    return origin;
  }

  /**
   * What breaks the rules every zone must meet ({@link StructureChecker}); empty when none. A
   * transfer's or an incremental step's result is checked before it is stored.
   */
  public List<StructureChecker.Problem> problems() {
    return StructureChecker.problems(origin, table);
  }

  public SOARecord soa() {
    return soa;
  }

  public long serial() {
    return soa.getSerial();
  }

  /** The number of records in the snapshot (a record given twice counts once). */
  public int size() {
    return size;
  }

  /**
   * All records, SOA first, then in canonical name order: exactly what AXFR streams, but the
   * closing SOA. Made on first use (a secondary that only answers queries never needs it).
   */
  public List<Record> records() {
    List<Record> made = records;
    if (made == null) {
      synchronized (decoded) {
        made = records;
        if (made == null) {
          made = axfrRecords().toRecords();
          records = made;
        }
      }
    }
    return made;
  }

  /** This version's AXFR, written from its bytes; each call starts a new one. */
  public AxfrRecords axfrRecords() {
    return new AxfrRecords(table, canonicalIds(), size + 1);
  }

  private int[] canonicalIds() {
    int[] made = canonical;
    if (made == null) {
      made = AxfrRecords.order(table);
      canonical = made;
    }
    return made;
  }

  /**
   * RFC 1034 §4.3.2 lookup with RFC 4592 wildcards and RFC 6672 DNAME. {@code qname} must be at or
   * below the origin.
   */
  public LookupResult lookup(Name qname, int qtype) {
    byte[] wire = qname.toWireCanonical();
    int labels = qname.labels();
    int[] starts = new int[labels];
    NodeTable.labelStarts(wire, 0, starts);
    int apexLabels = table.apexLabels();
    int id = 0;
    int state = table.apexState();
    int encloser = starts[labels - apexLabels];
    int encloserState = state;
    // Walk from the apex toward qname, hashing one more label each step: a cut or DNAME on the way
    // ends the search.
    for (int depth = apexLabels; depth <= labels; depth++) {
      if (depth > apexLabels) {
        int at = starts[labels - depth];
        state = NodeTable.extend(state, wire, at, starts[labels - depth + 1]);
        id = table.find(wire, at, state);
        if (id == NodeTable.NO_NODE) {
          break;
        }
        encloser = at;
        encloserState = state;
        if (table.has(id, Type.NS) && !(depth == labels && qtype == Type.DS)) {
          Name cut = depth == labels ? qname : new Name(qname, labels - depth);
          Node n = node(id);
          return new LookupResult.Delegation(cut, n.get(Type.NS), n.glue);
        }
      }
      if (depth < labels && table.has(id, Type.DNAME)) {
        return new LookupResult.Dname((DNAMERecord) node(id).get(Type.DNAME).first());
      }
      if (depth == labels) {
        return answerAt(id, qname, qtype, false);
      }
    }
    int wildcard = table.findWildcard(wire, encloser, encloserState);
    if (wildcard != NodeTable.NO_NODE) {
      return answerAt(wildcard, qname, qtype, true);
    }
    return new LookupResult.NxDomain();
  }

  private LookupResult answerAt(int id, Name qname, int qtype, boolean wildcard) {
    if (qtype == Type.ANY) {
      if (table.isEmpty(id)) {
        return new LookupResult.NoData(wildcard);
      }
      RRset[] sets = node(id).sets;
      List<RRset> all = new ArrayList<>(sets.length);
      for (RRset set : sets) {
        all.add(wildcard ? renamed(set, qname) : set);
      }
      return new LookupResult.Answer(all, wildcard);
    }
    if (qtype == Type.RRSIG) { // the signatures of every RRset here, as BIND and NSD answer
      List<RRset> signed = new ArrayList<>();
      for (RRset set : table.isEmpty(id) ? new RRset[0] : node(id).sets) {
        if (!set.sigs().isEmpty()) {
          signed.add(wildcard ? renamed(set, qname) : set);
        }
      }
      return signed.isEmpty() ? new LookupResult.NoData(wildcard) : new LookupResult.Answer(signed, wildcard);
    }
    if (table.has(id, qtype)) {
      RRset set = node(id).get(qtype);
      return new LookupResult.Answer(List.of(wildcard ? renamed(set, qname) : set), wildcard);
    }
    if (table.has(id, Type.CNAME)) {
      CNAMERecord c = (CNAMERecord) node(id).get(Type.CNAME).first();
      return new LookupResult.Cname(wildcard ? (CNAMERecord) c.withName(qname) : c, wildcard);
    }
    return new LookupResult.NoData(wildcard);
  }

  /** The RRset of {@code type} at exactly {@code name}, or null (no wildcard, no cut handling). */
  public RRset rrset(Name name, int type) {
    int id = find(name);
    return id == NodeTable.NO_NODE || !table.has(id, type) ? null : node(id).get(type);
  }

  /** A/AAAA RRsets at {@code name} for the additional section; empty when it is not in this zone. */
  public List<RRset> addresses(Name name) {
    if (!name.subdomain(origin)) {
      return List.of();
    }
    byte[] wire = name.toWireCanonical();
    int labels = name.labels();
    int[] starts = new int[labels];
    NodeTable.labelStarts(wire, 0, starts);
    int state = table.apexState();
    int id = 0;
    // Below the apex, an ancestor that is a cut or has a DNAME occludes the name.
    for (int depth = table.apexLabels() + 1; depth <= labels; depth++) {
      if (depth > table.apexLabels() + 1 && (table.has(id, Type.NS) || table.has(id, Type.DNAME))) {
        return List.of();
      }
      int at = starts[labels - depth];
      state = NodeTable.extend(state, wire, at, starts[labels - depth + 1]);
      id = table.find(wire, at, state);
      if (id == NodeTable.NO_NODE) {
        return List.of();
      }
    }
    if (!table.has(id, Type.A) && !table.has(id, Type.AAAA)) {
      return List.of();
    }
    Node n = node(id);
    List<RRset> out = new ArrayList<>(2);
    addIfPresent(out, n.get(Type.A));
    addIfPresent(out, n.get(Type.AAAA));
    return out;
  }

  /** A copy of {@code set} (signatures included) owned by {@code owner}. */
  public static RRset renamed(RRset set, Name owner) {
    RRset out = new RRset();
    for (Record r : set.rrs(false)) {
      out.addRR(r.withName(owner));
    }
    for (Record r : set.sigs()) {
      out.addRR(r.withName(owner));
    }
    return out;
  }
}
