package org.cairndns.xfr.secondary;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cairndns.zone.SnapshotBuilder;
import org.cairndns.zone.StructureChecker;
import org.cairndns.zone.ZoneSnapshot;
import org.cairndns.zone.store.EncodedRecords;
import org.cairndns.zone.store.Serials;
import org.cairndns.zone.store.ZoneDiff;
import org.cairndns.zone.wire.WireMessage;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * Reads the messages of one AXFR or IXFR response and tells what it was: the whole zone, an
 * incremental sequence of differences (RFC 1995), or "up to date". Messages with no answer records
 * (only OPT, padding or TSIG; RFC 9103 §7.9.1) are accepted anywhere. Anything malformed (no SOA
 * first, a wrong zone, an error rcode, a serial going backwards, a closing SOA that differs, a
 * difference sequence that does not chain) is a {@link TransferFailure}: the caller discards
 * everything it read.
 *
 * <p>A whole zone goes, as it streams in, straight from the messages' wire form into the snapshot
 * that will serve it and into the store's encoding, on this (otherwise mostly waiting) thread: once
 * the last message is in, little is left to do before the zone is stored and served. It must then
 * meet the rules every zone meets ({@link StructureChecker}), checked on the snapshot's bytes.
 *
 * <p>The transfer is held to its {@link TransferLimits} as it streams: records and bytes counted
 * per message, the deadline checked per message and bounding each wait for the next.
 */
public final class TransferReader {
  /** What the transfer delivered. */
  public sealed interface Result {
    /** The whole zone: the snapshot to serve, and the same records in the store's encoding. */
    record Full(long serial, ZoneSnapshot snapshot, EncodedRecords encoded) implements Result {}

    record Incremental(List<ZoneDiff> steps) implements Result {}

    record UpToDate(long serial) implements Result {}
  }

  private final Name zone;
  private final byte[] zoneWire;
  private final long ourSerial;
  private final TransferLimits limits;
  private final long deadline;
  private long recordsReceived;
  private long bytesReceived;
  private boolean limitExceeded;
  private SOARecord first;

  /** IXFR-style responses: every record after the first SOA. */
  private final List<Record> records = new ArrayList<>();

  private int soasInSequences;

  /** AXFR-style responses (the record after the first SOA is not a SOA): the zone being filled. */
  private SnapshotBuilder snapshot;

  private EncodedRecords encoded;
  private boolean done;
  private int messages;

  /** With the default limits. */
  public TransferReader(Name zone, long ourSerial) {
    this(zone, ourSerial, TransferLimits.DEFAULTS);
  }

  /**
   * @param ourSerial the serial we asked IXFR from, or -1 for AXFR
   * @param limits bounds on this transfer; its time counts from now
   */
  public TransferReader(Name zone, long ourSerial, TransferLimits limits) {
    this.zone = zone;
    this.zoneWire = zone.toWireCanonical();
    this.ourSerial = ourSerial;
    this.limits = limits;
    this.deadline = System.nanoTime() + limits.maxTime().toNanos();
  }

  /** Where the messages come from: the next one, waited for at most {@code wait}. */
  interface Source<T> {
    T next(Duration wait) throws TransferFailure;
  }

  /**
   * The next message from {@code source}, waited for at most {@code idle} and never past the
   * deadline; a wait the deadline cut short fails as the deadline.
   */
  <T> T next(Source<T> source, Duration idle) throws TransferFailure {
    // Rounded up to whole milliseconds, as waits are: one the deadline cut short ends past it.
    Duration left = Duration.ofMillis((checkDeadline() + 999_999) / 1_000_000);
    try {
      return source.next(left.compareTo(idle) < 0 ? left : idle);
    } catch (TransferFailure timedOut) {
      checkDeadline();
      throw timedOut;
    }
  }

