package org.cairndns.xfr.primary;

import org.cairndns.zone.store.Serials;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

/**
 * What an IXFR query says about the client, read the same way for IXFR over UDP and over TCP/TLS.
 */
public final class IxfrRequest {
  /**
   * The request carries no SOA: the client's version is unknown (a serial is 0..2^32-1, never
   * this).
   */
  public static final long NO_SERIAL = -1;

  private IxfrRequest() {}

  /**
   * The client's serial, from the SOA in the AUTHORITY section (RFC 1995 §3), or {@link
   * #NO_SERIAL}. RFC 1995 has exactly one SOA there; when a request carries more, the first is
   * taken, as BIND and Knot do (they read the first/only SOA), so that UDP and TCP answers agree on
   * one reading.
   */
  public static long clientSerial(Message request) {
    for (Record r : request.getSection(Section.AUTHORITY)) {
      if (r instanceof SOARecord soa) {
        return soa.getSerial();
      }
    }
    return NO_SERIAL;
  }

  /**
   * Whether a client at {@code clientSerial} (from {@link #clientSerial}) already has {@code
   * zoneSerial} or newer (RFC 1982), so that the answer is the single SOA: RFC 1995 §2 over UDP, §4
   * over TCP. False for {@link #NO_SERIAL}.
   */
  public static boolean isCurrent(long clientSerial, long zoneSerial) {
    return clientSerial != NO_SERIAL && !Serials.isNewer(zoneSerial, clientSerial);
  }
}
