package org.cairndns.zone.wire;

import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Writes a dnsjava {@link Record} into a shared buffer, with name compression when given a table,
 * through dnsjava's public API: dnsjava itself only writes a record into a buffer of its own
 * ({@link Record#toWire(int)}) or a whole {@link org.xbill.DNS.Message}. Transfers fill each
 * message up to its size limit this way, the zone store encodes a whole zone into one buffer and
 * snapshots keep RDATA as bytes. The bytes are dnsjava's, names in their original case, but for
 * compression: by {@link NameCompression}, which keeps that case, in the owner and the RDATA of
 * exactly the types dnsjava compresses (NS, CNAME, PTR, MX, SOA). Those and TXT are written field
 * by field, with no object per record; A and AAAA (no names, so their canonical form is as given)
 * cost one small array, other RDATA a copy of the whole record from {@link Record#toWire(int)}.
 * dnsjava's own writer, {@code Record.toWire(DNSOutput, int, Compression)}, is package-private:
 * reaching it meant a class in its package.
 */
public final class RecordWriter {
  private static final int FIXED_FIELDS = 10; // type, class, TTL, RDLENGTH

  private RecordWriter() {}

  /**
   * @param compression null to write names uncompressed (as {@link Record#toWire(int)} does)
   */
  public static void write(Record record, DNSOutput out, NameCompression compression) {
    writeName(record.getName(), out, compression);
    out.writeU16(record.getType());
    out.writeU16(record.getDClass());
    out.writeU32(record.getTTL());
    int lengthAt = out.current();
    out.writeU16(0);
    writeRdata(record, out, compression);
    out.writeU16At(out.current() - lengthAt - 2, lengthAt);
  }

  /** The record's RDATA alone, names in their original case and compressed where dnsjava would. */
  public static void writeRdata(Record record, DNSOutput out, NameCompression compression) {
    switch (record.getType()) {
      case Type.NS -> writeName(((NSRecord) record).getTarget(), out, compression);
      case Type.CNAME -> writeName(((CNAMERecord) record).getTarget(), out, compression);
      case Type.PTR -> writeName(((PTRRecord) record).getTarget(), out, compression);
      case Type.MX -> {
        MXRecord mx = (MXRecord) record;
        out.writeU16(mx.getPriority());
        writeName(mx.getTarget(), out, compression);
      }
      case Type.SOA -> {
        SOARecord soa = (SOARecord) record;
        writeName(soa.getHost(), out, compression);
        writeName(soa.getAdmin(), out, compression);
        out.writeU32(soa.getSerial());
        out.writeU32(soa.getRefresh());
        out.writeU32(soa.getRetry());
        out.writeU32(soa.getExpire());
        out.writeU32(soa.getMinimum());
      }
      // The types that fill large zones, cheaper than the fallback.
      case Type.A, Type.AAAA ->
          out.writeByteArray(record.rdataToWireCanonical()); // no names: as given
      case Type.TXT -> {
        for (byte[] string : ((TXTRecord) record).getStringsAsByteArrays()) {
          out.writeCountedString(string);
        }
      }
      default -> {
        // No compression in these types; the RDATA is what follows the uncompressed owner.
        byte[] wire = record.toWire(Section.ANSWER);
        int start = record.getName().length() + FIXED_FIELDS;
        out.writeByteArray(wire, start, wire.length - start);
      }
    }
  }

  /** {@code name} uncompressed, or compressed by {@code compression}. */
  static void writeName(Name name, DNSOutput out, NameCompression compression) {
    if (compression == null) {
      name.toWire(out, null);
    } else {
      compression.write(out, name);
    }
  }
}
