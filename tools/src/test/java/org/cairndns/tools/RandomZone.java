package org.cairndns.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A random zone, the same for the same seed, that passes `cairn zone load`'s checks: SOA and NS at
 * the apex, a CNAME alone at its name, only glue below a delegation, nothing below a DNAME, one TTL
 * per RRset, no record twice (though its {@link #masterFile} writes a few twice). It holds the
 * common types and an RFC 3597 one, owner and RDATA names in mixed case (each owner spelled one
 * way), names of 255 octets, labels of 63, deep names, many names sharing suffixes, RRsets over 16
 * KB, wildcards and delegations with glue; {@link #nextVersion} changes it the way an operator's
 * edit does, for IXFR.
 */
final class RandomZone {
  /** What an owner is, which decides what may be below it and how a query for it is answered. */
  enum Kind {
    APEX,
    PLAIN,
    CNAME,
    DNAME,
    DELEGATION,
    GLUE,
    WILDCARD
  }

  /**
   * One owner as loaded: its spelling, what it is, its RRsets by type; {@code cut} is a glue's
   * delegation.
   */
  static final class Owner {
    final Name name;
    final Kind kind;
    final Owner cut;
    final Map<Integer, List<Record>> rrsets = new LinkedHashMap<>();

    Owner(Name name, Kind kind, Owner cut) {
      this.name = name;
      this.kind = kind;
      this.cut = cut;
    }
  }

  /**
   * A type outside every registry (RFC 6895 private use), loaded and served as RFC 3597 unknown
   * data.
   */
  static final int UNKNOWN_TYPE = 65_400;

  /** Types a plain owner gets, each in RRsets of one or a few records. */
  private static final int[] PLAIN_TYPES = {
    Type.A,
    Type.AAAA,
    Type.MX,
    Type.TXT,
    Type.SRV,
    Type.NAPTR,
    Type.CAA,
    Type.PTR,
    Type.HINFO,
    Type.SSHFP,
    Type.TLSA,
    UNKNOWN_TYPE
  };

  /** Octets in a name and in a label at most (RFC 1035 §2.3.4); dnsjava keeps its own private. */
  private static final int MAX_NAME = 255;

  private static final int MAX_LABEL = 63;
  private static final long[] TTLS = {0, 1, 60, 300, 3600, 86_400, 604_800, 2_147_483_647};

  /** Bytes of RDATA past which an RRset is "over 16 KB" (NodeTable stops deduplicating there). */
  private static final int BIG_RRSET_BYTES = 16 * 1024;

  final long seed;
  final Name origin;
  private final SplittableRandom random;

  /** Owners by name; dnsjava's {@code Name} ignores case in equals, so each name is here once. */
  private final Map<Name, Owner> owners = new LinkedHashMap<>();

  /** Names new plain owners, CNAMEs, delegations, DNAMEs and wildcards may be put below. */
  private final List<Name> openParents = new ArrayList<>();

  private long serial;

  private RandomZone(long seed, int owners) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
    this.origin = name(Name.root, "Prop", "s" + seed + "-" + mixedCase("zone"));
    Owner apex = owner(origin, Kind.APEX, null);
    serial =
        random.nextInt(4) == 0 ? 0xFFFF_FFFFL - random.nextInt(3) : 1 + random.nextInt(1_000_000);
    rrset(apex, Type.SOA, 1, this::soa);
    rrset(apex, Type.NS, 1 + random.nextInt(3), o -> nameRdata(target()));
    openParents.add(origin);
    while (this.owners.size() < owners) {
      addOwner();
    }
  }

  /** A zone of about {@code owners} owners (delegations bring glue, so a few more). */
  static RandomZone generate(long seed, int owners) {
    return new RandomZone(seed, owners);
  }

  long serial() {
    return serial;
  }

  Collection<Owner> owners() {
    return owners.values();
  }

  /** The records, owner by owner, RRset by RRset, as a zone file or a transfer would list them. */
  List<Record> records() {
    List<Record> all = new ArrayList<>();
    owners.values().forEach(o -> o.rrsets.values().forEach(all::addAll));
    return all;
  }

  /**
   * The zone as a master file: one record a line, names absolute, as dnsjava writes them. A few
   * records are written twice, as hand-edited files have them: now and then one right after itself,
   * and in every RRset over 16 KB its first record once more at its end, past the bytes within
   * which duplicates are looked for as a snapshot is built. A zone keeps one copy (RFC 2181 §5), so
   * {@link #records} has none twice.
   */
  String masterFile() {
    SplittableRandom twice = new SplittableRandom(seed ^ serial); // apart from the zone's own draws
    StringBuilder text = new StringBuilder();
    for (Owner o : owners.values()) {
      for (List<Record> rrset : o.rrsets.values()) {
        int bytes = rrset.stream().mapToInt(r -> 10 + rdataOf(r).length).sum();
        int repeated = twice.nextInt(40) == 0 ? twice.nextInt(rrset.size()) : -1;
        for (int i = 0; i < rrset.size(); i++) {
          text.append(rrset.get(i)).append('\n');
          if (i == repeated && rrset.get(i).getType() != Type.SOA) {
            text.append(rrset.get(i)).append('\n');
          }
        }
        if (bytes > BIG_RRSET_BYTES) {
          text.append(rrset.get(0)).append('\n');
        }
      }
    }
    return text.toString();
  }

  /**
   * A name below {@code parent} that no owner is at or below, for a wildcard's synthesized answer.
   */
  Name unusedChild(Name parent) {
    while (true) {
      Name candidate = child(parent, label(1 + random.nextInt(8)));
      if (candidate != null && isFree(candidate)) {
        return candidate;
      }
    }
  }

  /**
   * The next version: a newer serial (wrapping past 2^32 as RFC 1982 allows) and a few edits:
   * records added to and removed from RRsets, TTLs changed, owners added and removed.
   */
  void nextVersion() {
    serial = (serial + 1 + random.nextInt(1000)) & 0xFFFF_FFFFL;
    Owner apex = owners.get(origin);
    apex.rrsets.remove(Type.SOA);
    rrset(apex, Type.SOA, 1, this::soa);
    int edits = 1 + random.nextInt(Math.min(20, owners.size() / 4 + 1));
    for (int i = 0; i < edits; i++) {
      List<Owner> all = new ArrayList<>(owners.values());
      Owner o = all.get(random.nextInt(all.size()));
      switch (random.nextInt(5)) {
        case 0 -> addOwner();
        case 1 -> removeOwner(o);
        case 2 -> changeTtl(o);
        case 3 -> addRecord(o);
        default -> removeRecord(o);
      }
    }
  }

  private void removeOwner(Owner o) {
    if (o.kind == Kind.PLAIN || o.kind == Kind.WILDCARD) {
      owners.remove(o.name); // what was below it stays, below an empty non-terminal
      openParents.remove(
          o.name); // else a delegation could later be made above a new owner below it
    }
  }

  private void changeTtl(Owner o) {
    int type = pick(o.rrsets.keySet());
    long ttl = TTLS[random.nextInt(TTLS.length)];
    o.rrsets.put(
        type, new ArrayList<>(o.rrsets.get(type).stream().map(r -> withTtl(r, ttl)).toList()));
  }

  private void addRecord(Owner o) {
    int type = pick(o.rrsets.keySet());
    if (type == Type.SOA || type == Type.CNAME || type == Type.DNAME) {
      return;
    }
    List<Record> set = o.rrsets.get(type);
    Record r = record(o.name, type, set.get(0).getTTL(), rdata(o, type));
    if (!set.contains(r)) {
      set.add(r);
    }
  }

  private void removeRecord(Owner o) {
    int type = pick(o.rrsets.keySet());
    List<Record> set = o.rrsets.get(type);
    if (set.size() > 1) {
      set.remove(random.nextInt(set.size()));
    }
  }

  private int pick(Collection<Integer> types) {
    return new ArrayList<>(types).get(random.nextInt(types.size()));
  }

  private void addOwner() {
    Name parent = openParents.get(random.nextInt(openParents.size()));
    int what = random.nextInt(100);
    if (what < 4) {
      addLongName(parent);
      return;
    }
    Name name = what < 10 ? wildcard(parent) : child(parent, label(labelLength()));
    if (name == null || !isFree(name)) {
      return;
    }
    if (what < 10) {
      Owner o = owner(name, Kind.WILDCARD, null);
      plainRrsets(o);
    } else if (what < 18) {
      Owner o = owner(name, Kind.CNAME, null);
      rrset(o, Type.CNAME, 1, x -> nameRdata(target()));
      openParents.add(name); // names below a CNAME are allowed
    } else if (what < 22) {
      Owner o = owner(name, Kind.DNAME, null);
      rrset(o, Type.DNAME, 1, x -> nameRdata(target()));
      if (random.nextBoolean()) {
        plainRrsets(o);
      }
    } else if (what < 32) {
      addDelegation(name);
    } else {
      plainRrsets(owner(name, Kind.PLAIN, null));
      openParents.add(name);
    }
  }

  /**
   * Below {@code parent}, a name of 63-octet labels filling 255 octets, or of 1-octet ones, or of
   * random ones.
   */
  private void addLongName(Name parent) {
    int room = MAX_NAME - parent.length();
    List<byte[]> labels = new ArrayList<>();
    int shape = random.nextInt(3);
    while (room >= 2) {
      int length =
          switch (shape) {
            case 0 -> Math.min(MAX_LABEL, room - 1); // the longest labels, filling the name exactly
            case 1 -> 1; // as deep as a name goes
            default -> Math.min(1 + random.nextInt(MAX_LABEL), room - 1);
          };
      if (room - (length + 1) == 1) { // a single octet left could hold no label
        length += length > 1 ? -1 : 1;
      }
      labels.add(label(length));
      room -= length + 1;
      if (shape == 2 && random.nextInt(4) == 0) {
        break;
      }
    }
    Name name = parent;
    for (byte[] label : labels) {
      name = child(name, label);
    }
    if (name != null && isFree(name)) {
      plainRrsets(owner(name, Kind.PLAIN, null));
    }
  }

  private void addDelegation(Name name) {
    Owner cut = owner(name, Kind.DELEGATION, null);
    List<Name> targets = new ArrayList<>();
    int count = 1 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      int where = random.nextInt(5);
      if (where < 2) {
        Name glue = child(name, label(1 + random.nextInt(6)));
        if (glue != null && isFree(glue)) {
          int type = random.nextBoolean() ? Type.A : Type.AAAA;
          rrset(owner(glue, Kind.GLUE, cut), type, 1 + random.nextInt(2), o -> rdata(o, type));
          targets.add(recased(glue));
        }
      } else if (where == 2 && !cut.rrsets.containsKey(Type.A)) {
        rrset(
            cut,
            Type.A,
            1,
            o -> rdata(o, Type.A)); // glue at the delegation itself, its own NS target
        targets.add(recased(name));
      } else {
        targets.add(target());
      }
    }
    if (targets.isEmpty()) {
      targets.add(target());
    }
    long ttl = TTLS[random.nextInt(TTLS.length)];
    List<Record> ns = new ArrayList<>();
    for (Name t : targets) {
      Record r = record(name, Type.NS, ttl, nameRdata(t));
      if (!ns.contains(r)) {
        ns.add(r);
      }
    }
    cut.rrsets.put(Type.NS, ns);
    if (random.nextBoolean()) {
      rrset(cut, Type.DS, 1 + random.nextInt(2), o -> rdata(o, Type.DS));
    }
  }

  private void plainRrsets(Owner o) {
    int count = 1 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      int type = PLAIN_TYPES[random.nextInt(PLAIN_TYPES.length)];
      if (!o.rrsets.containsKey(type)) {
        boolean big = (type == Type.TXT || type == Type.A) && random.nextInt(60) == 0;
        rrset(
            o,
            type,
            big ? 0 : 1 + random.nextInt(random.nextInt(10) == 0 ? 12 : 3),
            x -> rdata(o, type));
      }
    }
  }

  /** An RRset of {@code count} distinct records (0: records until the RRset is over 16 KB). */
  private void rrset(Owner o, int type, int count, Function<Owner, byte[]> rdata) {
    long ttl = TTLS[random.nextInt(TTLS.length)];
    List<Record> set = new ArrayList<>();
    int bytes = 0;
    for (int tries = 0;
        count == 0 ? bytes <= BIG_RRSET_BYTES : set.size() < count && tries < 4 * count;
        tries++) {
      byte[] data = rdata.apply(o);
      Record r = record(o.name, type, ttl, data);
      if (!set.contains(r)) {
        set.add(r);
        bytes += 10 + data.length;
      }
    }
    o.rrsets.put(type, set);
  }

  private Owner owner(Name name, Kind kind, Owner cut) {
    if (!name.subdomain(origin) || name.length() > MAX_NAME) {
      throw new IllegalStateException(
          "seed " + seed + ": generated owner " + name + " outside " + origin);
    }
    Owner o = new Owner(name, kind, cut);
    owners.put(name, o);
    return o;
  }

  /** Neither an owner nor above one (so not an empty non-terminal either). */
  private boolean isFree(Name name) {
    if (owners.containsKey(name)) {
      return false;
    }
    for (Name n : owners.keySet()) {
      if (n.subdomain(name)) {
        return false;
      }
    }
    return true;
  }

  private Name wildcard(Name parent) {
    return child(parent, new byte[] {'*'});
  }

  private byte[] soa(Owner apex) {
    DNSOutput out = new DNSOutput();
    recased(child(origin, label(2 + random.nextInt(3)))).toWire(out, null);
    recased(name(origin, "hostmaster")).toWire(out, null);
    out.writeU32(serial);
    for (int i = 0; i < 4; i++) {
      out.writeU32(60 + random.nextInt(1_000_000));
    }
    return out.toByteArray();
  }

  /** RDATA of {@code type} for an owner; names in it are in mixed case. */
  private byte[] rdata(Owner o, int type) {
    DNSOutput out = new DNSOutput();
    switch (type) {
      case Type.A ->
          out.writeByteArray(
              new byte[] {
                10,
                (byte) random.nextInt(256),
                (byte) random.nextInt(256),
                (byte) random.nextInt(256)
              });
      case Type.AAAA -> {
        out.writeU32(0x2001_0db8L);
        out.writeByteArray(bytes(12));
      }
      case Type.MX -> {
        out.writeU16(random.nextInt(65_536));
        target().toWire(out, null);
      }
      case Type.TXT -> {
        int strings = 1 + random.nextInt(random.nextInt(4) == 0 ? 4 : 1);
        for (int i = 0; i < strings; i++) {
          int length =
              switch (random.nextInt(4)) {
                case 0 -> 255;
                case 1 -> 0;
                default -> random.nextInt(40);
              };
          out.writeCountedString(text(length));
        }
      }
      case Type.SRV -> {
        out.writeU16(random.nextInt(65_536));
        out.writeU16(random.nextInt(65_536));
        out.writeU16(random.nextInt(65_536));
        target().toWire(out, null);
      }
      case Type.NAPTR -> {
        out.writeU16(random.nextInt(65_536));
        out.writeU16(random.nextInt(65_536));
        out.writeCountedString(ascii(new String[] {"", "U", "S", "A", "P"}[random.nextInt(5)]));
        out.writeCountedString(
            ascii(new String[] {"", "E2U+sip", "SIP+D2U", "http+I2R"}[random.nextInt(4)]));
        out.writeCountedString(
            random.nextBoolean()
                ? new byte[0]
                : ascii("!^.*$!sip:" + random.nextInt(1000) + "@example.net!"));
        (random.nextBoolean() ? Name.root : target()).toWire(out, null);
      }
      case Type.CAA -> {
        out.writeU8(random.nextBoolean() ? 0 : 128);
        out.writeCountedString(
            ascii(new String[] {"issue", "issuewild", "iodef"}[random.nextInt(3)]));
        out.writeByteArray(
            random.nextBoolean()
                ? ascii("ca" + random.nextInt(100) + ".example.net; account=" + random.nextInt())
                : text(random.nextInt(60)));
      }
      case Type.PTR, Type.NS -> target().toWire(out, null);
      case Type.HINFO -> {
        out.writeCountedString(text(random.nextInt(20)));
        out.writeCountedString(text(random.nextInt(20)));
      }
      case Type.SSHFP -> {
        out.writeU8(1 + random.nextInt(4));
        boolean sha256 = random.nextBoolean();
        out.writeU8(sha256 ? 2 : 1);
        out.writeByteArray(bytes(sha256 ? 32 : 20));
      }
      case Type.TLSA -> {
        out.writeU8(random.nextInt(4));
        out.writeU8(random.nextInt(2));
        out.writeU8(1);
        out.writeByteArray(bytes(32));
      }
      case Type.DS -> {
        out.writeU16(random.nextInt(65_536));
        out.writeU8(new int[] {8, 13, 15}[random.nextInt(3)]);
        out.writeU8(2);
        out.writeByteArray(bytes(32));
      }
      case UNKNOWN_TYPE ->
          out.writeByteArray(bytes(random.nextInt(random.nextInt(8) == 0 ? 2000 : 40)));
      default -> throw new IllegalArgumentException("no RDATA for type " + type + " at " + o.name);
    }
    return out.toByteArray();
  }

  private static byte[] nameRdata(Name name) {
    DNSOutput out = new DNSOutput();
    name.toWire(out, null);
    return out.toByteArray();
  }

  /**
   * A name for RDATA: an owner of this zone, a name outside it, or a 255-octet one; in mixed case.
   */
  private Name target() {
    int where = random.nextInt(10);
    if (where < 5 && owners.size() > 1) {
      List<Name> names = new ArrayList<>(owners.keySet());
      return recased(names.get(random.nextInt(names.size())));
    }
    if (where < 9) {
      return name(
          Name.root,
          random.nextBoolean() ? "Example" : "TEST",
          mixedCase("host" + random.nextInt(50)));
    }
    Name far = name(Name.root, "Far");
    while (far.length() < MAX_NAME - 1) {
      Name next = child(far, label(Math.min(MAX_LABEL, MAX_NAME - far.length() - 1)));
      if (next == null) {
        break;
      }
      far = next;
    }
    return recased(far);
  }

  /** The same name with the case of each letter drawn anew, as RDATA may spell an owner. */
  private Name recased(Name name) {
    return recased(name, random);
  }

  /** {@code name} with each ASCII letter's case drawn from {@code random}. */
  static Name recased(Name name, SplittableRandom random) {
    byte[] wire = name.toWire();
    for (int i = 0; i < wire.length; i++) {
      if (Character.isLetter(wire[i]) && wire[i] < 0x7f && random.nextBoolean()) {
        wire[i] ^= 0x20;
      }
    }
    return fromWire(wire);
  }

  private int labelLength() {
    return random.nextInt(20) == 0 ? MAX_LABEL : 1 + random.nextInt(10);
  }

  /**
   * A label of letters (mixed case), digits and hyphens, now and then another byte that needs
   * escaping.
   */
  private byte[] label(int length) {
    byte[] label = new byte[length];
    String plain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
    byte[] odd = {'.', ' ', '\\', '"', '(', ';', '@', '$', '*', (byte) 0xc3, 0};
    for (int i = 0; i < length; i++) {
      label[i] =
          random.nextInt(200) == 0
              ? odd[random.nextInt(odd.length)]
              : (byte) plain.charAt(random.nextInt(plain.length()));
    }
    if (length == 1 && label[0] == '*') {
      label[0] = 'w'; // a lone '*' would make a wildcard
    }
    return label;
  }

  /**
   * Bytes for a character string: mostly printable, with quotes, backslashes, controls and high
   * bytes.
   */
  private byte[] text(int length) {
    byte[] text = new byte[length];
    for (int i = 0; i < length; i++) {
      text[i] =
          random.nextInt(8) == 0
              ? (byte) random.nextInt(256)
              : (byte) (0x20 + random.nextInt(0x5f));
    }
    return text;
  }

  private byte[] bytes(int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return b;
  }

  private String mixedCase(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
    }
    return b.toString();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static Name name(Name parent, String... labels) {
    Name name = parent;
    for (String label : labels) {
      name = child(name, ascii(label));
    }
    return name;
  }

  /** {@code label.parent}, or null when that is over 255 octets. */
  private static Name child(Name parent, byte[] label) {
    if (parent == null || parent.length() + label.length + 1 > MAX_NAME) {
      return null;
    }
    byte[] parentWire = parent.toWire();
    byte[] wire = new byte[1 + label.length + parentWire.length];
    wire[0] = (byte) label.length;
    System.arraycopy(label, 0, wire, 1, label.length);
    System.arraycopy(parentWire, 0, wire, 1 + label.length, parentWire.length);
    return fromWire(wire);
  }

  private static Name fromWire(byte[] wire) {
    try {
      return new Name(wire);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Record record(Name owner, int type, long ttl, byte[] rdata) {
    return Record.newRecord(owner, type, DClass.IN, ttl, rdata);
  }

  private static Record withTtl(Record r, long ttl) {
    return record(r.getName(), r.getType(), ttl, rdataOf(r));
  }

  /** A record's RDATA as written, names in their case (the canonical form would lower it). */
  static byte[] rdataOf(Record r) {
    byte[] wire = r.toWire(Section.ANSWER);
    int ownerLength = r.getName().length();
    return Arrays.copyOfRange(wire, ownerLength + 10, wire.length);
  }
}