  /** The time left before the deadline, in nanoseconds; a failure once it has passed. */
  private long checkDeadline() throws TransferFailure {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw overLimit(
          "it went on past max-transfer-time-in " + limits.maxTime().toMillis() + " ms");
    }
    return left;
  }

  private TransferFailure overLimit(String what) {
    limitExceeded = true;
    return new TransferFailure(
        "transfer of "
            + zone
            + " refused: "
            + what
            + " ("
            + recordsReceived
            + " records, "
            + bytesReceived
            + " bytes read)");
  }

  /**
   * Whether the transfer failed on one of its limits: the primary may still be sending, so the
   * connection is of no further use.
   */
  boolean limitExceeded() {
    return limitExceeded;
  }

  /** Feeds one response message in wire form; returns true when the transfer is complete. */
  public boolean feed(byte[] wire) throws TransferFailure {
    return feed(wire, null);
  }

  /**
   * As {@link #feed(byte[])}, with dnsjava's parse of the message when the caller made one (a
   * signed transfer's, for its TSIG), so no message is parsed twice.
   */
  boolean feed(byte[] wire, Message parsed) throws TransferFailure {
    try {
      return read(wire, parsed);
    } catch (WireParseException e) {
      throw new TransferFailure(e.getMessage(), e);
    }
  }

  private boolean read(byte[] wire, Message parsed) throws TransferFailure, WireParseException {
    if (done) {
      throw new TransferFailure("message after the end of the transfer of " + zone);
    }
    messages++;
    bytesReceived += wire.length;
    if (bytesReceived > limits.maxZoneBytes()) {
      throw overLimit("more than max-zone-size " + limits.maxZoneBytes() + " bytes");
    }
    checkDeadline();
    WireMessage m = new WireMessage(wire, parsed);
    if (m.rcode() != Rcode.NOERROR) {
      throw new TransferFailure("primary answered " + Rcode.string(m.rcode()) + " for " + zone);
    }
    while (m.nextAnswer()) {
      if (++recordsReceived > limits.maxRecords()) {
        throw overLimit("more than max-records " + limits.maxRecords() + " records");
      }
      if (first == null) {
        if (m.type() != Type.SOA || !m.ownerIs(zoneWire)) {
          throw new TransferFailure("transfer of " + zone + " does not start with its SOA");
        }
        first = (SOARecord) m.record();
        if (ourSerial >= 0 && !Serials.isNewer(first.getSerial(), ourSerial)) {
          if (first.getSerial() != ourSerial && Serials.isNewer(ourSerial, first.getSerial())) {
            throw new TransferFailure(
                "primary's serial "
                    + first.getSerial()
                    + " for "
                    + zone
                    + " is older than ours "
                    + ourSerial);
          }
          done = true; // single SOA: we are current
          return true;
        }
        continue;
      }
      if (!m.ownerWithin(zoneWire)) {
        throw new TransferFailure(
            "record " + m.record().getName() + " outside " + zone + " in its transfer");
      }
      if (snapshot == null && records.isEmpty() && m.type() != Type.SOA) {
        snapshot = new SnapshotBuilder(zone);
        snapshot.add(first);
        encoded = new EncodedRecords(first);
      }
      done = snapshot != null ? addToZone(m) : addToSequence(m.record());
      if (done) {
        if (m.nextAnswer()) { // a second copy of the SOA inside the zone would cut it short unseen
          throw new TransferFailure("transfer of " + zone + " has records after its closing SOA");
        }
        return true;
      }
    }
    return false;
  }

  /** One record of an AXFR-style response; true at the closing SOA. */
  private boolean addToZone(WireMessage m) throws TransferFailure, WireParseException {
    if (m.type() == Type.SOA && m.ownerIs(zoneWire)) {
      long serial = ((SOARecord) m.record()).getSerial();
      if (serial != first.getSerial()) {
        throw new TransferFailure(
            "transfer of " + zone + " closes with serial " + serial + ", not " + first.getSerial());
      }
      return true;
    }
    try { // a record the primary sends twice is stored once, as the snapshot keeps it
      if (m.rdataIsPlain()) {
        if (snapshot.add(
            m.ownerBytes(),
            0,
            m.type(),
            m.dclass(),
            m.ttl(),
            m.bytes(),
            m.rdataOffset(),
            m.rdataLength())) {
          encoded.add(
              m.ownerBytes(),
              0,
              m.type(),
              m.dclass(),
              m.ttl(),
              m.bytes(),
              m.rdataOffset(),
              m.rdataLength());
        }
      } else {
        Record r = m.record();
        if (snapshot.add(r)) {
          encoded.add(r);
        }
      }
    } catch (IllegalArgumentException e) {
      throw new TransferFailure("transfer of " + zone + ": " + e.getMessage(), e);
    }
    return false;
  }

  /** One record of an IXFR-style response; true at the SOA that closes the last sequence. */
  private boolean addToSequence(Record r) {
    records.add(r);
    if (r.getType() == Type.SOA) {
      soasInSequences++;
    }
    return r instanceof SOARecord soa
        && soa.getName().equals(zone)
        && soa.getSerial() == first.getSerial()
        && isEnd();
  }

  /**
   * AXFR ends at the second copy of the first SOA; IXFR at the first SOA closing the last sequence.
   */
  private boolean isEnd() {
    if (records.size() == 1) {
      // IXFR whose first record after the SOA is the same SOA: never a valid end except for AXFR of
      // an empty zone (SOA, SOA), which is accepted as a zone without other records.
      return true;
    }
    // IXFR: sequences of (old SOA, deletions, new SOA, additions); the end is the current SOA in an
    // even SOA position. Counted as they come: a primary repeating the current SOA must not make
    // each
    // one a scan of everything read so far.
    return soasInSequences % 2 == 1;
  }

  public int messages() {
    return messages;
  }

  public Result result() throws TransferFailure {
    if (!done) {
      throw new TransferFailure("transfer of " + zone + " ended before its closing SOA");
    }
    if (snapshot != null) {
      refuseBroken(snapshot.problems());
      try {
        return new Result.Full(first.getSerial(), snapshot.build(), encoded);
      } catch (IllegalArgumentException e) {
        throw new TransferFailure("transfer of " + zone + ": " + e.getMessage(), e);
      }
    }
    if (records.isEmpty()) {
      return new Result.UpToDate(first.getSerial());
    }
    List<Record> body = records.subList(0, records.size() - 1);
    if (body.isEmpty()) { // SOA, SOA: a zone with nothing but its SOA, so without NS at its apex
      SnapshotBuilder soaAlone = new SnapshotBuilder(zone);
      soaAlone.add(first);
      throw new TransferFailure(refusal(zone, soaAlone.problems()));
    }
    return new Result.Incremental(steps(body));
  }

  /** A whole zone that breaks the zone rules is refused, naming the first few problems. */
  private void refuseBroken(List<StructureChecker.Problem> problems) throws TransferFailure {
    if (!problems.isEmpty()) {
      throw new TransferFailure(refusal(zone, problems));
    }
  }

  /** "transfer of Z refused: first problems (and N more)". */
  static String refusal(Name zone, List<StructureChecker.Problem> problems) {
    int shown = Math.min(3, problems.size());
    String more = problems.size() > shown ? " (and " + (problems.size() - shown) + " more)" : "";
    return "transfer of "
        + zone
        + " refused: "
        + String.join(
            "; ",
            problems.subList(0, shown).stream().map(StructureChecker.Problem::reason).toList())
        + more;
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
        throw new TransferFailure(
            "IXFR of " + zone + " does not chain at serial " + from.getSerial());
      }
      expect = to.getSerial();
      steps.add(new ZoneDiff(from, to, deleted, added));
    }
    if (expect != first.getSerial()) {
      throw new TransferFailure(
          "IXFR of " + zone + " ends at serial " + expect + ", not " + first.getSerial());
    }
    return steps;
  }
}
