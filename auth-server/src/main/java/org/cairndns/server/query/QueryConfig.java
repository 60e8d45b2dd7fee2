package org.cairndns.server.query;

import java.time.Duration;

/**
 * Settings the query processor reads.
 *
 * @param udpPayload the EDNS UDP payload size we advertise and honour at most (RFC 9715: 1232)
 * @param tcpIdleTimeout the idle timeout advertised with EDNS TCP keepalive (RFC 7828)
 * @param chaos answers for CHAOS TXT version.bind / hostname.bind / id.server, or null when off
 * @param responseCacheBytes the rendered-response cache's bound in bytes ({@code limits.response-cache-bytes})
 */
public record QueryConfig(int udpPayload, Duration tcpIdleTimeout, ChaosIdentity chaos, long responseCacheBytes) {

  /**
   * 64 MB: room for about 100,000 answers of a few hundred bytes, more than the hot set of most
   * zones, while a heap of 512 MB keeps seven eighths for everything else.
   */
  public static final long DEFAULT_RESPONSE_CACHE_BYTES = 64L << 20;

  public QueryConfig(int udpPayload, Duration tcpIdleTimeout, ChaosIdentity chaos) {
    this(udpPayload, tcpIdleTimeout, chaos, DEFAULT_RESPONSE_CACHE_BYTES);
  }

  /** What CHAOS class queries reveal; null fields are REFUSED. */
  public record ChaosIdentity(String version, String hostname, String id) {}

  public static QueryConfig defaults() {
    return new QueryConfig(1232, Duration.ofSeconds(10), null);
  }
}
