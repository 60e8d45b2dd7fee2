package org.xbill.DNS;

/**
 * Cairn's one reach into dnsjava's package: writes a record with name compression into a shared
 * buffer, which dnsjava only exposes through {@link Message#toWire()}. Transfers use it to fill
 * each message up to its size limit in one pass instead of building a Message per chunk.
 */
public final class RecordWire {
  private RecordWire() {}

  public static void write(Record record, DNSOutput out, Compression compression) {
    record.toWire(out, Section.ANSWER, compression);
  }
}
