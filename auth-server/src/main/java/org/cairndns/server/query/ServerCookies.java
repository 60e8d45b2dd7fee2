package org.cairndns.server.query;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.bouncycastle.crypto.macs.SipHash;
import org.bouncycastle.crypto.params.KeyParameter;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.server.config.CairnConfig;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * DNS cookies (RFC 7873) with the interoperable server cookie of RFC 9018: version 1, three
 * reserved bytes, a timestamp and SipHash-2-4 over client cookie, those eight bytes and the
 * client's address. A malformed COOKIE option never gets here: dnsjava refuses to parse it, which
 * answers FORMERR as RFC 7873 §5.2.2 asks.
 *
 * <p>A generated secret is replaced every {@link #ROTATION} and the previous one still accepted, as
 * Knot's secret-lifetime does; a configured one (shared by an anycast set) is never replaced.
 */
final class ServerCookies {
  /** Knot's mod-cookies secret-lifetime: longer than a cookie lives, so one previous suffices. */
  static final long ROTATION = 26 * 3600;

  /**
   * RFC 9018 §4.3: accepted up to an hour old and five minutes ahead, renewed past half an hour.
   */
  static final long MAX_AGE = 3600;

  static final long MAX_AHEAD = 300;
  static final long RENEW_AGE = 1800;

  private static final int CLIENT_LENGTH = 8;
  private static final int SERVER_LENGTH = 16;
  private static final int VERSION = 1;

  /** What a request's cookie is worth; RRL exempts {@link #VALID} UDP clients (RFC 7873 §5.2.4). */
  enum Status {
    /** No COOKIE option, or cookies are off. */
    NONE,
    /** A client cookie, alone or with a server cookie we did not make (treated alike, §5.2.3). */
    CLIENT_ONLY,
    /** A server cookie we made for this client within its lifetime. */
    VALID,
    /** Refused for want of a cookie (BADCOOKIE or TC): the response is complete. */
    REFUSED
  }

  private record Secrets(byte[] current, byte[] previous, long rotateAt) {}

  private final boolean enabled;
  private final boolean require;
  private final LongSupplier clock;
  private final SecureRandom random;
  private final AtomicReference<Secrets> secrets;

  ServerCookies(CairnConfig.Cookies settings) {
    this(settings, () -> System.currentTimeMillis() / 1000);
  }

  /**
   * @param clock seconds since the epoch
   */
  ServerCookies(CairnConfig.Cookies settings, LongSupplier clock) {
    this.enabled = settings.enabled();
    this.require = settings.require();
    this.clock = clock;
    if (settings.secret() != null) {
      this.random = null;
      this.secrets =
          new AtomicReference<>(
              new Secrets(HexFormat.of().parseHex(settings.secret()), null, Long.MAX_VALUE));
    } else {
      this.random = new SecureRandom();
      this.secrets =
          new AtomicReference<>(new Secrets(newSecret(), null, clock.getAsLong() + ROTATION));
    }
  }

  /**
   * Checks the request's cookie and gives {@code r} (a fresh response skeleton) its COOKIE option,
   * or, when {@code cookies.require} turns a query away over UDP, makes {@code r} the BADCOOKIE or
   * truncated answer and returns {@link Status#REFUSED}.
   */
  Status answer(OPTRecord opt, Requester requester, Message r) {
    if (!enabled) {
      return Status.NONE;
    }
    CookieOption cookie = opt == null ? null : first(opt.getOptions(EDNSOption.Code.COOKIE));
    // As BIND's require-server-cookie, only queries: a primary's NOTIFY is never turned away.
    boolean enforce =
        require
            && requester.transport() == Transport.UDP
            && r.getHeader().getOpcode() == Opcode.QUERY;
    if (cookie == null) {
      if (enforce) {
        r.getHeader().setFlag(Flags.TC); // BIND's require-server-cookie: retry over TCP
        return Status.REFUSED;
      }
      return Status.NONE;
    }
    byte[] client = cookie.getClientCookie();
    byte[] address = requester.address().getAddress().getAddress();
    long now = clock.getAsLong();
    Secrets keys = secrets(now);
    byte[] server = cookie.getServerCookie().orElse(null);
    long age = server == null ? -1 - MAX_AHEAD : age(server, now);
    boolean fresh = age >= -MAX_AHEAD && age <= MAX_AGE; // so far a 16-byte version 1 cookie
    boolean current = fresh && matches(keys.current, client, server, address);
    boolean valid =
        current
            || (fresh && keys.previous != null && matches(keys.previous, client, server, address));
    byte[] echoed = current && age <= RENEW_AGE ? server : make(keys.current, client, address, now);
    int xrcode = 0;
    if (!valid && enforce) {
      r.getHeader()
          .setRcode(Rcode.BADCOOKIE & 0xF); // RFC 7873 §5.2.3, BIND's require-server-cookie
      xrcode = Rcode.BADCOOKIE >>> 4;
    }
    // A placeholder, merged into the response's OPT by QueryProcessor.reply.
    r.addRecord(
        new OPTRecord(0, xrcode, 0, 0, List.of(new CookieOption(client, echoed))),
        Section.ADDITIONAL);
    if (xrcode != 0) {
      return Status.REFUSED;
    }
    return valid ? Status.VALID : Status.CLIENT_ONLY;
  }

  private static CookieOption first(List<EDNSOption> options) {
    // RFC 7873 §5.2: the first COOKIE option counts, any other is ignored.
    return options.isEmpty() ? null : (CookieOption) options.get(0);
  }

  /**
   * Seconds since an RFC 9018 cookie was made (negative: ahead of our clock), or out of the window
   * when it is not a 16-byte version 1 cookie. The timestamp is compared in serial number
   * arithmetic.
   */
  private static long age(byte[] server, long now) {
    if (server.length != SERVER_LENGTH || server[0] != VERSION) {
      return -1 - MAX_AHEAD;
    }
    int stamp =
        ((server[4] & 0xFF) << 24)
            | ((server[5] & 0xFF) << 16)
            | ((server[6] & 0xFF) << 8)
            | (server[7] & 0xFF);
    return (long) ((int) now - stamp); // the 32-bit difference: serial number arithmetic
  }

  /** The secrets now, rotating a generated one when its lifetime is over. */
  private Secrets secrets(long now) {
    Secrets s = secrets.get();
    while (now >= s.rotateAt) {
      Secrets next = new Secrets(newSecret(), s.current, now + ROTATION);
      if (secrets.compareAndSet(s, next)) {
        return next;
      }
      s = secrets.get(); // another thread rotated first
    }
    return s;
  }

  private byte[] newSecret() {
    byte[] secret = new byte[16];
    random.nextBytes(secret);
    return secret;
  }

  private static boolean matches(byte[] secret, byte[] client, byte[] server, byte[] address) {
    byte[] expected = Arrays.copyOf(server, SERVER_LENGTH); // the hash covers the received header
    mac(secret, client, expected, address);
    return MessageDigest.isEqual(expected, server);
  }

  /** The RFC 9018 server cookie for {@code client} at {@code address}, made at {@code now}. */
  static byte[] make(byte[] secret, byte[] client, byte[] address, long now) {
    byte[] cookie = new byte[SERVER_LENGTH];
    cookie[0] = VERSION;
    cookie[4] = (byte) (now >>> 24);
    cookie[5] = (byte) (now >>> 16);
    cookie[6] = (byte) (now >>> 8);
    cookie[7] = (byte) now;
    mac(secret, client, cookie, address);
    return cookie;
  }

  /** Writes the hash into the last eight bytes of {@code cookie}, over its first eight. */
  private static void mac(byte[] secret, byte[] client, byte[] cookie, byte[] address) {
    SipHash sip = new SipHash(2, 4);
    sip.init(new KeyParameter(secret));
    sip.update(client, 0, CLIENT_LENGTH);
    sip.update(cookie, 0, 8);
    sip.update(address, 0, address.length);
    sip.doFinal(cookie, 8);
  }
}
