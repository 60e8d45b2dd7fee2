package org.cairndns.xfr.secondary;

import java.util.ArrayList;
import java.util.List;
import org.cairndns.zone.store.EncodedRecords;
import org.cairndns.zone.store.Serials;
import org.cairndns.zone.store.ZoneDiff;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Reads the messages of one AXFR or IXFR response and tells what it was: the whole zone, an
 * incremental sequence of differences (RFC 1995), or "up to date". Messages with no answer records
 * (only OPT, padding or TSIG; RFC 9103 §7.9.1) are accepted anywhere. Anything malformed (no SOA
 * first, a wrong zone, an error rcode, a serial going backwards, a difference sequence that does not
 * chain) is a {@link TransferFailure}: the caller discards everything it read.
 */
public final class TransferReader {
  /** What the transfer delivered. */
  public sealed interface Result {
    /** The whole zone; {@code encoded} holds the same records in the store's encoding, or is null. */
    record Full(long serial, List<Record> records, EncodedRecords encoded) implements Result {}

    record Incremental(List<ZoneDiff> steps) implements Result {}

    record UpToDate(long serial) implements Result {}
  }

  private final Name zone;
  private final long ourSerial;
  private SOARecord first;
  private final List<Record> records = new ArrayList<>();
  /**
   * Set once the response is known to be AXFR-style: the zone encoded for the store as it streams
   * in, on this (otherwise mostly waiting) thread, which leaves less to do once the transfer ends.
   */
  private EncodedRecords encoded;
  private boolean done;
  private int messages;

  /** @param ourSerial the serial we asked IXFR from, or -1 for AXFR */
  public TransferReader(Name zone, long ourSerial) {
    this.zone = zone;
    this.ourSerial = ourSerial;
  }

  /** Feeds one response message; returns true when the transfer is complete. */
  public boolean feed(Message m) throws TransferFailure {
    if (done) {
      throw new TransferFailure("message after the end of the transfer of " + zone);
    }
    messages++;
    if (m.getRcode() != Rcode.NOERROR) {
      throw new TransferFailure("primary answered " + Rcode.string(m.getRcode()) + " for " + zone);
    }
    for (Record r : m.getSection(Section.ANSWER)) {
      if (first == null) {
        if (!(r instanceof SOARecord soa) || !soa.getName().equals(zone)) {
          throw new TransferFailure("transfer of " + zone + " does not start with its SOA");
        }
        first = soa;
        if (ourSerial >= 0 && !Serials.isNewer(soa.getSerial(), ourSerial)) {
          if (soa.getSerial() != ourSerial && Serials.isNewer(ourSerial, soa.getSerial())) {
            throw new TransferFailure("primary's serial " + soa.getSerial() + " for " + zone + " is older than ours " + ourSerial);
          }
          done = true; // single SOA: we are current
          return true;
        }
        continue;
      }
      if (!r.getName().subdomain(zone)) {
        throw new TransferFailure("record " + r.getName() + " outside " + zone + " in its transfer");
      }
      records.add(r);
      if (r instanceof SOARecord soa && soa.getName().equals(zone) && soa.getSerial() == first.getSerial()
          && isEnd()) {
        done = true;
        return true;
      }
      if (records.size() == 1 && r.getType() != Type.SOA) { // AXFR-style: SOA, then the zone's records
        encoded = new EncodedRecords();
        encoded.add(first);
      }
      if (encoded != null) {
        encoded.add(r);
      }
    }
    return false;
  }

  /** AXFR ends at the second copy of the first SOA; IXFR at the first SOA closing the last sequence. */
  private boolean isEnd() {
    if (records.size() == 1) {
      // IXFR whose first record after the SOA is the same SOA: never a valid end except for AXFR of
      // an empty zone (SOA, SOA), which is accepted as a zone without other records.
      return true;
    }
    if (!(records.get(0) instanceof SOARecord)) {
      return true; // AXFR style
    }
    // IXFR: sequences of (old SOA, deletions, new SOA, additions); the end is the current SOA in an
    // even SOA position.
    int soas = 0;
    for (Record r : records) {
      if (r.getType() == Type.SOA) {
        soas++;
      }
    }
    return soas % 2 == 1;
  }

  public int messages() {
    return messages;
  }

  public Result result() throws TransferFailure {
    if (!done) {
      throw new TransferFailure("transfer of " + zone + " ended before its closing SOA");
    }
    if (records.isEmpty()) {
      return new Result.UpToDate(first.getSerial());
    }
    List<Record> body = records.subList(0, records.size() - 1);
    if (body.isEmpty() || !(body.get(0) instanceof SOARecord)) {
      List<Record> zoneRecords = new ArrayList<>(body.size() + 1);
      zoneRecords.add(first);
      zoneRecords.addAll(body);
      return new Result.Full(first.getSerial(), zoneRecords, encoded);
    }
    return new Result.Incremental(steps(body));
  }

  private List<ZoneDiff> steps(List<Record> body) throws TransferFailure {
    List<ZoneDiff> steps = new ArrayList<>();
    int i = 0;
    long expect = ourSerial;
    while (i < body.size()) {
      SOARecord from = (SOARecord) body.get(i++);
      List<Record> deleted = new ArrayList<>();
      while (i < body.size() && body.get(i).getType() != Type.SOA) {
        deleted.add(body.get(i++));
      }
      if (i >= body.size()) {
        throw new TransferFailure("IXFR of " + zone + " has a deletion list without its new SOA");
      }
      SOARecord to = (SOARecord) body.get(i++);
      List<Record> added = new ArrayList<>();
      while (i < body.size() && body.get(i).getType() != Type.SOA) {
        added.add(body.get(i++));
      }
      if (from.getSerial() != expect || !Serials.isNewer(to.getSerial(), from.getSerial())) {
        throw new TransferFailure("IXFR of " + zone + " does not chain at serial " + from.getSerial());
      }
      expect = to.getSerial();
      steps.add(new ZoneDiff(from, to, deleted, added));
    }
    if (expect != first.getSerial()) {
      throw new TransferFailure("IXFR of " + zone + " ends at serial " + expect + ", not " + first.getSerial());
    }
    return steps;
  }
}
