package org.cairndns.server.transport;

import org.cairndns.server.query.Outcome;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Type;

/**
 * The EDNS TCP keepalive option (RFC 7828) of a rendered response, patched in place of rebuilding
 * the message: the query processor advertises the configured idle timeout, and the connection table
 * turns it into 0 when it wants clients to go away (§3.3.2).
 */
final class KeepaliveOption {
  static final int CODE = EDNSOption.Code.TCP_KEEPALIVE;
  private static final int OPT = Type.OPT;
  private static final int TSIG = Type.TSIG;

  private KeepaliveOption() {}

  /**
   * {@code reply} with a keepalive timeout of 0, as {@link #withZeroTimeout(byte[])}. A cached
   * answer (one whose tail is shared) is passed as it is: it has no keepalive option, since the
   * cache takes only requests whose OPT record has no options, and the option only answers a client
   * that sent it.
   */
  static Outcome.Reply withZeroTimeout(Outcome.Reply reply) {
    if (!reply.whole()) {
      return reply;
    }
    byte[] patched = withZeroTimeout(reply.head());
    return patched == reply.head() ? reply : new Outcome.Reply(patched);
  }

  /**
   * A copy of {@code response} whose keepalive timeout is 0, or {@code response} itself when it
   * carries no keepalive option, is TSIG-signed (the MAC covers the OPT record) or does not parse.
   */
  static byte[] withZeroTimeout(byte[] response) {
    int at = timeoutOffset(response);
    if (at < 0 || (response[at] | response[at + 1]) == 0) {
      return response;
    }
    byte[] patched = response.clone(); // the response may be shared (a cached answer)
    patched[at] = 0;
    patched[at + 1] = 0;
    return patched;
  }

  /** Where the keepalive TIMEOUT of the OPT record begins, or -1. */
  static int timeoutOffset(byte[] m) {
    if (m.length < 12) {
      return -1;
    }
    int p = 12;
    for (int i = u16(m, 4); i > 0 && p >= 0; i--) {
      p = skipName(m, p) + 4;
    }
    int records = u16(m, 6) + u16(m, 8);
    for (int i = 0; i < records && p >= 0; i++) {
      p = skipRecord(m, p);
    }
    int option = -1;
    for (int i = u16(m, 10); i > 0 && p >= 0; i--) {
      int rr = skipName(m, p);
      if (rr < 0 || rr + 10 > m.length) {
        return -1;
      }
      int type = u16(m, rr);
      int rdata = rr + 10;
      int end = rdata + u16(m, rr + 8);
      if (type == TSIG || end > m.length) {
        return -1;
      }
      if (type == OPT) {
        option = optionIn(m, rdata, end);
      }
      p = end;
    }
    return p < 0 ? -1 : option;
  }

  private static int optionIn(byte[] m, int p, int end) {
    while (p + 4 <= end) {
      int code = u16(m, p);
      int length = u16(m, p + 2);
      if (code == CODE && length == 2 && p + 6 <= end) {
        return p + 4;
      }
      p += 4 + length;
    }
    return -1;
  }

  private static int skipRecord(byte[] m, int p) {
    int rr = skipName(m, p);
    if (rr < 0 || rr + 10 > m.length) {
      return -1;
    }
    return rr + 10 + u16(m, rr + 8);
  }

  private static int skipName(byte[] m, int p) {
    while (p >= 0 && p < m.length) {
      int len = m[p] & 0xFF;
      if (len == 0) {
        return p + 1;
      }
      if ((len & 0xC0) == 0xC0) {
        return p + 2 <= m.length ? p + 2 : -1;
      }
      if (len > 63) {
        return -1;
      }
      p += len + 1;
    }
    return -1;
  }

  private static int u16(byte[] m, int p) {
    return ((m[p] & 0xFF) << 8) | (m[p + 1] & 0xFF);
  }
}
