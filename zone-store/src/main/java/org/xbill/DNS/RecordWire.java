package org.xbill.DNS;

/**
 * Cairn's one reach into dnsjava's package: writes a record into a shared buffer (with name
 * compression when given one), which dnsjava only exposes through {@link Message#toWire()} and a
 * byte array per record. Transfers use it to fill each message up to its size limit in one pass;
 * the zone store to encode a whole zone into one buffer, and snapshots to keep RDATA as bytes. It
 * also reads one record where it lies in a message, which a secondary needs for the few records
 * it does not copy in wire form.
 */
public final class RecordWire {
  private RecordWire() {}

  /** @param compression null to write names uncompressed (as {@link Record#toWire(int)} does) */
  public static void write(Record record, DNSOutput out, Compression compression) {
    record.toWire(out, Section.ANSWER, compression);
  }

  /** The record's RDATA alone, names uncompressed and in their original case. */
  public static void writeRdata(Record record, DNSOutput out) {
    record.rrToWire(out, null, false);
  }

  /** Reads the record at {@code in}'s position (compressed names resolved against the message). */
  public static Record read(DNSInput in) throws java.io.IOException {
    return Record.fromWire(in, Section.ANSWER, false);
  }
}
