package org.cairndns.zone.store;

import java.io.ByteArrayOutputStream;
import java.util.zip.Deflater;
import org.cairndns.zone.WireRecordSink;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

/**
 * A zone in the store's record encoding, written and compressed one record at a time, so a
 * secondary can encode a transfer while it streams in and storing it later only finishes the
 * compression and inserts. The zone's SOA comes first, as the store wants it.
 */
public final class EncodedRecords implements WireRecordSink {
  private static final int CHUNK = 1 << 18;

  private final SOARecord soa;
  private final DNSOutput out = new DNSOutput(CHUNK + (1 << 16));
  private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
  private final ByteArrayOutputStream compressed = new ByteArrayOutputStream(1 << 20);
  private final byte[] deflated = new byte[1 << 16];
  private int count;
  private byte[] finished;

  public EncodedRecords(SOARecord soa) {
    this.soa = soa;
    out.writeU32(RecordCodec.COUNT_UNKNOWN); // the count is only known at the end: read to the end
    add(soa);
  }

  public void add(Record r) {
    RecordCodec.write(out, r);
    added();
  }

  /** Adds a record given in wire form, as {@link WireRecordSink} says. */
  @Override
  public void add(byte[] name, int nameOffset, int type, int dclass, long ttl, byte[] rdata, int rdataOffset,
      int rdataLength) {
    int nameLength = 0;
    while (name[nameOffset + nameLength] != 0) {
      nameLength += 1 + name[nameOffset + nameLength];
    }
    nameLength++;
    out.writeU16(nameLength + 10 + rdataLength);
    out.writeByteArray(name, nameOffset, nameLength);
    out.writeU16(type);
    out.writeU16(dclass);
    out.writeU32(ttl);
    out.writeU16(rdataLength);
    out.writeByteArray(rdata, rdataOffset, rdataLength);
    added();
  }

  private void added() {
    count++;
    if (out.current() >= CHUNK) {
      deflate(false);
    }
  }

  private void deflate(boolean last) {
    deflater.setInput(out.toByteArray());
    out.jump(0);
    if (last) {
      deflater.finish();
    }
    while (last ? !deflater.finished() : !deflater.needsInput()) {
      compressed.write(deflated, 0, deflater.deflate(deflated, 0, deflated.length, Deflater.NO_FLUSH));
    }
  }

  public SOARecord soa() {
    return soa;
  }

  /** Records added, the SOA included. */
  public int count() {
    return count;
  }

  /** The stored form; no records can be added after it. */
  byte[] compressed() {
    if (finished == null) {
      deflate(true);
      deflater.end();
      finished = compressed.toByteArray();
    }
    return finished;
  }
}
