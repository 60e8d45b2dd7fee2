package org.cairndns.zone.store;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.zip.InflaterInputStream;
import org.cairndns.zone.WireRecordSink;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Records as a compressed sequence of length-prefixed wire-format records (lossless, fast), written
 * by {@link EncodedRecords} and read back here.
 */
final class RecordCodec {
  /** In place of the record count when it was not known up front: the records run to the end. */
  static final long COUNT_UNKNOWN = 0xFFFFFFFFL;

  private RecordCodec() {}

  /** {@code records} in the store's encoding, SOA records first. */
  static byte[] encode(Collection<Record> records) {
    return EncodedRecords.encode(records);
  }

  /** The first record only (the SOA, as encode writes it first), without decoding the rest. */
  static Record first(InputStream blob) throws IOException {
    try (DataInputStream in = new DataInputStream(new InflaterInputStream(blob))) {
      if (in.readInt() == 0) {
        return null;
      }
      byte[] wire = new byte[in.readUnsignedShort()];
      in.readFully(wire);
      return Record.fromWire(wire, Section.ANSWER);
    }
  }

  static List<Record> decode(InputStream blob) throws IOException {
    List<Record> records = new ArrayList<>();
    decode(
        blob,
        (name, nameOffset, type, dclass, ttl, rdata, rdataOffset, rdataLength) -> {
          try {
            records.add(
                Record.fromWire(
                    java.util.Arrays.copyOfRange(name, nameOffset, rdataOffset + rdataLength),
                    Section.ANSWER));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    return records;
  }

  /** Feeds each stored record to {@code sink} in wire form, from one reused buffer. */
  static void decode(InputStream blob, WireRecordSink sink) throws IOException {
    try (DataInputStream in =
        new DataInputStream(new InflaterInputStream(blob, new java.util.zip.Inflater(), 1 << 16))) {
      int count = in.readInt();
      boolean toEnd = count == (int) COUNT_UNKNOWN;
      byte[] buf = new byte[65535];
      for (int i = 0; toEnd || i < count; i++) {
        int high = in.read();
        if (high < 0) {
          if (toEnd) {
            break; // the end, between two records
          }
          throw new EOFException();
        }
        int len = (high << 8) | in.readUnsignedByte();
        in.readFully(buf, 0, len);
        int p = 0;
        while (buf[p] != 0) { // the owner, uncompressed
          p += 1 + (buf[p] & 0xFF);
        }
        p++;
        sink.add(
            buf,
            0,
            u16(buf, p),
            u16(buf, p + 2),
            ((long) u16(buf, p + 4) << 16) | u16(buf, p + 6),
            buf,
            p + 10,
            u16(buf, p + 8));
      }
    } catch (EOFException e) {
      throw new IOException("stored records are truncated", e);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (RuntimeException e) {
      throw new IOException("stored records are malformed: " + e, e);
    }
  }

  private static int u16(byte[] b, int p) {
    return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
  }
}
