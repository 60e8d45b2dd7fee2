package org.cairndns.zone.master;

import java.util.ArrayList;
import java.util.List;
import org.cairndns.zone.StructureChecker;
import org.cairndns.zone.ZoneSnapshot;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Checks a zone file's records before they may be stored: nothing outside the zone, and the rules
 * every version of a zone meets, however it arrives ({@link StructureChecker}: one SOA at the apex,
 * NS at the apex, CNAME alone at its name, only glue below a delegation, nothing below a DNAME,
 * class IN throughout), and RDATA that can be written in wire form. Reports every problem (up to a
 * cap) with its line. TTLs that differ inside an RRset are warnings and the first TTL is kept, as
 * BIND loads them ({@link RrsetTtls}); {@code strict} makes them errors.
 */
public final class ZoneValidator {
  static final int MAX_PROBLEMS = StructureChecker.MAX_PROBLEMS;

  private ZoneValidator() {}

  /**
   * A zone file fit to store: its records, each RRset with one TTL, and what was let through with a
   * warning.
   */
  public record CheckedZone(ZoneFile zone, List<ZoneFileException.Problem> warnings) {}

  /**
   * Checks {@code zone}; with {@code strict}, TTLs differing inside an RRset are errors instead of
   * warnings.
   *
   * @throws ZoneFileException naming every problem (up to a cap)
   */
  public static CheckedZone validate(ZoneFile zone, boolean strict) throws ZoneFileException {
    List<ZoneFileException.Problem> ttlDifferences = new ArrayList<>();
    List<Record> records = RrsetTtls.harmonise(zone, strict, ttlDifferences, MAX_PROBLEMS);
    List<ZoneFileException.Problem> problems = problems(zone);
    if (strict) {
      problems.addAll(ttlDifferences);
    }
    if (!problems.isEmpty()) {
      throw new ZoneFileException(problems.size() > MAX_PROBLEMS ? problems.subList(0, MAX_PROBLEMS) : problems);
    }
    return new CheckedZone(new ZoneFile(zone.origin(), records, zone.positions()), List.copyOf(ttlDifferences));
  }

  private static List<ZoneFileException.Problem> problems(ZoneFile zone) {
    Name origin = zone.origin();
    List<Record> records = zone.records();
    List<ZoneFileException.Problem> problems = new ArrayList<>();
    ZoneSnapshot.Builder inZone = new ZoneSnapshot.Builder(origin);
    for (int i = 0; i < records.size(); i++) {
      Record r = records.get(i);
      if (!r.getName().subdomain(origin)) {
        add(problems, zone, i, r.getName() + " is outside the zone " + origin);
      } else if (!encodable(r)) {
        add(problems, zone, i, Type.string(r.getType()) + " record at " + r.getName() + " cannot be written in wire form");
      } else {
        inZone.add(r);
      }
    }
    for (StructureChecker.Problem p : inZone.problems()) {
      int line = lastOf(records, p.owner(), p.type());
      if (line < 0) { // something missing, not something there
        problems.add(new ZoneFileException.Problem(fileOf(zone), 0, p.reason()));
      } else {
        add(problems, zone, line, p.reason());
      }
    }
    return problems;
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

  /** The index of the last record of {@code type} at {@code owner} (the one that broke a rule), or -1. */
  private static int lastOf(List<Record> records, Name owner, int type) {
    for (int i = records.size() - 1; i >= 0; i--) {
      Record r = records.get(i);
      if (r.getType() == type && r.getName().equals(owner)) {
        return i;
      }
    }
    return -1;
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
}
