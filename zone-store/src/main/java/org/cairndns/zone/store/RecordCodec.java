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
      for (Record r : records) {
        byte[] wire = r.toWire(Section.ANSWER);
        out.writeShort(wire.length);
        out.write(wire);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deflater.end();
    }
    return bytes.toByteArray();
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
