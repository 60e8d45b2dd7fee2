package org.cairndns.server.query;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import org.cairndns.xfr.Transport;

/**
 * Rendered responses to plain questions, so the common query is answered by copying bytes and
 * patching the ID, without building dnsjava messages. The key keeps the question's letter case, as
 * the answer echoes it (also inside synthesized names such as DNAME's CNAME). Only
 * requests of the simplest shape are cached (one question, no answer/authority records, at most a
 * bare OPT without options or TSIG); everything else takes the full path. Entries carry the zone
 * set's generation, so any publish makes older ones misses; the map is cleared when it grows large.
 */
final class ResponseCache {
  private static final int MAX_ENTRIES = 200_000;

  private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

  private record Entry(long generation, byte[] wire) {}

  /** Question bytes (name as asked, type, class) plus everything else the response depends on. */
  static final class Key {
    private final byte[] bytes;
    private final int hash;

    Key(byte[] bytes) {
      this.bytes = bytes;
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
   * The cache key for a request of the cacheable shape, or null.
   */
  static Key keyFor(byte[] req, Transport transport) {
    if (req.length < 17 || transport == Transport.TLS) {
      return null; // TLS answers may carry padding; keep them on the full path
    }
    int flags = req[2] & 0xFF;
    if ((flags & 0xF8) != 0 || (req[4] | req[6] | req[7] | req[8] | req[9] | req[10]) != 0 || req[5] != 1) {
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
    if (qclass != 1 || qtype == 251 || qtype == 252 || qtype == 255 || qtype == 41 || qtype == 250) {
      return null; // IN only; no IXFR, AXFR, ANY, OPT, TSIG
    }
    int payload = -1;
    int ednsFlags = 0;
    if (arcount == 1) {
      // Only a bare OPT: root owner, type 41, version 0, no options.
      if (req.length != qEnd + 11 || req[qEnd] != 0 || req[qEnd + 1] != 0 || req[qEnd + 2] != 41
          || req[qEnd + 6] != 0 || req[qEnd + 9] != 0 || req[qEnd + 10] != 0) {
        return null;
      }
      payload = ((req[qEnd + 3] & 0xFF) << 8) | (req[qEnd + 4] & 0xFF);
      ednsFlags = req[qEnd + 7] & 0x80; // DO
      if (req[qEnd + 5] != 0) {
        return null; // extended rcode bits in a query
      }
    } else if (req.length != qEnd) {
      return null; // trailing bytes
    }
    int nameLen = pos - 12;
    byte[] key = new byte[nameLen + 4 + 5];
    System.arraycopy(req, 12, key, 0, nameLen + 4);
    int k = nameLen + 4;
    key[k++] = (byte) (req[3] & 0x10 | req[2] & 0x01); // CD and RD
    key[k++] = (byte) (transport == Transport.UDP ? 0 : 1);
    key[k++] = (byte) (payload >>> 8);
    key[k++] = (byte) payload;
    key[k] = (byte) ednsFlags;
    return new Key(key);
  }

  /** A copy of the cached response with the request's ID, or null. */
  byte[] lookup(Key key, long generation, byte[] request) {
    Entry e = entries.get(key);
    if (e == null || e.generation != generation) {
      return null;
    }
    byte[] out = e.wire.clone();
    out[0] = request[0];
    out[1] = request[1];
    return out;
  }

  void store(Key key, long generation, byte[] wire) {
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    entries.put(key, new Entry(generation, wire));
  }
}
