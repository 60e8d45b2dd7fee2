package org.cairndns.zone;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * One immutable version of a zone, indexed for answering: a hash map from owner name to its
 * RRsets, with every empty non-terminal present as a node and each delegation's glue resolved, so
 * a lookup is a few map probes. Writers build a new snapshot and publish it; readers never lock.
 */
public final class ZoneSnapshot {
  private static final Name WILDCARD = Name.fromConstantString("*");
  private static final Node EMPTY = new Node(null);

  private final Name origin;
  private final SOARecord soa;
  /** Owners with data, in the order they came; sorted once when {@link #records()} is first asked. */
  private final List<Node> owners;
  private final int size;
  private volatile List<Record> records;
  private final Map<Name, Node> nodes;
  private final int apexLabels;

  /**
   * RRsets at one owner name, in the order their types first appeared; {@code glue} is set only at
   * delegation points. Filled while the snapshot is built and never changed after it is published.
   */
  private static final class Node {
    private static final int[] NO_TYPES = {};
    private static final RRset[] NO_SETS = {};

    final Name name;
    int[] types = NO_TYPES;
    RRset[] sets = NO_SETS;
    List<RRset> glue = List.of();

    Node(Name name) {
      this.name = name;
    }

    RRset get(int type) {
      int[] t = types;
      for (int i = 0; i < t.length; i++) {
        if (t[i] == type) {
          return sets[i];
        }
      }
      return null;
    }

    void add(int type, Record r) {
      RRset set = get(type);
      if (set == null) {
        set = new RRset();
        int n = types.length;
        types = Arrays.copyOf(types, n + 1);
        sets = Arrays.copyOf(sets, n + 1);
        types[n] = type;
        sets[n] = set;
      }
      set.addRR(r);
    }

    /** The RRsets in type order, as AXFR and the canonical record list want them. */
    RRset[] byType() {
      int[] t = types.clone();
      RRset[] sorted = sets.clone();
      for (int i = 1; i < t.length; i++) { // insertion sort: a name has a handful of types
        for (int j = i; j > 0 && t[j - 1] > t[j]; j--) {
          int type = t[j];
          t[j] = t[j - 1];
          t[j - 1] = type;
          RRset set = sorted[j];
          sorted[j] = sorted[j - 1];
          sorted[j - 1] = set;
        }
      }
      return sorted;
    }
  }

  private ZoneSnapshot(Name origin, SOARecord soa, List<Node> owners, int size, Map<Name, Node> nodes) {
    this.origin = origin;
    this.soa = soa;
    this.owners = owners;
    this.size = size;
    this.nodes = nodes;
    this.apexLabels = origin.labels();
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
    private final Map<Name, Node> nodes = new HashMap<>();
    private final List<Node> owners = new ArrayList<>();
    private SOARecord soa;
    private Node last;
    private int size;

    public Builder(Name origin) {
      this.origin = origin;
    }

    /** Adds one record; IllegalArgumentException when it lies outside the zone. */
    public Builder add(Record r) {
      Name owner = r.getName();
      // Records of one owner usually come together (zone files, transfers): skip the map probe.
      Node node = last != null && (last.name == owner || last.name.equals(owner)) ? last : nodes.get(owner);
      if (node == null) {
        if (!owner.subdomain(origin)) {
          throw new IllegalArgumentException(owner + " is outside zone " + origin);
        }
        node = new Node(owner);
        nodes.put(owner, node);
        owners.add(node);
      }
      last = node;
      if (r.getType() == Type.SOA && owner.equals(origin)) {
        soa = (SOARecord) r;
      }
      node.add(rrsetType(r), r);
      size++;
      return this;
    }

    /**
     * Adds one record given in wire form, as a transfer carries it: the owner is the uncompressed
     * wire name at {@code name[nameOffset..]}, the RDATA {@code rdata[rdataOffset, +rdataLength)}
     * has no compression pointers. The bytes are copied; the arrays may be reused afterwards.
     *
     * @throws IllegalArgumentException when the record is malformed or lies outside the zone
     */
    public Builder add(byte[] name, int nameOffset, int type, int dclass, long ttl, byte[] rdata, int rdataOffset,
        int rdataLength) {
      try {
        DNSInput in = new DNSInput(name);
        in.jump(nameOffset);
        Name owner = new Name(in);
        if (last != null && last.name.equals(owner)) {
          owner = last.name;
        }
        byte[] data = Arrays.copyOfRange(rdata, rdataOffset, rdataOffset + rdataLength);
        return add(Record.newRecord(owner, type, dclass, ttl, rdataLength, data));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("malformed " + Type.string(type) + " record: " + e.getMessage(), e);
      }
    }

    /** Records added so far. */
    public int size() {
      return size;
    }

    /** The snapshot; IllegalArgumentException when there is no SOA at the apex. */
    public ZoneSnapshot build() {
      if (soa == null) {
        throw new IllegalArgumentException("zone " + origin + " has no SOA at its apex");
      }
      addEmptyNonTerminals(origin, owners, nodes);
      resolveGlue(origin, owners, nodes);
      return new ZoneSnapshot(origin, soa, owners, size, Collections.unmodifiableMap(nodes));
    }
  }

