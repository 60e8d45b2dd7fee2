package org.cairndns.server.query;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.xfr.acl.TransferPolicy;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Type;

/**
 * Rendered responses to plain questions, so the common query is answered by copying bytes and
 * patching the ID, without building dnsjava messages. Only requests of the simplest shape are
 * cached (one question, no answer/authority records, at most a bare OPT without options or TSIG);
 * everything else takes the full path. Entries carry the zone set's generation, so any publish
 * makes older ones misses.
 *
 * <p>Bounded in bytes, and keyed so that the variants a client can make of one question share an
 * entry (a client asking for one 31 KB answer in thousands of letter cases and EDNS sizes pinned
 * 352 MB): the name is case-folded, and the EDNS size becomes the size class the response is
 * rendered for ({@link #udpLimit}). The question on the way out gets the request's letter case back
 * (RFC 4343; resolvers using 0x20 check it), and so do the answers' owners written as a pointer to
 * it. Every other name keeps the case it was loaded in, so an entry serves any case only when no
 * other name reaches into the question: names are compressed case-sensitively ({@code
 * wire.MessageWriter}), and a zone name that pointed at a suffix of the question would take the
 * next asker's case. A synthesized CNAME (DNAME) carries the case of its query, so such an entry
 * serves only that exact case too.
 */
final class ResponseCache {
  // Header bits as they lie in the request's bytes: QR, opcode and RD in the third, CD in the
  // fourth;
  // DO in the high byte of the OPT record's extended flags.
  private static final int QR_BYTE = (1 << (15 - Flags.QR)) >>> 8;
  private static final int OPCODE_BYTE = 0x78;
  private static final int RD_BYTE = (1 << (15 - Flags.RD)) >>> 8;
  private static final int CD_BYTE = 1 << (15 - Flags.CD);
  private static final int DO_BYTE = ExtendedFlags.DO >>> 8;

  /** Per entry besides the two arrays' contents: map node, key, entry and array headers. */
  static final int ENTRY_OVERHEAD = 112;

  private final long maxBytes;
  private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicBoolean evicting = new AtomicBoolean();

  /**
   * @param acl the {@code allow-query} list of the zone answering, checked on every hit; null for
   *     everyone
   */
  private record Entry(long generation, byte[] wire, boolean anyCase, TransferPolicy acl) {}

