package org.cairndns.zone.wire;

import java.util.List;
import java.util.NoSuchElementException;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

/**
 * The response messages of one zone transfer, rendered one at a time straight into wire form, for
 * AXFR and IXFR, signed or not: header, the question in the first message only (as BIND does), as
 * many records as fit the size limit and the per-message cap, OPT when the request had one, then
 * the TSIG when the transfer is signed (RFC 8945 §5.3.1: every message, each MAC covering the one
 * before). A whole zone is written from the snapshot's arenas ({@link AxfrRecords}); an increment
 * from its records. A record that does not fit is rolled back and starts the next message, whose
 * compression table is new, so no pointer can reach the rolled-back bytes. Not thread-safe.
 */
public final class TransferMessages {
  /** QR and AA set, opcode QUERY, RCODE NOERROR. */
  private static final int RESPONSE_FLAGS = (1 << (15 - Flags.QR)) | (1 << (15 - Flags.AA));

  /** Our OPT record: root owner, type, payload size, extended flags, no options. */
  private static final int OPT_SIZE = 11;

  private final Message request;
  private final AxfrRecords zone;
  private final List<Record> records;
  private final int maxBytes;
  private final int maxRecords;
  private final TSIG key;

  /** The question's and an increment's names; a whole zone's owners have {@link AxfrRecords}'. */
  private final NameCompression compression = new NameCompression();

  /** The MAC the next message's covers: the request's first, then each message's own. */
  private TSIGRecord previous;

  private int next;
  private boolean first = true;

  private TransferMessages(
      Message request,
      AxfrRecords zone,
      List<Record> records,
      int maxBytes,
      int maxRecords,
      TSIG key) {
    this.request = request;
    this.zone = zone;
    this.records = records;
    this.maxBytes = maxBytes;
    this.maxRecords = maxRecords <= 0 ? Integer.MAX_VALUE : maxRecords;
    this.key = key;
    this.previous = request.getTSIG();
  }

  /**
   * A whole zone, from its arenas.
   *
   * @param maxRecords records per message, 0 for as many as fit
   * @param key null to send the messages unsigned
   */
  public static TransferMessages of(
      Message request, AxfrRecords zone, int maxBytes, int maxRecords, TSIG key) {
    return new TransferMessages(request, zone, null, maxBytes, maxRecords, key);
  }

  /** {@code records} in this order (an IXFR's, or a single SOA), otherwise as the other factory. */
  public static TransferMessages of(
      Message request, List<Record> records, int maxBytes, int maxRecords, TSIG key) {
    return new TransferMessages(request, null, records, maxBytes, maxRecords, key);
  }

  /** Whether a message is left; the first always is, with the question even when nothing else. */
  public boolean hasNext() {
    return first || (zone != null ? zone.hasMore() : next < records.size());
  }

  public byte[] next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    OPTRecord opt = request.getOPT();
    int limit = maxBytes - (opt != null ? OPT_SIZE : 0) - (key != null ? key.recordLength() : 0);
    DNSOutput out = new DNSOutput(Math.min(maxBytes, 65_535));
    out.writeU16(request.getHeader().getID());
    out.writeU16(RESPONSE_FLAGS);
    out.writeU16(first ? 1 : 0);
    out.writeU16(0); // ANCOUNT, patched below
    out.writeU16(0);
    out.writeU16(opt != null ? 1 : 0);
    compression.startMessage();
    if (first) {
      Record q = request.getQuestion();
      RecordWriter.writeName(q.getName(), out, compression);
      out.writeU16(q.getType());
      out.writeU16(q.getDClass());
    }
    int count = zone != null ? writeFromArenas(out, limit) : writeRecords(out, limit);
    out.writeU16At(count, 6);
    if (opt != null) {
      out.writeU8(0); // root owner
      out.writeU16(Type.OPT);
      out.writeU16(opt.getPayloadSize());
      out.writeU32(0); // extended rcode, version, flags
      out.writeU16(0); // no options
    }
    boolean opening = first;
    first = false;
    return key == null ? out.toByteArray() : signed(out, opening, opt != null ? 2 : 1);
  }

  private int writeFromArenas(DNSOutput out, int limit) {
    int count = 0;
    zone.startMessage();
    while (zone.hasMore() && count < maxRecords && zone.writeNext(out, limit, count == 0)) {
      count++;
    }
    return count;
  }

  private int writeRecords(DNSOutput out, int limit) {
    int count = 0;
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
    return count;
  }

  /**
   * The message with its TSIG appended: the MAC covers the message as it is (ARCOUNT without the
   * TSIG) and the MAC before it; the first message's covers all TSIG variables (RFC 8945 §5.3.1).
   * dnsjava's {@code StreamGenerator} computes the same but only over a {@link Message} it renders.
   */
  private byte[] signed(DNSOutput out, boolean opening, int additional) {
    byte[] unsigned = out.toByteArray();
    Message idOnly = new Message(request.getHeader().getID()); // all the MAC takes from a Message
    TSIGRecord tsig = key.generate(idOnly, unsigned, Rcode.NOERROR, previous, opening);
    previous = tsig;
    RecordWriter.write(tsig, out, null);
    out.writeU16At(additional, 10);
    return out.toByteArray();
  }
}