  /** RRSIGs are grouped with the RRset they cover, as signed data is served together. */
  private static int rrsetType(Record r) {
    return r.getRRsetType() == Type.RRSIG ? Type.RRSIG : r.getType();
  }

  private static void addEmptyNonTerminals(Name origin, List<Node> owners, Map<Name, Node> nodes) {
    int apex = origin.labels();
    for (Node node : owners) {
      Name owner = node.name;
      for (int skip = 1; owner.labels() - skip > apex; skip++) {
        Name ancestor = new Name(owner, skip);
        if (nodes.putIfAbsent(ancestor, EMPTY) != null) {
          break; // ancestors above an existing node were added with it
        }
      }
    }
  }

  private static void resolveGlue(Name origin, List<Node> owners, Map<Name, Node> nodes) {
    for (Node cut : owners) {
      RRset ns = cut.get(Type.NS);
      if (ns == null || cut.name.equals(origin)) {
        continue;
      }
      List<RRset> glue = new ArrayList<>();
      for (Record r : ns.rrs(false)) {
        Name target = ((NSRecord) r).getTarget();
        Node t = target.subdomain(origin) ? nodes.get(target) : null;
        if (t != null) {
          addIfPresent(glue, t.get(Type.A));
          addIfPresent(glue, t.get(Type.AAAA));
        }
      }
      cut.glue = List.copyOf(glue);
    }
  }

  private static void addIfPresent(List<RRset> list, RRset rrset) {
    if (rrset != null) {
      list.add(rrset);
    }
  }

  /**
   * SOA first, then owners in canonical order, each owner's RRsets by type. Sorting owners rather
   * than records is fewer comparisons, and input that is already in order (a transfer from a
   * primary that sends canonical order, our own stored versions) sorts in one pass.
   */
  private static List<Record> canonicalOrder(SOARecord soa, List<Node> owners, int size) {
    owners.sort((a, b) -> a.name.compareTo(b.name));
    List<Record> sorted = new ArrayList<>(size);
    sorted.add(soa);
    for (Node node : owners) {
      for (RRset set : node.byType()) {
        for (Record r : set.rrs(false)) {
          if (r != soa) {
            sorted.add(r);
          }
        }
        sorted.addAll(set.sigs());
      }
    }
    return Collections.unmodifiableList(sorted);
  }

  public Name origin() {
    return origin;
  }

  public SOARecord soa() {
    return soa;
  }

  public long serial() {
    return soa.getSerial();
  }

  /** The number of records the snapshot was built from. */
  public int size() {
    return size;
  }

