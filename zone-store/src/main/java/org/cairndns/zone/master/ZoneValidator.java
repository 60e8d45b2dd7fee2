package org.cairndns.zone.master;

import java.util.ArrayList;
import java.util.List;
import org.cairndns.zone.SnapshotBuilder;
import org.cairndns.zone.StructureChecker;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Checks a zone file's records before they may be stored: nothing outside the zone, and the rules
 * every version of a zone meets, however it arrives ({@link StructureChecker}: one SOA at the apex,
 * NS at the apex, CNAME alone at its name, only glue below a delegation, nothing below a DNAME,
 * class IN throughout, one TTL per RRset), and RDATA that can be written in wire form. Reports every problem (up to a cap) with its line.
 */
public final class ZoneValidator {
  static final int MAX_PROBLEMS = StructureChecker.MAX_PROBLEMS;

  private ZoneValidator() {}

  /**
   * Checks {@code zone} and returns the records to store: the file's, in its order, but a record
   * given twice kept once (RFC 2181 §5; BIND and Knot drop the copy at load too). Which is a copy
   * is the snapshot's rule ({@link SnapshotBuilder#add}), so the store holds what is served.
   */
  public static List<Record> validRecords(ZoneFile zone) throws ZoneFileException {
    List<Record> kept = new ArrayList<>(zone.records().size());
    List<ZoneFileException.Problem> problems = check(zone, kept);
    if (!problems.isEmpty()) {
      throw new ZoneFileException(problems);
    }
    return kept;
  }

  /** The problems of {@code zone}; the records that are in the zone and not copies go to {@code kept}. */
  private static List<ZoneFileException.Problem> check(ZoneFile zone, List<Record> kept) {
    Name origin = zone.origin();
    List<Record> records = zone.records();
    List<ZoneFileException.Problem> problems = new ArrayList<>();
    SnapshotBuilder inZone = new SnapshotBuilder(origin);
    for (int i = 0; i < records.size(); i++) {
      Record r = records.get(i);
      if (!r.getName().subdomain(origin)) {
        add(problems, zone, i, r.getName() + " is outside the zone " + origin);
      } else if (!encodable(r)) {
        add(problems, zone, i, Type.string(r.getType()) + " record at " + r.getName() + " cannot be written in wire form");
      } else if (inZone.add(r)) {
        kept.add(r);
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
