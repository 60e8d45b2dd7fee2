package org.cairndns.zone.store;

import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * A zone in the store's record encoding, written one record at a time, so a secondary can encode
 * a transfer while it streams in and storing it later only compresses and inserts. The store wants
 * SOA records first: the SOA must be the first record added, and any later SOA makes this unusable
 * (the store then encodes the records itself).
 */
public final class EncodedRecords {
  private final DNSOutput out = new DNSOutput(1 << 16);
  private int count;
  private boolean usable = true;

  public EncodedRecords() {
    out.writeU32(0); // the record count, patched when compressed
  }

  public void add(Record r) {
    if (r.getType() == Type.SOA && count > 0 || r.getType() != Type.SOA && count == 0) {
      usable = false;
    }
    if (usable) {
      RecordCodec.write(out, r);
    }
    count++;
  }

  /** Whether this encodes exactly {@code recordCount} records in the store's order. */
  boolean encodes(int recordCount) {
    return usable && count == recordCount;
  }

  byte[] compressed() {
    byte[] raw = out.toByteArray();
    raw[0] = (byte) (count >>> 24);
    raw[1] = (byte) (count >>> 16);
    raw[2] = (byte) (count >>> 8);
    raw[3] = (byte) count;
    return RecordCodec.deflate(raw);
  }
}
