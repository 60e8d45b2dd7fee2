package org.cairndns.zone.wire;

import java.util.List;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;

/**
 * Renders a response {@link Message} as dnsjava's {@code Message.toWire(int)} does, but with names
 * in the case they were loaded in ({@link NameCompression}, as BIND compresses its responses).
 * Everything else is dnsjava 3.6's, which clients and tests rely on: room for OPT and TSIG is
 * reserved first; records go out in whole RRsets, as {@link Record#sameRRset} groups neighbours (so
 * an RRSIG goes with the records of the type it covers when it follows them); an answer or
 * authority RRset that does not fit sets TC and ends the message; an additional RRset that does not
 * fit ends the section without TC; OPT always goes in last, then the TSIG. Names in one case come
 * out byte for byte as dnsjava writes them. One output buffer and one small compression table per
 * response, as dnsjava allocates.
 */
public final class MessageWriter {
  private static final int QDCOUNT_AT = 4;

  /**
   * One table per thread (transport event loops, transfer threads), so a response allocates no
   * table of its own; a table a large response grew is let go.
   */
  private static final ThreadLocal<NameCompression> TABLES =
      ThreadLocal.withInitial(NameCompression::forResponses);

  private MessageWriter() {}

  /** {@code message} in at most {@code maxLength} bytes, truncated as dnsjava truncates. */
  public static byte[] toWire(Message message, int maxLength) {
    return toWire(message, maxLength, null, null);
  }

  /**
   * {@code message} signed with {@code key} as a response to a request signed with {@code
   * requestTsig} (RFC 8945 §5.3), as dnsjava's {@code setTSIG(key, NOERROR, requestTsig)} followed
   * by {@code toWire(maxLength)} signs it; the TSIG record's owner goes uncompressed, so it needs
   * exactly the room reserved for it.
   *
   * @param key null for an unsigned message
   */
  public static byte[] toWire(Message message, int maxLength, TSIG key, TSIGRecord requestTsig) {
    if (maxLength < Header.LENGTH) {
      return new byte[0]; // as dnsjava: nothing fits
    }
    int room = maxLength;
    if (key != null) {
      room -= key.recordLength();
    }
    OPTRecord opt = message.getOPT();
    byte[] optBytes = null;
    if (opt != null) {
      optBytes = opt.toWire(Section.ADDITIONAL);
      room -= optBytes.length;
    }
    Header header = message.getHeader();
    int flags = flags(header);
    DNSOutput out = new DNSOutput();
    out.writeU16(header.getID());
    out.writeU16(flags);
    for (int section = Section.QUESTION; section <= Section.ADDITIONAL; section++) {
      out.writeU16(header.getCount(section));
    }
    NameCompression compression = TABLES.get();
    compression.startMessage();
    int additional = 0;
    for (int section = Section.QUESTION; section <= Section.ADDITIONAL; section++) {
      int skipped = writeSection(message.getSection(section), section, out, compression, room);
      if (skipped != 0 && section != Section.ADDITIONAL) {
        flags |= 1 << (15 - Flags.TC);
        out.writeU16At(header.getCount(section) - skipped, QDCOUNT_AT + 2 * section);
        for (int later = section + 1; later < Section.ADDITIONAL; later++) {
          out.writeU16At(0, QDCOUNT_AT + 2 * later);
        }
        break;
      }
      if (section == Section.ADDITIONAL) {
        additional = header.getCount(section) - skipped;
      }
    }
    if (optBytes != null) {
      out.writeByteArray(optBytes);
      additional++;
    }
    out.writeU16At(flags, 2);
    out.writeU16At(additional, QDCOUNT_AT + 2 * Section.ADDITIONAL);
    if (key != null) {
      TSIGRecord tsig = key.generate(message, out.toByteArray(), Rcode.NOERROR, requestTsig);
      // Uncompressed: after a truncation the table still holds names that were rolled back.
      RecordWriter.write(tsig, out, null);
      out.writeU16At(additional + 1, QDCOUNT_AT + 2 * Section.ADDITIONAL);
    }
    if (compression.grown()) {
      TABLES.remove();
    }
    return out.toByteArray();
  }

  /**
   * Writes the section's records (OPT aside) while they fit in {@code maxLength}; on the first that
   * does not, takes back its whole RRset and stops. Returns how many records were left out,
   * counting OPT as dnsjava's {@code sectionToWire} does.
   */
  private static int writeSection(
      List<Record> records,
      int section,
      DNSOutput out,
      NameCompression compression,
      int maxLength) {
    int n = records.size();
    int setStart = out.current();
    int beforeSet = 0;
    int written = 0;
    Record last = null;
    for (int i = 0; i < n; i++) {
      Record record = records.get(i);
      if (section == Section.ADDITIONAL && record instanceof OPTRecord) {
        continue;
      }
      if (last != null && !record.sameRRset(last)) {
        setStart = out.current();
        beforeSet = written;
      }
      last = record;
      if (section == Section.QUESTION) {
        RecordWriter.writeName(record.getName(), out, compression);
        out.writeU16(record.getType());
        out.writeU16(record.getDClass());
      } else {
        RecordWriter.write(record, out, compression);
      }
      if (out.current() > maxLength) {
        out.jump(setStart);
        return n - beforeSet;
      }
      written++;
    }
    return n - written;
  }

  /** The header's second 16 bits: flags, opcode and the low 4 bits of the rcode. */
  private static int flags(Header header) {
    int flags = (header.getOpcode() << 11) | header.getRcode();
    for (int bit = 0; bit < 16; bit++) {
      if (Flags.isFlag(bit) && header.getFlag(bit)) {
        flags |= 1 << (15 - bit);
      }
    }
    return flags;
  }
}
