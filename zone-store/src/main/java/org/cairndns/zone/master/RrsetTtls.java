package org.cairndns.zone.master;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cairndns.zone.wire.RecordWriter;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * One TTL per RRset in a zone file, as BIND and Knot load it: RFC 2181 §5.2 deprecates differing
 * TTLs, so the first record's TTL is kept and each later record that differs is named with its file
 * and line. An RRSIG belongs to the RRset of the type it covers. Only zone files get this: a
 * transfer is stored as the primary sent it (its records' TTLs are the primary's to choose), and
 * answers built from an RRset with differing TTLs carry its lowest, as RFC 2181 §5.2 asks of data
 * from an authoritative source.
 */
final class RrsetTtls {
  /** An RRset: the owner and the type, or for an RRSIG the type it covers in the upper half. */
  private record Key(Name owner, int type) {}

  private RrsetTtls() {}

  /**
   * The records with every RRset's TTL made its first record's, adding one difference per changed
   * record to {@code differences} (up to {@code limit}), worded as an error when {@code strict};
   * the same list when nothing differs.
   */
  static List<Record> harmonise(
      ZoneFile zone, boolean strict, List<ZoneFileException.Problem> differences, int limit) {
    List<Record> records = zone.records();
    Map<Key, Long> firstTtls = new HashMap<>();
    List<Record> harmonised = null; // copied on the first difference only
    for (int i = 0; i < records.size(); i++) {
      Record r = records.get(i);
      Key key =
          new Key(
              r.getName(),
              r instanceof RRSIGRecord sig ? Type.RRSIG << 16 | sig.getTypeCovered() : r.getType());
      long first = firstTtls.computeIfAbsent(key, k -> r.getTTL());
      if (first == r.getTTL()) {
        continue;
      }
      if (harmonised == null) {
        harmonised = new ArrayList<>(records);
      }
      harmonised.set(i, withTtl(r, first));
      if (differences.size() < limit) {
        ZoneFile.Position p = zone.positions().get(i);
        differences.add(
            new ZoneFileException.Problem(
                p.file(),
                p.line(),
                "TTL "
                    + r.getTTL()
                    + " differs from TTL "
                    + first
                    + " of the same RRset "
                    + r.getName()
                    + " "
                    + typeOf(r)
                    + (strict
                        ? " (RFC 2181 §5.2)"
                        : "; TTL " + first + " is used (RFC 2181 §5.2)")));
      }
    }
    return harmonised == null ? records : harmonised;
  }

  /** {@code r} with another TTL; dnsjava's own way to do that is not public. */
  private static Record withTtl(Record r, long ttl) {
    DNSOutput rdata = new DNSOutput();
    RecordWriter.writeRdata(r, rdata, null);
    return Record.newRecord(r.getName(), r.getType(), r.getDClass(), ttl, rdata.toByteArray());
  }

  private static String typeOf(Record r) {
    return r instanceof RRSIGRecord sig
        ? "RRSIG " + Type.string(sig.getTypeCovered())
        : Type.string(r.getType());
  }
}
