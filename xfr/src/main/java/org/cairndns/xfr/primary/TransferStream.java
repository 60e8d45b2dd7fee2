package org.cairndns.xfr.primary;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.cairndns.zone.AxfrRecords;
import org.cairndns.zone.RecordWriter;
import org.xbill.DNS.Compression;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

/**
 * The messages of one transfer, rendered one at a time from a fixed list of records (the snapshot
 * the transfer started with), or for an unsigned whole zone straight from the snapshot's bytes,
 * each within the size limit. Closing it releases its transfer permit.
 */
final class TransferStream implements Iterator<byte[]>, AutoCloseable {
  private static final int HEADER_SIZE = 12;
  /** QR and AA set, opcode QUERY, RCODE NOERROR. */
  private static final int RESPONSE_FLAGS = (1 << (15 - Flags.QR)) | (1 << (15 - Flags.AA));
  /** Our OPT record: root owner, type, payload size, extended flags, no options. */
  private static final int OPT_SIZE = 11;
  /** Room for the TSIG record: about 100 bytes with HMAC-SHA512, plus the key's name. */
  private static final int TSIG_ROOM = 200;
  private final Message request;
  private final List<Record> records;
  private final AxfrRecords zone;
  private final int maxBytes;
  private final int maxRecords;
  private final TSIG.StreamGenerator signer;
  private final Runnable release;
  private int next;
  private boolean first = true;
  private boolean closed;

  TransferStream(Message request, List<Record> records, int maxBytes, int maxRecords, TSIG key, Runnable release) {
    this(request, records, null, maxBytes, maxRecords, key, release);
  }

  /** An unsigned transfer of the whole zone, written from the snapshot's bytes. */
  TransferStream(Message request, AxfrRecords zone, int maxBytes, int maxRecords, Runnable release) {
    this(request, null, zone, maxBytes, maxRecords, null, release);
  }

  private TransferStream(Message request, List<Record> records, AxfrRecords zone, int maxBytes, int maxRecords, TSIG key,
      Runnable release) {
    this.request = request;
    this.records = records;
    this.zone = zone;
    this.maxBytes = maxBytes;
    this.maxRecords = maxRecords <= 0 ? Integer.MAX_VALUE : maxRecords;
    TSIGRecord requestTsig = request.getTSIG();
    this.signer = key == null ? null : new TSIG.StreamGenerator(key, requestTsig);
    this.release = release;
  }

  @Override
  public boolean hasNext() {
    boolean more = (zone != null ? zone.hasMore() : next < records.size()) || first;
    if (!more) {
      close();
    }
    return more;
  }

  @Override
  public byte[] next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    if (signer == null) {
      return renderDirect();
    }
    Message m = new Message(request.getHeader().getID());
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setFlag(Flags.AA);
    m.getHeader().setOpcode(Opcode.QUERY);
    if (first) {
      m.addRecord(request.getQuestion(), Section.QUESTION);
    }
    OPTRecord opt = request.getOPT();
    // Room for the header, question, OPT and TSIG, which are not counted record by record.
    int budget = maxBytes - HEADER_SIZE - (first ? request.getQuestion().getName().length() + 4 : 0)
        - (opt != null ? OPT_SIZE : 0) - TSIG_ROOM;
    int count = 0;
    while (next < records.size() && count < maxRecords) {
      Record r = records.get(next);
      int size = r.getName().length() + 10 + r.rdataToWireCanonical().length;
      if (count > 0 && size > budget) {
        break;
      }
      m.addRecord(r, Section.ANSWER);
      budget -= size;
      count++;
      next++;
    }
    if (opt != null) {
      m.addRecord(new OPTRecord(opt.getPayloadSize(), 0, 0), Section.ADDITIONAL);
    }
    signer.generate(m); // signs every message
    first = false;
    return m.toWire();
  }

  /**
   * Writes header, question (first message only), as many records as fit and OPT straight into one
   * buffer with name compression. A record that does not fit is rolled back and starts the next
   * message, whose compression table is new, so no pointer can reach the rolled-back bytes.
   */
  private byte[] renderDirect() {
    OPTRecord opt = request.getOPT();
    int limit = maxBytes - (opt != null ? OPT_SIZE : 0);
    DNSOutput out = new DNSOutput(Math.min(maxBytes, 65_535));
    Compression compression = new Compression();
    out.writeU16(request.getHeader().getID());
    out.writeU16(RESPONSE_FLAGS);
    out.writeU16(first ? 1 : 0);
    out.writeU16(0); // ANCOUNT, patched below
    out.writeU16(0);
    out.writeU16(opt != null ? 1 : 0);
    if (first) {
      Record q = request.getQuestion();
      q.getName().toWire(out, compression);
      out.writeU16(q.getType());
      out.writeU16(q.getDClass());
    }
    int count = 0;
    if (zone != null) {
      zone.startMessage();
      while (zone.hasMore() && count < maxRecords && zone.writeNext(out, limit, count == 0)) {
        count++;
      }
    } else {
      while (next < records.size() && count < maxRecords) {
        int mark = out.current();
        RecordWriter.write(records.get(next), out, compression);
        if (out.current() > limit && count > 0) {
          out.jump(mark);
          break;
        }
        count++;
        next++;
      }
    }
    if (opt != null) {
      out.writeU8(0); // root owner
      out.writeU16(Type.OPT);
      out.writeU16(opt.getPayloadSize());
      out.writeU32(0); // extended rcode, version, flags
      out.writeU16(0); // no options
    }
    byte[] wire = out.toByteArray();
    wire[6] = (byte) (count >>> 8);
    wire[7] = (byte) count;
    first = false;
    return wire;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      release.run();
    }
  }
}
