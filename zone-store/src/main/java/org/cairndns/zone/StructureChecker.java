package org.cairndns.zone;

import java.util.ArrayList;
import java.util.List;
import org.cairndns.zone.wire.NodeTable;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * The structural rules every version of a zone meets before it is stored or served, whether it came
 * from a zone file, a whole transfer or an incremental one: exactly one SOA, at the apex; NS at the
 * apex; a CNAME alone at its name but for its DNSSEC records (RFC 1034 §3.6.2, RFC 4035 §2.5);
 * class IN throughout; at a delegation only NS, DS, NSEC, their signatures and glue, below it only
 * glue; nothing below a DNAME (RFC 6672 §2.4). A name outside the zone cannot get into a {@link
 * NodeTable} at all. TTLs differing inside an RRset are not refused here: a zone file's are made
 * one by its reader ({@code master.RrsetTtls}), a transfer is stored as the primary sent it.
 *
 * <p>Works on the table's bytes, owner by owner, so a million-record transfer is checked without
 * decoding a record. Signatures are not verified: that is not part of loading or transferring.
 */
public final class StructureChecker {
  /** Problems reported at most; a broken zone is refused for the first few already. */
  public static final int MAX_PROBLEMS = 20;

  /** One broken rule, at {@code owner} for its records of {@code type}. */
  public record Problem(Name owner, int type, String reason) {
    @Override
    public String toString() {
      return reason;
    }
  }

  private final Name origin;
  private final NodeTable table;
  private final List<Problem> problems = new ArrayList<>();

  private StructureChecker(Name origin, NodeTable table) {
    this.origin = origin;
    this.table = table;
  }

  static List<Problem> problems(Name origin, NodeTable table) {
    StructureChecker checker = new StructureChecker(origin, table);
    checker.check();
    return List.copyOf(checker.problems);
  }

  private void check() {
    int count = table.count();
    byte[] hides = new byte[count]; // what each owner hides below it: nothing, a cut, a DNAME
    boolean any = false;
    for (int id = 0; id < count && !full(); id++) {
      hides[id] = checkOwner(id);
      any |= hides[id] != NOTHING;
    }
    if (any && !full()) {
      checkOccluded(hides);
    }
  }

  private boolean full() {
    return problems.size() >= MAX_PROBLEMS;
  }

  private void add(int id, int type, String reason) {
    if (!full()) {
      problems.add(new Problem(table.name(id), type, reason));
    }
  }

  private static final byte NOTHING = 0;
  private static final byte CUT = 1;
  private static final byte DNAME = 2;

  /**
   * The rules about one owner's own records; returns what it hides below it (a cut, a DNAME or
   * nothing).
   */
  private byte checkOwner(int id) {
    byte[] data = table.data();
    boolean cut = id != 0 && table.has(id, Type.NS);
    boolean cname = false;
    int besideCname = -1;
    int soas = 0;
    boolean apexNs = false;
    boolean dname = false;
    for (int p = table.runAt(id); p < table.runEnd(id); p = table.next(p)) {
      int type = NodeTable.u16(data, p);
      int dclass = NodeTable.u16(data, p + 2);
      if (dclass != DClass.IN) {
        add(id, type, "class " + DClass.string(dclass) + " is not IN");
      }
      soas += type == Type.SOA ? 1 : 0;
      apexNs |= id == 0 && type == Type.NS;
      dname |= type == Type.DNAME;
      cname |= type == Type.CNAME;
      if (besideCname < 0 && type != Type.CNAME && !isDnssec(type)) {
        besideCname = type;
      }
      if (cut && !isDelegationType(type)) {
        add(
            id,
            type,
            name(id)
                + " "
                + Type.string(type)
                + " at the delegation point "
                + name(id)
                + "; only NS, DS and glue may be there");
        cut = false; // reported once per owner
      }
    }
    if (id == 0) {
      if (soas == 0) {
        add(id, Type.SOA, "no SOA record at the apex " + origin);
      } else if (soas > 1) {
        add(id, Type.SOA, "second SOA at the apex; a zone has exactly one");
      }
      if (!apexNs) {
        add(id, Type.NS, "no NS records at the apex " + origin);
      }
    } else if (soas > 0) {
      add(id, Type.SOA, "SOA at " + name(id) + " is not at the apex " + origin);
    }
    if (cname && besideCname >= 0) {
      add(
          id,
          Type.CNAME,
          "CNAME at " + name(id) + " has other data beside it (" + Type.string(besideCname) + ")");
    }
    return id == 0 ? NOTHING : dname ? DNAME : table.has(id, Type.NS) ? CUT : NOTHING;
  }

  /** The records RFC 4035 §2.5 lets sit beside a CNAME. */
  private static boolean isDnssec(int type) {
    return type == Type.RRSIG || type == Type.NSEC || type == Type.NSEC3;
  }

  private static boolean isDelegationType(int type) {
    return type == Type.NS
        || type == Type.DS
        || type == Type.A
        || type == Type.AAAA
        || type == Type.RRSIG
        || type == Type.NSEC;
  }

  /**
   * Names below a cut hold only glue, names below a DNAME nothing. An ancestor's id is always
   * smaller than its descendants' (the table makes a name's missing ancestors before the name), so
   * one pass in id order knows each node's closest cut or DNAME above it from its parent's, and an
   * owner's records are read once however many names lie below it.
   */
  private void checkOccluded(byte[] hides) {
    int count = table.count();
    int[] occluder = new int[count]; // closest cut or DNAME strictly above, or -1
    occluder[0] = -1;
    int[] starts = new int[128];
    for (int id = 1; id < count && !full(); id++) {
      int parent = parent(id, starts);
      occluder[id] = hides[parent] != NOTHING ? parent : occluder[parent];
      int above = occluder[id];
      if (above < 0 || table.isEmpty(id)) {
        continue;
      }
      if (hides[above] == DNAME) {
        add(
            id,
            NodeTable.u16(table.data(), table.runAt(id)),
            name(id) + " is below the DNAME at " + name(above) + " and would never be served");
        continue;
      }
      for (int p = table.runAt(id); p < table.runEnd(id); p = table.next(p)) {
        int type = NodeTable.u16(table.data(), p);
        if (type != Type.A && type != Type.AAAA) {
          add(
              id,
              type,
              name(id)
                  + " "
                  + Type.string(type)
                  + " is below the delegation "
                  + name(above)
                  + "; only glue (A/AAAA) may be");
          break;
        }
      }
    }
  }

  /** The node of the name one label shorter than node {@code id}'s (never the apex's own). */
  private int parent(int id, int[] starts) {
    byte[] names = table.names();
    int at = table.nameAt(id);
    int labels = NodeTable.labelStarts(names, at, starts);
    int parentAt = starts[1];
    int end = starts[labels - 1] + 1;
    return table.find(names, parentAt, NodeTable.state(names, parentAt, end));
  }

  private Name name(int id) {
    return table.name(id);
  }
}
