package org.cairndns.zone.wire;

import java.util.Arrays;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * The owner names of a zone and their records as bytes, not objects (as NSD and Knot keep them):
 * node {@code n} is an int id; its owner's uncompressed wire name (original case) starts at {@code
 * nameAt[n]} in {@link #names}, and its records are the run {@code data[runAt[n], runEnd[n])} of
 * {@code [type u16][class u16][ttl u32][rdlength u16][rdata]}, in the order they were added. Empty
 * non-terminals are nodes with an empty run; their name is a suffix of a descendant's name.
 *
 * <p>An open-addressing table (linear probing) maps a hash of the case-folded wire name to the
 * node. The hash mixes a name's bytes last to first, so the state after a name's parent is the
 * start for the name itself: a lookup hashes every ancestor of the query in one pass over its
 * bytes.
 *
 * <p>Filled by a snapshot's builder, then {@link #trim trimmed} and never changed again. Readers
 * walk a node's run byte by byte: {@code for (p = runAt(id); p < runEnd(id); p = next(p))}.
 */
public final class NodeTable {
  private static final int MAX_NAME = 255;
  public static final int NO_NODE = -1;

  /** Runs up to this many bytes are scanned for a copy of a record; longer ones use an index. */
  private static final int SCANNED = 1 << 14;

  private static final int SEED = 0x811C9DC5;
  private static final byte[] WILDCARD = {1, '*'};

  /** The origin's wire name and label count (root included), and its hash state. */
  private final byte[] origin;

  private final int apexLabels;
  private final int apexState;

  private byte[] names = new byte[1 << 12];
  private int namesEnd;
  private byte[] data = new byte[1 << 12];
  private int dataEnd;
  private int[] nameAt = new int[256];
  private int[] runAt = new int[256];
  private int[] runEnd = new int[256];

  /** Builder only: the end of the space a node's run may grow into in place; null once trimmed. */
  private int[] runLimit = new int[256];

  private boolean relocated;

  /** Builder only: per node, the index of a run past {@link #SCANNED} bytes; null until one is. */
  private RunIndex[] indexes;

  private int count;

  /** Whether any NSEC3 record was added: only then can a name be an NSEC3 chain's owner. */
  private boolean hashedOwners;

  /** Pairs (finished hash, node id + 1); 0 marks a free slot. */
  private int[] table = new int[2 * 256];

  private int last = NO_NODE;

  /** Builder scratch: label offsets of the name being added. */
  private final int[] starts = new int[128];

  /** A table holding the apex (node 0), spelled as {@code origin} until its first record. */
  public NodeTable(byte[] origin, int apexLabels) {
    this.origin = origin;
    this.apexLabels = apexLabels;
    this.apexState = state(origin, 0, origin.length);
    newNode(appendName(origin, 0, origin.length), apexState);
  }

  public int count() {
    return count;
  }

  /** The origin's label count, root included. */
  public int apexLabels() {
    return apexLabels;
  }

  /** The hash state of the origin's name, where every name below it continues. */
  public int apexState() {
    return apexState;
  }

  /** Every owner's wire name; node {@code id}'s starts at {@link #nameAt}. */
  public byte[] names() {
    return names;
  }

  public int nameAt(int id) {
    return nameAt[id];
  }

  /** Every node's record run; node {@code id}'s is {@code [runAt(id), runEnd(id))}. */
  public byte[] data() {
    return data;
  }

  public int runAt(int id) {
    return runAt[id];
  }

  public int runEnd(int id) {
    return runEnd[id];
  }

  // ---- hashing and comparing names

  private static int fold(byte b) {
    return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
  }

  /** Mixes {@code b[from, to)} into {@code state}, last byte first, case-folded. */
  public static int extend(int state, byte[] b, int from, int to) {
    int h = state;
    for (int i = to - 1; i >= from; i--) {
      h = (Integer.rotateLeft(h, 5) ^ fold(b[i])) * 0x9E3779B1;
    }
    return h;
  }

  /** The hash state of the wire name in {@code wire[at, end)}. */
  public static int state(byte[] wire, int at, int end) {
    return extend(SEED, wire, at, end);
  }

  /** Murmur3's finalizer: the table indexes by the low bits, which the mixing leaves weak. */
  static int finish(int state) {
    int h = state;
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    return h ^ (h >>> 16);
  }

  /** Whether the wire names at {@code a[i..]} and {@code b[j..]} are equal ignoring ASCII case. */
  static boolean sameName(byte[] a, int i, byte[] b, int j) {
    while (true) {
      int len = a[i];
      if (len != b[j]) {
        return false;
      }
      if (len == 0) {
        return true;
      }
      for (int k = 1; k <= len; k++) {
        if (fold(a[i + k]) != fold(b[j + k])) {
          return false;
        }
      }
      i += len + 1;
      j += len + 1;
    }
  }

  /**
   * Fills {@code starts[k]} with the offset of the wire name at {@code wire[at..]} with k labels
   * removed ({@code starts[labels - 1]} is the root); returns the label count, root included, as
   * dnsjava's {@code Name.labels()} counts. Malformed or compressed names:
   * IllegalArgumentException.
   */
  public static int labelStarts(byte[] wire, int at, int[] starts) {
    int p = at;
    int labels = 0;
    while (true) {
      if (p < 0 || p >= wire.length || p - at >= MAX_NAME || labels == starts.length) {
        throw new IllegalArgumentException("malformed owner name");
      }
      int len = wire[p] & 0xFF;
      if (len > 63) {
        throw new IllegalArgumentException("compressed or malformed owner name");
      }
      starts[labels++] = p;
      if (len == 0) {
        return labels;
      }
      p += len + 1;
    }
  }

  // ---- reading

  /**
   * The node whose name, hashed to {@code state}, is at {@code wire[at..]}; -1 when there is none.
   */
  public int find(byte[] wire, int at, int state) {
    return probe(finish(state), wire, at, false);
  }

  /**
   * The node {@code *.<name at wire[at..]>}, given that name's hash state; -1 when there is none.
   */
  public int findWildcard(byte[] wire, int at, int state) {
    return probe(finish(extend(state, WILDCARD, 0, 2)), wire, at, true);
  }

  private int probe(int h, byte[] wire, int at, boolean wildcard) {
    int mask = table.length / 2 - 1;
    for (int slot = h & mask; ; slot = (slot + 1) & mask) {
      int id = table[2 * slot + 1] - 1;
      if (id == NO_NODE) {
        return NO_NODE;
      }
      if (table[2 * slot] == h && matches(nameAt[id], wire, at, wildcard)) {
        return id;
      }
    }
  }

  private boolean matches(int n, byte[] wire, int at, boolean wildcard) {
    if (!wildcard) {
      return sameName(names, n, wire, at);
    }
    return names[n] == 1 && names[n + 1] == '*' && sameName(names, n + 2, wire, at);
  }

  /** The node of this table named as node {@code id} of {@code other} is; -1 when there is none. */
  int findNameOf(NodeTable other, int id) {
    int at = other.nameAt[id];
    int end = at;
    while (other.names[end] != 0) {
      end += 1 + other.names[end];
    }
    return find(other.names, at, state(other.names, at, end + 1));
  }

  /**
   * Whether node {@code id} holds the same record bytes as node {@code otherId} of {@code other}.
   */
  boolean sameRecords(int id, NodeTable other, int otherId) {
    return Arrays.equals(
        data, runAt[id], runEnd[id], other.data, other.runAt[otherId], other.runEnd[otherId]);
  }

  /**
   * Orders node ids as RFC 4034 §6.1 orders their names (labels from the root down, each compared
   * as case-folded unsigned octets, a prefix first). Holds scratch arrays: one per sort.
   */
  final class CanonicalOrder implements java.util.Comparator<Integer> {
    private final int[] a = new int[128];
    private final int[] b = new int[128];

    @Override
    public int compare(Integer x, Integer y) {
      return compare(x.intValue(), y.intValue());
    }

    int compare(int x, int y) {
      int la = labelStarts(names, nameAt[x], a);
      int lb = labelStarts(names, nameAt[y], b);
      return canonicalOrder(names, a, la, names, b, lb);
    }
  }

  /**
   * Node {@code id}'s name against the wire name in {@code wire} whose {@link #labelStarts} are
   * {@code starts} ({@code labels} of them), in RFC 4034 §6.1 order: negative when the node's comes
   * first. {@code scratch} holds the node's label offsets (128 ints; one per thread).
   */
  public int compareName(int id, int[] scratch, byte[] wire, int[] starts, int labels) {
    return canonicalOrder(
        names, scratch, labelStarts(names, nameAt[id], scratch), wire, starts, labels);
  }

  /**
   * RFC 4034 §6.1: labels from the root down, each compared as case-folded unsigned octets, a
   * prefix first; {@code as}/{@code bs} are the names' label offsets as {@link #labelStarts} gives.
   */
  private static int canonicalOrder(byte[] an, int[] as, int la, byte[] bn, int[] bs, int lb) {
    for (int i = 2; i <= la && i <= lb; i++) { // i = 1 is the root
      int pa = as[la - i];
      int pb = bs[lb - i];
      int lenA = an[pa];
      int lenB = bn[pb];
      for (int k = 1; k <= lenA && k <= lenB; k++) {
        int d = (fold(an[pa + k]) & 0xFF) - (fold(bn[pb + k]) & 0xFF);
        if (d != 0) {
          return d;
        }
      }
      if (lenA != lenB) {
        return lenA - lenB;
      }
    }
    return la - lb;
  }

  /** Node {@code id}'s owner name, spelled as it was added. */
  public Name name(int id) {
    DNSInput in = new DNSInput(names);
    in.jump(nameAt[id]);
    try {
      return new Name(in);
    } catch (WireParseException e) {
      throw new IllegalStateException("names were checked when added", e);
    }
  }

  /** The record at {@code p} in a run, as an object owned by {@code owner} (this node's name). */
  public Record record(Name owner, int p) {
    return record(
        owner, u16(data, p), u16(data, p + 2), u32(data, p + 4), data, p + 10, u16(data, p + 8));
  }

  /** One record from its RDATA bytes; IllegalArgumentException when they do not parse. */
  public static Record record(
      Name owner, int type, int dclass, long ttl, byte[] b, int offset, int length) {
    Record r =
        Record.newRecord(
            owner, type, dclass, ttl, length, Arrays.copyOfRange(b, offset, offset + length));
    if (r == null) { // dnsjava's answer to RDATA that does not parse
      throw new IllegalArgumentException("malformed " + Type.string(type) + " record at " + owner);
    }
    return r;
  }

  public static int u16(byte[] b, int p) {
    return (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
  }

  public static long u32(byte[] b, int p) {
    return (long) u16(b, p) << 16 | u16(b, p + 2);
  }

  /** The record after the one at {@code p} in a run. */
  public int next(int p) {
    return p + 10 + u16(data, p + 8);
  }

  /**
   * The RRset a record at {@code p} belongs to: its type, or for an RRSIG the type it covers, so
   * signatures are served and transferred with their RRset.
   */
  public int rrsetType(int p) {
    int type = u16(data, p);
    return type == Type.RRSIG && u16(data, p + 8) >= 2 ? u16(data, p + 10) : type;
  }

  /** Whether node {@code id} has an RRset of {@code type}: a scan of its run, nothing decoded. */
  public boolean has(int id, int type) {
    for (int p = runAt[id]; p < runEnd[id]; p = next(p)) {
      if (rrsetType(p) == type) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether node {@code id} holds nothing but an NSEC3 RRset (its RRSIGs included): a hashed owner
   * of an NSEC3 chain, which NSD and Knot do not answer as a name of the zone. False at once in a
   * zone without NSEC3.
   */
  public boolean isHashedOwner(int id) {
    if (!hashedOwners || isEmpty(id)) {
      return false;
    }
    for (int p = runAt[id]; p < runEnd[id]; p = next(p)) {
      if (rrsetType(p) != Type.NSEC3) {
        return false;
      }
    }
    return true;
  }

  public boolean isEmpty(int id) {
    return runAt[id] == runEnd[id];
  }

  // ---- building

  /**
   * The node for the owner at {@code wire[at..]}, made (with any missing ancestors below the apex
   * as empty non-terminals) when new. IllegalArgumentException when the name is malformed or not at
   * or below the origin.
   */
  public int intern(byte[] wire, int at) {
    int labels = labelStarts(wire, at, starts);
    // Records of one owner usually come together (zone files, transfers): try the last one first.
    if (last != NO_NODE && sameName(names, nameAt[last], wire, at)) {
      return last;
    }
    if (labels < apexLabels || !sameName(origin, 0, wire, starts[labels - apexLabels])) {
      throw new IllegalArgumentException("owner is outside zone");
    }
    int end = starts[labels - 1] + 1;
    int state = apexState;
    int id = 0;
    int copied = -1; // where the name went once a new node needed it
    for (int depth = apexLabels + 1; depth <= labels; depth++) {
      int from = starts[labels - depth];
      state = extend(state, wire, from, starts[labels - depth + 1]);
      int found = copied < 0 ? find(wire, from, state) : NO_NODE; // below a new node all are new
      if (found != NO_NODE) {
        id = found;
      } else {
        if (copied < 0) {
          copied = appendName(wire, at, end);
        }
        id = newNode(copied + from - at, state);
      }
    }
    if (copied < 0
        && isEmpty(id)
        && !Arrays.equals(names, nameAt[id], nameAt[id] + end - at, wire, at, end)) {
      nameAt[id] =
          appendName(wire, at, end); // an empty non-terminal gets records: use their spelling
    }
    last = id;
    return id;
  }

  private int appendName(byte[] wire, int from, int to) {
    int len = to - from;
    if (namesEnd + len > names.length) {
      names = Arrays.copyOf(names, Math.max(2 * names.length, namesEnd + len));
    }
    System.arraycopy(wire, from, names, namesEnd, len);
    namesEnd += len;
    return namesEnd - len;
  }

  private int newNode(int nameOffset, int state) {
    if (count == nameAt.length) {
      int n = 2 * count;
      nameAt = Arrays.copyOf(nameAt, n);
      runAt = Arrays.copyOf(runAt, n);
      runEnd = Arrays.copyOf(runEnd, n);
      runLimit = Arrays.copyOf(runLimit, n);
      if (indexes != null) {
        indexes = Arrays.copyOf(indexes, n);
      }
    }
    if (4 * (count + 1) > 3 * (table.length / 2)) { // keep the load at most 3/4
      rehash();
    }
    int id = count++;
    nameAt[id] = nameOffset;
    runAt[id] = dataEnd;
    runEnd[id] = dataEnd;
    runLimit[id] = dataEnd;
    insert(table, finish(state), id);
    return id;
  }

  private void rehash() {
    int[] bigger = new int[2 * table.length];
    for (int i = 0; i < table.length; i += 2) {
      if (table[i + 1] != 0) {
        insert(bigger, table[i], table[i + 1] - 1);
      }
    }
    table = bigger;
  }

  private static void insert(int[] table, int hash, int id) {
    int mask = table.length / 2 - 1;
    int slot = hash & mask;
    while (table[2 * slot + 1] != 0) {
      slot = (slot + 1) & mask;
    }
    table[2 * slot] = hash;
    table[2 * slot + 1] = id + 1;
  }

  /**
   * Adds a record to node {@code id}; false when the node holds it already (same type, class and
   * RDATA: dnsjava's RRsets, and BIND, keep one copy of a record given twice, and an AXFR must not
   * send one twice). This is the one place that rule lives: every path out of a snapshot (answers,
   * AXFR signed or not, the store, differences) sees each record once, however large its owner.
   */
  public boolean append(
      int id, int type, int dclass, long ttl, byte[] rdata, int offset, int length) {
    if (holds(id, type, dclass, rdata, offset, length)) {
      return false;
    }
    hashedOwners |= type == Type.NSEC3;
    int size = 10 + length;
    if (runEnd[id] + size > runLimit[id]) {
      if (isEmpty(id)) { // nothing to move: start the run at the end
        runAt[id] = runEnd[id] = runLimit[id] = dataEnd;
      }
      if (runLimit[id] != dataEnd) {
        relocate(id, size);
      } else {
        ensureData(size);
        dataEnd += size;
        runLimit[id] = dataEnd;
      }
    }
    int p = runEnd[id];
    byte[] d = data;
    d[p] = (byte) (type >>> 8);
    d[p + 1] = (byte) type;
    d[p + 2] = (byte) (dclass >>> 8);
    d[p + 3] = (byte) dclass;
    d[p + 4] = (byte) (ttl >>> 24);
    d[p + 5] = (byte) (ttl >>> 16);
    d[p + 6] = (byte) (ttl >>> 8);
    d[p + 7] = (byte) ttl;
    d[p + 8] = (byte) (length >>> 8);
    d[p + 9] = (byte) length;
    System.arraycopy(rdata, offset, d, p + 10, length);
    runEnd[id] = p + size;
    if (indexes != null && indexes[id] != null) {
      indexes[id].add(p - runAt[id]);
    }
    return true;
  }

  /**
   * Whether node {@code id} holds a record of this type, class and RDATA: a scan of a short run, a
   * hash lookup in a long one (indexed when it first grows past {@link #SCANNED} bytes), so a huge
   * RRset does not make the build quadratic.
   */
  private boolean holds(int id, int type, int dclass, byte[] rdata, int offset, int length) {
    if (runEnd[id] - runAt[id] > SCANNED) {
      if (indexes == null) {
        indexes = new RunIndex[nameAt.length];
      }
      if (indexes[id] == null) {
        indexes[id] = new RunIndex(id);
      }
      return indexes[id].holds(type, dclass, rdata, offset, length);
    }
    for (int p = runAt[id]; p < runEnd[id]; p = next(p)) {
      if (sameRecord(p, type, dclass, rdata, offset, length)) {
        return true;
      }
    }
    return false;
  }

  private boolean sameRecord(int p, int type, int dclass, byte[] rdata, int offset, int length) {
    return u16(data, p) == type
        && u16(data, p + 2) == dclass
        && u16(data, p + 8) == length
        && Arrays.equals(data, p + 10, p + 10 + length, rdata, offset, offset + length);
  }

  private static int recordHash(int type, int dclass, byte[] rdata, int offset, int length) {
    int h = type * 31 + dclass;
    for (int i = offset; i < offset + length; i++) {
      h = h * 31 + rdata[i];
    }
    return finish(h);
  }

  /**
   * The records of one long run by a hash of type, class and RDATA: open addressing over offsets
   * relative to the run's start, which stay valid when the run is moved.
   */
  private final class RunIndex {
    private final int id;

    /** Relative offset + 1 per slot; 0 is free. */
    private int[] slots = new int[1 << 10];

    private int used;

    RunIndex(int id) {
      this.id = id;
      for (int p = runAt[id]; p < runEnd[id]; p = next(p)) {
        add(p - runAt[id]);
      }
    }

    boolean holds(int type, int dclass, byte[] rdata, int offset, int length) {
      int mask = slots.length - 1;
      for (int slot = recordHash(type, dclass, rdata, offset, length) & mask;
          slots[slot] != 0;
          slot = (slot + 1) & mask) {
        if (sameRecord(runAt[id] + slots[slot] - 1, type, dclass, rdata, offset, length)) {
          return true;
        }
      }
      return false;
    }

    void add(int relative) {
      if (4 * (used + 1) > 3 * slots.length) {
        int[] old = slots;
        slots = new int[2 * old.length];
        used = 0;
        for (int r : old) {
          if (r != 0) {
            add(r - 1);
          }
        }
      }
      int p = runAt[id] + relative;
      int mask = slots.length - 1;
      int slot = recordHash(u16(data, p), u16(data, p + 2), data, p + 10, u16(data, p + 8)) & mask;
      while (slots[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      slots[slot] = relative + 1;
      used++;
    }
  }

  /**
   * Moves a run that other runs now follow to the end of the data, with as much room again, so an
   * owner whose records keep arriving between others' is moved O(log n) times, not once per record.
   */
  private void relocate(int id, int size) {
    int used = runEnd[id] - runAt[id];
    int room = 2 * (used + size);
    ensureData(room);
    System.arraycopy(data, runAt[id], data, dataEnd, used);
    runAt[id] = dataEnd;
    runEnd[id] = dataEnd + used;
    dataEnd += room;
    runLimit[id] = dataEnd;
    relocated = true;
  }

  private void ensureData(int size) {
    if (dataEnd + size > data.length) {
      data = Arrays.copyOf(data, Math.max(2 * data.length, dataEnd + size));
    }
  }

  /** Drops the builder's slack: arrays cut to size, runs packed when any was moved. */
  public void trim() {
    names = Arrays.copyOf(names, namesEnd);
    nameAt = Arrays.copyOf(nameAt, count);
    if (relocated) {
      int live = 0;
      for (int id = 0; id < count; id++) {
        live += runEnd[id] - runAt[id];
      }
      byte[] packed = new byte[live];
      int p = 0;
      for (int id = 0; id < count; id++) {
        int len = runEnd[id] - runAt[id];
        System.arraycopy(data, runAt[id], packed, p, len);
        runAt[id] = p;
        p += len;
        runEnd[id] = p;
      }
      data = packed;
    } else {
      data = Arrays.copyOf(data, dataEnd);
    }
    runAt = Arrays.copyOf(runAt, count);
    runEnd = Arrays.copyOf(runEnd, count);
    runLimit = null;
    indexes = null;
  }
}
