package org.cairndns.server.query;

import java.time.Duration;

/**
 * Settings the query processor reads.
 *
 * @param udpPayload the EDNS UDP payload size we advertise and honour at most (RFC 9715: 1232)
 * @param tcpIdleTimeout the idle timeout advertised with EDNS TCP keepalive (RFC 7828)
 * @param chaos answers for CHAOS TXT version.bind / hostname.bind / id.server, or null when off
 */
public record QueryConfig(int udpPayload, Duration tcpIdleTimeout, ChaosIdentity chaos) {

  /** What CHAOS class queries reveal; null fields are REFUSED. */
  public record ChaosIdentity(String version, String hostname, String id) {}

  public static QueryConfig defaults() {
    return new QueryConfig(1232, Duration.ofSeconds(10), null);
  }
}
