package org.cairndns.zone;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.cairndns.zone.wire.AxfrRecords;
import org.cairndns.zone.wire.NodeTable;
import org.cairndns.zone.wire.RecordDifference;
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
 * query. Writers build a new snapshot ({@link SnapshotBuilder}) and publish it; readers never lock.
 * Its AXFR order and its differences from another version are the wire package's.
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

  /** {@link DnssecProofs}, or {@link #UNSIGNED}; made on the first question asked with DO. */
  private volatile Object proofs;

  private static final Object UNSIGNED = new Object();

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

  ZoneSnapshot(Name origin, SOARecord soa, int size, NodeTable table) {
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
    SnapshotBuilder builder = new SnapshotBuilder(origin);
    for (Record r : input) {
      builder.add(r);
    }
    return builder.build();
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
  int find(Name name) {
    byte[] wire = name.toWireCanonical();
    return table.find(wire, 0, NodeTable.state(wire, 0, wire.length));
  }

  /**
   * The version after deleting {@code deleted} and adding {@code added} (an IXFR or journal step),
   * with {@code next} as its SOA ({@link SnapshotBuilder#applied}).
   *
   * @throws IllegalArgumentException when an added record lies outside the zone
   */
  public ZoneSnapshot apply(SOARecord next, Collection<Record> deleted, Collection<Record> added) {
    return SnapshotBuilder.applied(this, next, deleted, added);
  }

  /**
   * What changed from {@code older} to this version, SOA aside: records only there go to {@code
   * deleted}, records only here to {@code added} ({@link RecordDifference}).
   */
  public void differences(ZoneSnapshot older, Consumer<Record> deleted, Consumer<Record> added) {
    RecordDifference.between(older.table, table, deleted, added);
  }

  /** Every record but the SOA, in wire form, owner by owner in the order they were added. */
  public void forEachRecordAfterSoa(WireRecordSink sink) {
    for (int id = 0; id < table.count(); id++) {
      forEachRecordAt(id, sink);
    }
  }

  /** The records of node {@code id} in wire form, but the SOA at the apex. */
  void forEachRecordAt(int id, WireRecordSink sink) {
    byte[] data = table.data();
    for (int p = table.runAt(id); p < table.runEnd(id); p = table.next(p)) {
      int type = NodeTable.u16(data, p);
      if (id != 0 || type != Type.SOA) {
        sink.add(
            table.names(),
            table.nameAt(id),
            type,
            NodeTable.u16(data, p + 2),
            NodeTable.u32(data, p + 4),
            data,
            p + 10,
            NodeTable.u16(data, p + 8));
      }
    }
  }

  public Name origin() {
    return origin;
  }

  NodeTable table() {
    return table;
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
    int encloserLabels = apexLabels;
    // Walk from the apex toward qname, hashing one more label each step: a cut or DNAME on the way
    // ends the search.
    for (int depth = apexLabels; depth <= labels; depth++) {
      if (depth > apexLabels) {
        int at = starts[labels - depth];
        state = NodeTable.extend(state, wire, at, starts[labels - depth + 1]);
        id = table.find(wire, at, state);
        // NSEC3 owners (one label under the apex) are not names of the zone: NXDOMAIN, as NSD and
        // Knot answer them and what is below them.
        if (id == NodeTable.NO_NODE || (depth == apexLabels + 1 && table.isHashedOwner(id))) {
          break;
        }
        encloser = at;
        encloserState = state;
        encloserLabels = depth;
        if (table.has(id, Type.NS) && !(depth == labels && qtype == Type.DS)) {
          Name cut = depth == labels ? qname : new Name(qname, labels - depth);
          Node n = node(id);
          return new LookupResult.Delegation(cut, n.get(Type.NS), n.glue);
        }
      }
      if (depth < labels && table.has(id, Type.DNAME)) {
        return new LookupResult.Dname(node(id).get(Type.DNAME));
      }
      if (depth == labels) {
        return answerAt(id, qname, qtype, false, labels);
      }
    }
    int wildcard = table.findWildcard(wire, encloser, encloserState);
    if (wildcard != NodeTable.NO_NODE) {
      return answerAt(wildcard, qname, qtype, true, encloserLabels);
    }
    return new LookupResult.NxDomain(encloserLabels);
  }

  /**
   * The answer at node {@code id} for qname: the node itself, or the wildcard expanding to qname
   * whose parent, the closest encloser, has {@code encloserLabels} labels.
   */
  private LookupResult answerAt(
      int id, Name qname, int qtype, boolean wildcard, int encloserLabels) {
    if (qtype == Type.ANY) {
      if (table.isEmpty(id)) {
        return new LookupResult.NoData(wildcard, encloserLabels);
      }
      RRset[] sets = node(id).sets;
      List<RRset> all = new ArrayList<>(sets.length);
      for (RRset set : sets) {
        all.add(wildcard ? renamed(set, qname) : set);
      }
      return new LookupResult.Answer(all, wildcard, encloserLabels);
    }
    if (qtype == Type.RRSIG) { // the signatures of every RRset here, as BIND and NSD answer
      List<RRset> signed = new ArrayList<>();
      for (RRset set : table.isEmpty(id) ? new RRset[0] : node(id).sets) {
        if (!set.sigs().isEmpty()) {
          signed.add(wildcard ? renamed(set, qname) : set);
        }
      }
      return signed.isEmpty()
          ? new LookupResult.NoData(wildcard, encloserLabels)
          : new LookupResult.Answer(signed, wildcard, encloserLabels);
    }
    if (table.has(id, qtype)) {
      RRset set = node(id).get(qtype);
      return new LookupResult.Answer(
          List.of(wildcard ? renamed(set, qname) : set), wildcard, encloserLabels);
    }
    if (table.has(id, Type.CNAME)) {
      RRset c = node(id).get(Type.CNAME);
      return new LookupResult.Cname(wildcard ? renamed(c, qname) : c, wildcard, encloserLabels);
    }
    return new LookupResult.NoData(wildcard, encloserLabels);
  }

  /**
   * What this zone adds to answers asked with DO; null when it is not signed (its SOA has no
   * RRSIG). Made on first use and kept: a race may make it twice, harmlessly, as {@link
   * #canonicalIds}.
   */
  public DnssecProofs proofs() {
    Object made = proofs;
    if (made == null) {
      DnssecProofs built = DnssecProofs.of(this, canonicalIds());
      made = built == null ? UNSIGNED : built;
      proofs = made;
    }
    return made == UNSIGNED ? null : (DnssecProofs) made;
  }

  /** The RRset of {@code type} at node {@code id}, signatures attached, or null. */
  RRset rrsetAt(int id, int type) {
    return table.has(id, type) ? node(id).get(type) : null;
  }

  /** The RRset of {@code type} at exactly {@code name}, or null (no wildcard, no cut handling). */
  public RRset rrset(Name name, int type) {
    int id = find(name);
    return id == NodeTable.NO_NODE || !table.has(id, type) ? null : node(id).get(type);
  }

  /**
   * A/AAAA RRsets at {@code name} for the additional section; empty when it is not in this zone.
   */
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
