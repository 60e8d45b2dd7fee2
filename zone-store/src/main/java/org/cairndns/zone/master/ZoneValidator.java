package org.cairndns.zone.master;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Checks a zone's records before they may be stored: one SOA at the apex, NS at the apex, CNAME
 * alone at its name, nothing outside the zone, only glue below a delegation, nothing below a DNAME,
 * class IN throughout, one TTL per RRset and RDATA that can be written in wire form. Reports every
 * problem (up to a cap) with its line.
 */
public final class ZoneValidator {
  static final int MAX_PROBLEMS = 20;

  private ZoneValidator() {}

  public static void validate(ZoneFile zone) throws ZoneFileException {
    List<ZoneFileException.Problem> problems = problems(zone);
    if (!problems.isEmpty()) {
      throw new ZoneFileException(problems);
    }
  }

  static List<ZoneFileException.Problem> problems(ZoneFile zone) {
    Name origin = zone.origin();
    List<Record> records = zone.records();
    List<ZoneFileException.Problem> problems = new ArrayList<>();
    Map<Name, Set<Integer>> typesByName = new HashMap<>();
    Map<RRsetKey, Integer> firstOfRRset = new HashMap<>();
    Set<Name> cuts = new HashSet<>();
    Set<Name> dnames = new HashSet<>();
    Set<Name> nsTargets = new HashSet<>();
    int soaCount = 0;

    for (int i = 0; i < records.size(); i++) {
      Record r = records.get(i);
      Name owner = r.getName();
      if (!owner.subdomain(origin)) {
        add(problems, zone, i, owner + " is outside the zone " + origin);
        continue;
      }
      if (r.getDClass() != DClass.IN) {
        add(problems, zone, i, "class " + DClass.string(r.getDClass()) + " is not IN");
      }
      int type = r.getType();
      if (!encodable(r)) {
        add(problems, zone, i, Type.string(type) + " record at " + owner + " cannot be written in wire form");
      }
      if (type == Type.SOA) {
        soaCount++;
        if (!owner.equals(origin)) {
          add(problems, zone, i, "SOA at " + owner + " is not at the apex " + origin);
        } else if (soaCount > 1) {
          add(problems, zone, i, "second SOA at the apex; a zone has exactly one");
        }
      }
      if (type == Type.NS && !owner.equals(origin)) {
        cuts.add(owner);
      }
      if (type == Type.NS) {
        nsTargets.add(((NSRecord) r).getTarget());
      }
      if (type == Type.DNAME) {
        dnames.add(owner);
      }
      typesByName.computeIfAbsent(owner, k -> new HashSet<>()).add(type);
      Integer first = firstOfRRset.putIfAbsent(new RRsetKey(owner, type), i);
      if (first != null && records.get(first).getTTL() != r.getTTL()) {
        add(
            problems,
            zone,
            i,
            "TTL "
                + r.getTTL()
                + " differs from TTL "
                + records.get(first).getTTL()
                + " of the same RRset "
                + owner
                + " "
                + Type.string(type)
                + " at line "
                + zone.positions().get(first).line());
      }
    }
    if (soaCount == 0) {
      problems.add(new ZoneFileException.Problem(fileOf(zone), 0, "no SOA record at the apex " + origin));
    }
    Set<Integer> apexTypes = typesByName.getOrDefault(origin, Set.of());
    if (!apexTypes.contains(Type.NS)) {
      problems.add(new ZoneFileException.Problem(fileOf(zone), 0, "no NS records at the apex " + origin));
    }

    Set<Name> cnameReported = new HashSet<>();
    for (int i = 0; i < records.size() && problems.size() < MAX_PROBLEMS; i++) {
      Record r = records.get(i);
      Name owner = r.getName();
      if (!owner.subdomain(origin)) {
        continue;
      }
      Set<Integer> types = typesByName.get(owner);
      if (r.getType() == Type.CNAME && hasOtherData(types) && cnameReported.add(owner)) {
        add(problems, zone, i, "CNAME at " + owner + " has other data beside it");
      }
      Name cut = enclosing(owner, origin, cuts);
      if (cut != null) {
        boolean address = r.getType() == Type.A || r.getType() == Type.AAAA;
        if (!address) {
          add(problems, zone, i, owner + " " + Type.string(r.getType()) + " is below the delegation " + cut + "; only glue (A/AAAA) may be");
        }
      } else if (owner.equals(origin) || !cuts.contains(owner) || isDelegationType(r.getType())) {
        // at or above cuts: fine
      } else {
        add(problems, zone, i, owner + " " + Type.string(r.getType()) + " at the delegation point " + owner + "; only NS, DS and glue may be there");
      }
      Name dname = enclosing(owner, origin, dnames);
      if (dname != null) {
        add(problems, zone, i, owner + " is below the DNAME at " + dname + " and would never be served");
      }
    }
    return problems.size() > MAX_PROBLEMS ? problems.subList(0, MAX_PROBLEMS) : problems;
  }

  /** dnsjava reads some RDATA it cannot write back (WKS without services): such a zone could not be stored. */
  private static boolean encodable(Record r) {
    try {
      r.rdataToWireCanonical();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean isDelegationType(int type) {
    return type == Type.NS || type == Type.DS || type == Type.A || type == Type.AAAA
        || type == Type.RRSIG || type == Type.NSEC;
  }

  private static boolean hasOtherData(Set<Integer> types) {
    for (int t : types) {
      if (t != Type.CNAME && t != Type.RRSIG && t != Type.NSEC && t != Type.NSEC3) {
        return true;
      }
    }
    return false;
  }

  /** The closest strict ancestor of {@code name} (below the apex) found in {@code points}. */
  private static Name enclosing(Name name, Name origin, Set<Name> points) {
    if (points.isEmpty()) {
      return null;
    }
    int labels = name.labels();
    int stop = origin.labels();
    for (int skip = 1; labels - skip > stop; skip++) {
      Name ancestor = new Name(name, skip);
      if (points.contains(ancestor)) {
        return ancestor;
      }
    }
    return null;
  }

  private static void add(List<ZoneFileException.Problem> problems, ZoneFile zone, int index, String reason) {
    if (problems.size() <= MAX_PROBLEMS) {
      ZoneFile.Position p = zone.positions().get(index);
      problems.add(new ZoneFileException.Problem(p.file(), p.line(), reason));
    }
  }

  private static String fileOf(ZoneFile zone) {
    return zone.positions().isEmpty() ? zone.origin().toString() : zone.positions().get(0).file();
  }

  private record RRsetKey(Name owner, int type) {}
}
