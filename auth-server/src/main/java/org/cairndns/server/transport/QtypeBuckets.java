package org.cairndns.server.transport;

import java.util.Arrays;
import java.util.List;
import org.xbill.DNS.Type;

/**
 * The query types counted by name; any other type, and a request whose question cannot be read,
 * counts as "other", so the number of series stays fixed whatever clients send.
 */
public final class QtypeBuckets {
  /** The types named: the common ones, DNSSEC's, and transfers. */
  public static final List<Integer> NAMED =
      List.of(
          Type.A,
          Type.AAAA,
          Type.NS,
          Type.SOA,
          Type.CNAME,
          Type.DNAME,
          Type.MX,
          Type.TXT,
          Type.PTR,
          Type.SRV,
          Type.NAPTR,
          Type.CAA,
          Type.SVCB,
          Type.HTTPS,
          Type.DS,
          Type.DNSKEY,
          Type.NSEC,
          Type.NSEC3PARAM,
          Type.ANY,
          Type.AXFR,
          Type.IXFR);

  /** Bucket of the types not named. */
  public static final int OTHER = NAMED.size();

  public static final int COUNT = NAMED.size() + 1;

  static final int IXFR = NAMED.indexOf(Type.IXFR);

  /** Bucket by type: a 64 KB table, so finding one is a single array read. */
  private static final byte[] BUCKET = new byte[65_536];

  static {
    Arrays.fill(BUCKET, (byte) OTHER);
    for (int i = 0; i < NAMED.size(); i++) {
      BUCKET[NAMED.get(i)] = (byte) i;
    }
  }

  private QtypeBuckets() {}

  /** The label of bucket {@code i}: the type's mnemonic, or "other". */
  public static String label(int i) {
    return i == OTHER ? "other" : Type.string(NAMED.get(i));
  }

  /**
   * The bucket of the first question's type, read from the wire without parsing the message (the
   * name is skipped label by label; a compression pointer ends it).
   */
  static int of(byte[] request) {
    if (request.length < 12 || (request[4] == 0 && request[5] == 0)) {
      return OTHER;
    }
    int i = 12;
    while (i < request.length) {
      int len = request[i] & 0xFF;
      if (len == 0) {
        i++;
        break;
      }
      if ((len & 0xC0) != 0) {
        i += 2;
        break;
      }
      i += len + 1;
    }
    if (i + 2 > request.length) {
      return OTHER;
    }
    return BUCKET[((request[i] & 0xFF) << 8) | (request[i + 1] & 0xFF)];
  }
}
