package org.cairndns.zone.store;

import java.io.ByteArrayOutputStream;
import java.util.Collection;
import java.util.zip.Deflater;
import org.cairndns.zone.WireRecordSink;
import org.cairndns.zone.wire.RecordWriter;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * Records in the store's encoding, the one writer of it: length-prefixed wire-format records (owner
 * uncompressed, RDATA as dnsjava writes it), compressed one chunk at a time, so a secondary can
 * encode a transfer while it streams in and storing it later only finishes the compression and
 * inserts. A zone's SOA comes first, so it can be read without decoding the rest; {@link
 * RecordCodec} reads it back.
 */
public final class EncodedRecords implements WireRecordSink {
  private static final int CHUNK = 1 << 18;

  private final SOARecord soa;
  private final DNSOutput out;
  private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
  private final ByteArrayOutputStream compressed;
  private final byte[] deflated = new byte[1 << 16];
  private int count;
  private byte[] finished;

  /**
   * A zone whose records are still to come, {@code soa} first; the count is known only at the end.
   */
  public EncodedRecords(SOARecord soa) {
    this(soa, RecordCodec.COUNT_UNKNOWN, CHUNK + (1 << 16), 1 << 20);
    add(soa);
  }

  private EncodedRecords(SOARecord soa, long count, int buffer, int output) {
    this.soa = soa;
    this.out = new DNSOutput(buffer);
    this.compressed = new ByteArrayOutputStream(output);
    out.writeU32(count);
  }

  /** {@code records} in the store's encoding, their SOA records first, with their count. */
  static byte[] encode(Collection<Record> records) {
    int estimate = Math.max(64, Math.min(CHUNK, records.size() * 40));
    EncodedRecords encoded = new EncodedRecords(null, records.size(), estimate, estimate / 4);
    for (Record r : records) {
      if (r.getType() == Type.SOA) {
        encoded.add(r);
      }
    }
    for (Record r : records) {
      if (r.getType() != Type.SOA) {
        encoded.add(r);
      }
    }
    return encoded.compressed();
  }

  public void add(Record r) {
    int lengthAt = out.current();
    out.writeU16(0);
    RecordWriter.write(r, out, null);
    out.writeU16At(out.current() - lengthAt - 2, lengthAt);
    added();
  }

  /** Adds a record given in wire form, as {@link WireRecordSink} says. */
  @Override
  public void add(
      byte[] name,
      int nameOffset,
      int type,
      int dclass,
      long ttl,
      byte[] rdata,
      int rdataOffset,
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
      compressed.write(
          deflated, 0, deflater.deflate(deflated, 0, deflated.length, Deflater.NO_FLUSH));
    }
  }

  /** The zone's SOA; null for records encoded from a list ({@link #encode}). */
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
