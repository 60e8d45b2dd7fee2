package org.cairndns.zone.wire;

import java.io.IOException;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * A response message read in place, for the bulk of a transfer: the header, then a cursor over the
 * answer records with each owner name decompressed into one reused buffer. A million-record AXFR
 * then costs no objects per record (dnsjava's Message makes a Name, its label arrays and a Record
 * for each). {@link #record()} gives the dnsjava Record of the current one when it is needed (SOA
 * records, IXFR, types whose RDATA may hold compressed names). Anything malformed is a {@link
 * WireParseException}.
 */
public final class WireMessage {
  private static final int HEADER = 12;
  private static final int MAX_NAME = 255;
  private static final int MAX_POINTERS = 127; // more than a 255-byte name can need: a loop

  private final byte[] wire;
  private final int answers;
  private int position;
  private int answersRead;

  // The current answer record.
  private final byte[] owner = new byte[MAX_NAME];
  private int ownerLength;
  private int type;
  private int dclass;
  private long ttl;
  private int rdataOffset;
  private int rdataLength;
  private Message parsed; // by dnsjava: given, or made on the first call to record()

  /**
   * @throws WireParseException when the header or question section is malformed
   */
  public WireMessage(byte[] wire) throws WireParseException {
    this(wire, null);
  }

  /**
   * @param parsed dnsjava's parse of {@code wire} when the caller made one already (to verify its
   *     TSIG), so {@link #record()} does not parse the message a second time; null when none
   */
  public WireMessage(byte[] wire, Message parsed) throws WireParseException {
    if (wire.length < HEADER) {
      throw new WireParseException(
          "message of " + wire.length + " bytes is shorter than a DNS header");
    }
    this.wire = wire;
    this.parsed = parsed;
    this.answers = u16(6);
    position = HEADER;
    for (int q = u16(4); q > 0; q--) {
      position = skipName(position) + 4;
      if (position > wire.length) {
        throw new WireParseException("malformed question section");
      }
    }
  }

  public static int id(byte[] wire) {
    return ((wire[0] & 0xFF) << 8) | (wire[1] & 0xFF);
  }

  /** The header's 4-bit RCODE (transfers do not use extended ones). */
  public int rcode() {
    return wire[3] & 0x0F;
  }

  /** Moves to the next answer record; false when there are no more. */
  public boolean nextAnswer() throws WireParseException {
    if (answersRead == answers) {
      return false;
    }
    answersRead++;
    int p = readOwner(position);
    if (p + 10 > wire.length) {
      throw new WireParseException("answer record truncated");
    }
    type = u16(p);
    dclass = u16(p + 2);
    ttl = ((long) u16(p + 4) << 16) | u16(p + 6);
    rdataLength = u16(p + 8);
    rdataOffset = p + 10;
    position = rdataOffset + rdataLength;
    if (position > wire.length) {
      throw new WireParseException("answer RDATA runs past the end of the message");
    }
    return true;
  }

  public int type() {
    return type;
  }

  public int dclass() {
    return dclass;
  }

  public long ttl() {
    return ttl;
  }

  /**
   * The current owner name, uncompressed, from offset 0 (later bytes are left from longer names).
   */
  public byte[] ownerBytes() {
    return owner;
  }

  public byte[] bytes() {
    return wire;
  }

  public int rdataOffset() {
    return rdataOffset;
  }

  public int rdataLength() {
    return rdataLength;
  }

  /** Whether the owner is {@code zone} (uncompressed wire form, lower case) or below it. */
  public boolean ownerWithin(byte[] zone) {
    int start = ownerLength - zone.length;
    if (start < 0 || !isLabelStart(start)) {
      return false;
    }
    for (int i = 0; i < zone.length; i++) {
      if (lower(owner[start + i]) != zone[i]) {
        return false;
      }
    }
    return true;
  }

  public boolean ownerIs(byte[] zone) {
    return ownerLength == zone.length && ownerWithin(zone);
  }

  /**
   * Whether the current RDATA is certain to hold no domain names, and is well formed, so it can be
   * copied as it is: A, AAAA and TXT, which fill large zones. Other types go through dnsjava, which
   * decompresses names in RDATA and checks each type's layout.
   */
  public boolean rdataIsPlain() {
    return switch (type) {
      case Type.A -> rdataLength == 4;
      case Type.AAAA -> rdataLength == 16;
      case Type.TXT -> stringsFillRdata();
      default -> false;
    };
  }