  ResponseCache(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /**
   * Question bytes (name case-folded, type, class) plus everything else the response depends on.
   */
  static final class Key {
    private final byte[] bytes;
    private final int nameLength;
    private final int hash;

    Key(byte[] bytes, int nameLength) {
      this.bytes = bytes;
      this.nameLength = nameLength;
      this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * The UDP response size for a request offering {@code offered} bytes of EDNS payload, when we
   * allow {@code ours}: our size when the offer reaches it, else the offer rounded down to a
   * multiple of 512 (at least 512). A response may always be smaller than the offer (RFC 6891
   * §6.2.5), and a handful of size classes keep the cache from holding one copy per size.
   */
  static int udpLimit(int offered, int ours) {
    return offered >= ours ? ours : Math.max(512, offered / 512 * 512);
  }

  /** The cache key for a request of the cacheable shape, or null. */
  static Key keyFor(byte[] req, Transport transport, int udpPayload) {
    if (req.length < 17 || transport == Transport.TLS) {
      return null; // TLS answers may carry padding; keep them on the full path
    }
    int flags = req[2] & 0xFF;
    if ((flags & (QR_BYTE | OPCODE_BYTE)) != 0
        || (req[4] | req[6] | req[7] | req[8] | req[9] | req[10]) != 0
        || req[5] != 1) {
      return null; // QR set, opcode not QUERY, or counts other than QD=1, AR<=1
    }
    int arcount = req[11] & 0xFF;
    if (arcount > 1) {
      return null;
    }
    int pos = 12;
    while (true) {
      if (pos >= req.length) {
        return null;
      }
      int len = req[pos] & 0xFF;
      if (len == 0) {
        pos++;
        break;
      }
      if (len > 63) {
        return null; // compression in a question: full path
      }
      pos += len + 1;
    }
    int qEnd = pos + 4;
    if (qEnd > req.length) {
      return null;
    }
    int qtype = ((req[pos] & 0xFF) << 8) | (req[pos + 1] & 0xFF);
    int qclass = ((req[pos + 2] & 0xFF) << 8) | (req[pos + 3] & 0xFF);
    if (qclass != DClass.IN
        || qtype == Type.IXFR
        || qtype == Type.AXFR
        || qtype == Type.ANY
        || qtype == Type.OPT
        || qtype == Type.TSIG) {
      return null; // IN only; no IXFR, AXFR, ANY, OPT, TSIG
    }
    int size = 0; // no OPT: no OPT in the response, 512 bytes over UDP
    int ednsFlags = 0;
    if (arcount == 1) {
      // Only a bare OPT: root owner, type OPT, version 0, no options.
      if (req.length != qEnd + 11
          || req[qEnd] != 0
          || req[qEnd + 1] != 0
          || req[qEnd + 2] != Type.OPT
          || req[qEnd + 6] != 0
          || req[qEnd + 9] != 0
          || req[qEnd + 10] != 0) {
        return null;
      }
      int offered = ((req[qEnd + 3] & 0xFF) << 8) | (req[qEnd + 4] & 0xFF);
      size =
          transport == Transport.UDP
              ? udpLimit(offered, udpPayload)
              : 1; // streams: only "had OPT" matters
      ednsFlags = req[qEnd + 7] & DO_BYTE;
      if (req[qEnd + 5] != 0) {
        return null; // extended rcode bits in a query
      }
    } else if (req.length != qEnd) {
      return null; // trailing bytes
    }
    int nameLen = pos - 12;
    byte[] key = new byte[nameLen + 4 + 5];
    System.arraycopy(req, 12, key, 0, nameLen + 4);
    for (int i = 0; i < nameLen; i++) {
      byte b = key[i]; // label lengths (at most 63) are never letters
      if (b >= 'A' && b <= 'Z') {
        key[i] = (byte) (b + ('a' - 'A'));
      }
    }
    int k = nameLen + 4;
    key[k++] = (byte) ((req[3] & CD_BYTE) | (req[2] & RD_BYTE));
    key[k++] = (byte) (transport == Transport.UDP ? 0 : 1);
    key[k++] = (byte) (size >>> 8);
    key[k++] = (byte) size;
    key[k] = (byte) ednsFlags;
    return new Key(key, nameLen);
  }

  /**
   * The cached response with the request's ID and question name, or null: a head of its own up to
   * the end of the question name, then the shared entry (never copied per request: for a 31 KB
   * answer that copy was three quarters of what a cache-amplifying client made us allocate). Null
   * too for a requester the entry's {@code allow-query} list refuses: the full path refuses it.
   */
  Outcome.Reply lookup(Key key, long generation, byte[] request, Requester requester) {
    Entry e = entries.get(key);
    int nameEnd = 12 + key.nameLength;
    if (e == null
        || e.generation != generation
        || (!e.anyCase && !Arrays.equals(e.wire, 12, nameEnd, request, 12, nameEnd))
        || (e.acl != null && !QueryAccess.allows(e.acl, requester, null))) {
      return null;
    }
    byte[] head = Arrays.copyOf(e.wire, nameEnd);
    head[0] = request[0];
    head[1] = request[1];
    System.arraycopy(request, 12, head, 12, key.nameLength); // the request's letter case
    return new Outcome.Reply(head, e.wire, nameEnd);
  }

  /**
   * @param acl the {@code allow-query} list of the zone answering (null: everyone), which {@link
   *     #lookup} holds every later requester to
   */
  void store(Key key, long generation, byte[] wire, TransferPolicy acl) {
    long cost = cost(key, wire);
    if (cost > maxBytes / 16) {
      return; // one answer may not crowd out the rest
    }
    Entry old =
        entries.put(key, new Entry(generation, wire, servesAnyCase(wire, key.nameLength), acl));
    if (bytes.addAndGet(old == null ? cost : cost - cost(key, old.wire)) > maxBytes) {
      evict();
    }
  }

  /** Bytes held (contents plus {@link #ENTRY_OVERHEAD} per entry). */
  long bytes() {
    return bytes.get();
  }

  private static long cost(Key key, byte[] wire) {
    return (long) wire.length + key.bytes.length + ENTRY_OVERHEAD;
  }

  /** Drops entries in the map's own order (unrelated to age or use) until a quarter is free. */
  private void evict() {
    if (!evicting.compareAndSet(false, true)) {
      return; // another thread is at it, and sees what we added
    }
    try {
      long target = maxBytes - maxBytes / 4;
      Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
      while (bytes.get() > target && it.hasNext()) {
        Map.Entry<Key, Entry> victim = it.next();
        if (entries.remove(victim.getKey(), victim.getValue())) {
          bytes.addAndGet(-cost(victim.getKey(), victim.getValue().wire));
        }
      }
    } finally {
      evicting.set(false);
    }
  }

  /**
   * Whether the response reads right with another case of its question name patched in: no DNAME in
   * the answer, and no name but an answer's owner written as a pointer to the question's name
   * reaches into it. Anything that cannot be walked serves only its own case.
   */
  private static boolean servesAnyCase(byte[] wire, int nameLength) {
    int nameEnd = 12 + nameLength;
    int answers = u16(wire, 6);
    int records = answers + u16(wire, 8) + u16(wire, 10);
    int pos = nameEnd + 4;
    for (int i = 0; i < records; i++) {
      boolean echoedOwner =
          i < answers
              && pos + 1 < wire.length
              && (wire[pos] & 0xFF) == 0xC0
              && (wire[pos + 1] & 0xFF) == 12;
      if (!echoedOwner && reachesQuestion(wire, pos, nameEnd)) {
        return false;
      }
      pos = afterName(wire, pos);
      if (pos < 0 || pos + 10 > wire.length) {
        return false;
      }
      int type = u16(wire, pos);
      int rdata = pos + 10;
      pos = rdata + u16(wire, pos + 8);
      if (pos > wire.length || (i < answers && type == Type.DNAME)) {
        return false;
      }
      // The types whose RDATA names are compressed (RecordWriter).
      boolean reaches =
          switch (type) {
            case Type.NS, Type.CNAME, Type.PTR -> reachesQuestion(wire, rdata, nameEnd);
            case Type.MX -> reachesQuestion(wire, rdata + 2, nameEnd);
            case Type.SOA ->
                reachesQuestion(wire, rdata, nameEnd)
                    || reachesQuestion(wire, afterName(wire, rdata), nameEnd);
            default -> false;
          };
      if (reaches) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the name at {@code pos}, followed through its pointers, points before {@code nameEnd}
   * (into the question's name); true too when it is malformed.
   */
  private static boolean reachesQuestion(byte[] wire, int pos, int nameEnd) {
    int p = pos;
    for (int steps = 0; steps < 256 && p >= 0 && p < wire.length; steps++) {
      int len = wire[p] & 0xFF;
      if (len == 0) {
        return false;
      }
      if (len >= 0xC0) {
        if (p + 1 >= wire.length) {
          return true;
        }
        p = ((len & 0x3F) << 8) | (wire[p + 1] & 0xFF);
        if (p < nameEnd) {
          return true;
        }
      } else {
        p += len + 1;
      }
    }
    return true;
  }

  /** The offset after the (maybe compressed) name at {@code pos}, or -1 when it runs out. */
  private static int afterName(byte[] wire, int pos) {
    int p = pos;
    while (p >= 0 && p < wire.length) {
      int len = wire[p] & 0xFF;
      if (len >= 0xC0) {
        return p + 2;
      }
      p += len + 1;
      if (len == 0) {
        return p;
      }
    }
    return -1;
  }

  private static int u16(byte[] wire, int at) {
    return ((wire[at] & 0xFF) << 8) | (wire[at + 1] & 0xFF);
  }
}