  /**
   * All records, SOA first, then in canonical name order: what AXFR streams. Made on first use
   * (most of a build's time, and a secondary that only answers queries never needs it).
   */
  public List<Record> records() {
    List<Record> made = records;
    if (made == null) {
      synchronized (owners) {
        made = records;
        if (made == null) {
          made = canonicalOrder(soa, owners, size);
          records = made;
        }
      }
    }
    return made;
  }

  /**
   * RFC 1034 §4.3.2 lookup with RFC 4592 wildcards and RFC 6672 DNAME. {@code qname} must be at or
   * below the origin.
   */
  public LookupResult lookup(Name qname, int qtype) {
    int labels = qname.labels();
    Node node = null;
    Name encloser = origin;
    // Walk from the apex toward qname: a cut or DNAME on the way ends the search.
    for (int depth = apexLabels; depth <= labels; depth++) {
      Name name = depth == labels ? qname : new Name(qname, labels - depth);
      Node n = nodes.get(name);
      if (n == null) {
        break;
      }
      encloser = name;
      node = n;
      if (depth > apexLabels) {
        RRset ns = n.get(Type.NS);
        if (ns != null && !(depth == labels && qtype == Type.DS)) {
          return new LookupResult.Delegation(name, ns, n.glue);
        }
      }
      if (depth < labels) {
        RRset dname = n.get(Type.DNAME);
        if (dname != null) {
          return new LookupResult.Dname((DNAMERecord) dname.first());
        }
      }
      if (depth == labels) {
        return answerAt(n, qname, qtype, false);
      }
    }
    Node wildcard = nodes.get(wildcardOf(encloser));
    if (wildcard != null) {
      return answerAt(wildcard, qname, qtype, true);
    }
    return new LookupResult.NxDomain();
  }

  private static Name wildcardOf(Name encloser) {
    try {
      return Name.concatenate(WILDCARD, encloser);
    } catch (org.xbill.DNS.NameTooLongException e) {
      return WILDCARD;
    }
  }

  private LookupResult answerAt(Node node, Name qname, int qtype, boolean wildcard) {
    if (qtype == Type.ANY) {
      if (node.sets.length == 0) {
        return new LookupResult.NoData(wildcard);
      }
      List<RRset> all = new ArrayList<>(node.sets.length);
      for (RRset set : node.sets) {
        all.add(wildcard ? renamed(set, qname) : set);
      }
      return new LookupResult.Answer(all, wildcard);
    }
    RRset set = node.get(qtype);
    if (set != null) {
      return new LookupResult.Answer(List.of(wildcard ? renamed(set, qname) : set), wildcard);
    }
    RRset cname = node.get(Type.CNAME);
    if (cname != null) {
      CNAMERecord c = (CNAMERecord) cname.first();
      return new LookupResult.Cname(wildcard ? (CNAMERecord) c.withName(qname) : c, wildcard);
    }
    return new LookupResult.NoData(wildcard);
  }

  /** The RRset of {@code type} at exactly {@code name}, or null (no wildcard, no cut handling). */
  public RRset rrset(Name name, int type) {
    Node n = nodes.get(name);
    return n == null ? null : n.get(type);
  }

  /** A/AAAA RRsets at {@code name} for the additional section; empty when it is not in this zone. */
  public List<RRset> addresses(Name name) {
    Node n = name.subdomain(origin) ? nodes.get(name) : null;
    if (n == null || isOccluded(name)) {
      return List.of();
    }
    List<RRset> out = new ArrayList<>(2);
    addIfPresent(out, n.get(Type.A));
    addIfPresent(out, n.get(Type.AAAA));
    return out;
  }

  private boolean isOccluded(Name name) {
    for (int skip = 1; name.labels() - skip > apexLabels; skip++) {
      Node n = nodes.get(new Name(name, skip));
      if (n != null && (n.get(Type.NS) != null || n.get(Type.DNAME) != null)) {
        return true;
      }
    }
    return false;
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
