package org.cairndns.zone.store;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/** Records as a compressed sequence of length-prefixed wire-format records (lossless, fast). */
final class RecordCodec {
  private RecordCodec() {}

  static byte[] encode(Collection<Record> records) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(64, records.size() * 24));
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try (DataOutputStream out = new DataOutputStream(new DeflaterOutputStream(bytes, deflater, 1 << 16))) {
      out.writeInt(records.size());
      // SOA records first, so the SOA can be read without decoding the whole zone.
      for (Record r : records) {
        if (r.getType() == org.xbill.DNS.Type.SOA) {
          write(out, r);
        }
      }
      for (Record r : records) {
        if (r.getType() != org.xbill.DNS.Type.SOA) {
          write(out, r);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deflater.end();
    }
    return bytes.toByteArray();
  }

  private static void write(DataOutputStream out, Record r) throws IOException {
    byte[] wire = r.toWire(Section.ANSWER);
    out.writeShort(wire.length);
    out.write(wire);
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
    try (DataInputStream in = new DataInputStream(new InflaterInputStream(blob, new java.util.zip.Inflater(), 1 << 16))) {
      int count = in.readInt();
      List<Record> records = new ArrayList<>(count);
      byte[] buf = new byte[65535];
      for (int i = 0; i < count; i++) {
        int len = in.readUnsignedShort();
        in.readFully(buf, 0, len);
        records.add(Record.fromWire(java.util.Arrays.copyOf(buf, len), Section.ANSWER));
      }
      return records;
    } catch (EOFException e) {
      throw new IOException("stored records are truncated", e);
    }
  }
}