  /**
   * The dnsjava record for the current answer (names decompressed, RDATA checked). dnsjava reads a
   * record in place only inside its own package, so the first call has it parse the whole message
   * (about what it would cost record by record, and a message holding one such record usually holds
   * more); a message it cannot parse fails the transfer here.
   */
  public Record record() throws WireParseException {
    try {
      if (parsed == null) {
        parsed = new Message(wire);
      }
      return parsed.getSection(Section.ANSWER).get(answersRead - 1);
    } catch (IOException | RuntimeException e) {
      throw new WireParseException(
          "malformed " + Type.string(type) + " record or message: " + e.getMessage(), e);
    }
  }

  private boolean stringsFillRdata() {
    int p = rdataOffset;
    int end = rdataOffset + rdataLength;
    if (p == end) {
      return false; // TXT needs at least one string
    }
    while (p < end) {
      p += 1 + (wire[p] & 0xFF);
    }
    return p == end;
  }

  private boolean isLabelStart(int offset) {
    int p = 0;
    while (p < offset) {
      p += 1 + owner[p];
    }
    return p == offset;
  }

  /** Decompresses the name at {@code p} into {@link #owner}; returns the position after it. */
  private int readOwner(int p) throws WireParseException {
    int length = 0;
    int after = -1;
    int pointers = 0;
    while (true) {
      if (p >= wire.length) {
        throw new WireParseException("name runs past the end of the message");
      }
      int len = wire[p] & 0xFF;
      if ((len & 0xC0) == 0xC0) {
        if (p + 1 >= wire.length || ++pointers > MAX_POINTERS) {
          throw new WireParseException("bad compression pointer in a name");
        }
        int target = ((len & 0x3F) << 8) | (wire[p + 1] & 0xFF);
        if (target >= p) {
          throw new WireParseException("compression pointer does not point backwards");
        }
        if (after < 0) {
          after = p + 2;
        }
        p = target;
        continue;
      }
      if ((len & 0xC0) != 0) {
        throw new WireParseException("bad label type in a name");
      }
      if (length + len + 1 > MAX_NAME || p + len + 1 > wire.length) {
        throw new WireParseException("name longer than 255 bytes or past the end of the message");
      }
      System.arraycopy(wire, p, owner, length, len + 1);
      length += len + 1;
      p += len + 1;
      if (len == 0) {
        ownerLength = length;
        return after < 0 ? p : after;
      }
    }
  }

  private int skipName(int p) throws WireParseException {
    while (p < wire.length) {
      int len = wire[p] & 0xFF;
      if ((len & 0xC0) == 0xC0) {
        return p + 2;
      }
      if (len == 0) {
        return p + 1;
      }
      p += len + 1;
    }
    throw new WireParseException("name runs past the end of the message");
  }

  private int u16(int p) {
    return ((wire[p] & 0xFF) << 8) | (wire[p + 1] & 0xFF);
  }

  private static byte lower(byte b) {
    return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
  }

  /**
   * The EDNS TCP keepalive timeout (RFC 7828) the message carries, in milliseconds, or -1: the OPT
   * record's options, found by skipping the other sections.
   */
  public static long keepaliveMillis(byte[] wire) throws WireParseException {
    WireMessage m = new WireMessage(wire);
    if (m.u16(10) == 0) {
      return -1; // no additional records, so no OPT
    }
    int p = m.position;
    for (int rr = m.answers + m.u16(8) + m.u16(10); rr > 0; rr--) {
      p = m.skipName(p);
      if (p + 10 > wire.length) {
        throw new WireParseException("record truncated");
      }
      int rdlength = m.u16(p + 8);
      int end = p + 10 + rdlength;
      if (end > wire.length) {
        throw new WireParseException("RDATA runs past the end of the message");
      }
      if (m.u16(p) == Type.OPT) {
        for (int o = p + 10; o + 4 <= end; o += 4 + m.u16(o + 2)) {
          if (m.u16(o) == EDNSOption.Code.TCP_KEEPALIVE && m.u16(o + 2) == 2 && o + 6 <= end) {
            return m.u16(o + 4) * 100L; // units of 100 ms
          }
        }
      }
      p = end;
    }
    return -1;
  }
}
