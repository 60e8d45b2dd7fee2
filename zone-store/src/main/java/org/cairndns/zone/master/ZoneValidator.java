package org.cairndns.zone.master;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cairndns.zone.SnapshotBuilder;
import org.cairndns.zone.StructureChecker;
import org.cairndns.zone.dnssec.DnssecChecker;
import org.cairndns.zone.dnssec.SignatureExpiry;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Checks a zone file's records before they may be stored: nothing outside the zone, and the rules
 * every version of a zone meets, however it arrives ({@link StructureChecker}: one SOA at the apex,
 * NS at the apex, CNAME alone at its name, only glue below a delegation, nothing below a DNAME,
 * class IN throughout), and RDATA that can be written in wire form. Reports every problem (up to a
 * cap) with its line. TTLs that differ inside an RRset are warnings and the first TTL is kept, as
 * BIND loads them ({@link RrsetTtls}); {@code strict} makes them errors. A signed zone's signatures
 * and NSEC/NSEC3 chain are checked last ({@link DnssecChecker}).
 */
public final class ZoneValidator {
  static final int MAX_PROBLEMS = StructureChecker.MAX_PROBLEMS;

  private ZoneValidator() {}

  /**
   * How a file is judged beyond the rules every zone meets.
   *
   * @param strict TTLs differing inside an RRset are errors, not warnings
   * @param signatureWarning a signature expiring within this of the check's time is warned about
   */
  public record Checks(boolean strict, Duration signatureWarning) {
    /** The defaults: TTL differences are warnings, signatures expiring within 7 days too. */
    public static final Checks LENIENT = new Checks(false, Duration.ofDays(7));
  }

  /**
   * A zone file fit to store: the records to store, each RRset with one TTL and a record given
   * twice kept once; what was let through with a warning; for a signed zone the signature expiring
   * first.
   */
  public record CheckedZone(
      List<Record> records,
      List<ZoneFileException.Problem> warnings,
      Optional<SignatureExpiry.Signature> earliestSignature) {}

  /**
   * Checks {@code zone} as {@code checks} say, a signed zone's signatures as valid at {@code now}.
   * The records to store are the file's, in its order, but a record given twice kept once (RFC 2181
   * §5; BIND and Knot drop the copy at load too). Which is a copy is the snapshot's rule ({@link
   * SnapshotBuilder#add}), so the store holds what is served.
   *
   * @throws ZoneFileException naming every problem (up to a cap)
   */
  public static CheckedZone validate(ZoneFile zone, Checks checks, Instant now)
      throws ZoneFileException {
    List<ZoneFileException.Problem> warnings = new ArrayList<>();
    ZoneFile harmonised =
        new ZoneFile(
            zone.origin(),
            RrsetTtls.harmonise(zone, checks.strict(), warnings, MAX_PROBLEMS),
            zone.positions());
    List<Record> kept = new ArrayList<>(zone.records().size());
    List<ZoneFileException.Problem> problems = check(harmonised, kept);
    if (checks.strict()) {
      problems.addAll(warnings);
      warnings.clear();
    }
    if (!problems.isEmpty()) {
      throw new ZoneFileException(
          problems.size() > MAX_PROBLEMS ? problems.subList(0, MAX_PROBLEMS) : problems);
    }
    DnssecChecker.Report dnssec =
        DnssecChecker.check(zone.origin(), kept, now, checks.signatureWarning());
    List<Record> records = harmonised.records();
    for (DnssecChecker.Finding f : dnssec.errors()) {
      add(problems, harmonised, lineOf(records, f), f.toString());
    }
    if (!problems.isEmpty()) {
      throw new ZoneFileException(problems);
    }
    for (DnssecChecker.Finding f : dnssec.warnings()) {
      add(warnings, harmonised, lineOf(records, f), f.toString());
    }
    return new CheckedZone(kept, List.copyOf(warnings), dnssec.earliest());
  }

  /**
   * The record a DNSSEC finding is about: its owner's last of the type (or last at all), else the
   * first record.
   */
  private static int lineOf(List<Record> records, DnssecChecker.Finding f) {
    int at = lastOf(records, f.owner(), f.type());
    return at >= 0 ? at : Math.max(0, lastOf(records, f.owner(), -1));
  }

  /**
   * The problems of {@code zone}; the records that are in the zone and not copies go to {@code
   * kept}.
   */
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
        add(
            problems,
            zone,
            i,
            Type.string(r.getType())
                + " record at "
                + r.getName()
                + " cannot be written in wire form");
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
    return problems;
  }

  /**
   * dnsjava reads some RDATA it cannot write back (WKS without services): such a zone could not be
   * stored.
   */
  private static boolean encodable(Record r) {
    try {
      r.rdataToWireCanonical();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * The index of the last record of {@code type} (any, when negative) at {@code owner} (the one
   * that broke a rule), or -1.
   */
  private static int lastOf(List<Record> records, Name owner, int type) {
    for (int i = records.size() - 1; i >= 0; i--) {
      Record r = records.get(i);
      if ((type < 0 || r.getType() == type) && r.getName().equals(owner)) {
        return i;
      }
    }
    return -1;
  }

  private static void add(
      List<ZoneFileException.Problem> problems, ZoneFile zone, int index, String reason) {
    if (problems.size() <= MAX_PROBLEMS) {
      ZoneFile.Position p = zone.positions().get(index);
      problems.add(new ZoneFileException.Problem(p.file(), p.line(), reason));
    }
  }

  private static String fileOf(ZoneFile zone) {
    return zone.positions().isEmpty() ? zone.origin().toString() : zone.positions().get(0).file();
  }
}
