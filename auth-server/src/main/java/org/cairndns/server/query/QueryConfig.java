package org.cairndns.server.query;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cairndns.server.config.CairnConfig;
import org.cairndns.server.config.ConfigLoader;
import org.cairndns.xfr.acl.TransferPolicy;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.Name;

/**
 * Settings the query processor reads.
 *
 * @param udpPayload the EDNS UDP payload size we advertise and honour at most (RFC 9715: 1232)
 * @param tcpIdleTimeout the idle timeout advertised with EDNS TCP keepalive (RFC 7828)
 * @param chaos answers for CHAOS TXT version.bind / hostname.bind / id.server, or null when off
 * @param responseCacheBytes the rendered-response cache's bound in bytes ({@code
 *     limits.response-cache-bytes})
 * @param cookies DNS cookie settings ({@code cookies})
 * @param access who may query which zone ({@code allow-query})
 * @param nsid the NSID option answered to queries asking for one (RFC 5001), or null
 */
public record QueryConfig(
    int udpPayload,
    Duration tcpIdleTimeout,
    ChaosIdentity chaos,
    long responseCacheBytes,
    CairnConfig.Cookies cookies,
    QueryAccess access,
    NSIDOption nsid) {

  /** Cookies as the configuration's default, everyone may query, and no NSID. */
  public QueryConfig(
      int udpPayload, Duration tcpIdleTimeout, ChaosIdentity chaos, long responseCacheBytes) {
    this(
        udpPayload,
        tcpIdleTimeout,
        chaos,
        responseCacheBytes,
        ConfigLoader.defaults().cookies(),
        QueryAccess.EVERYONE,
        null);
  }

  /** The response cache as large as the configuration's default. */
  public QueryConfig(int udpPayload, Duration tcpIdleTimeout, ChaosIdentity chaos) {
    this(udpPayload, tcpIdleTimeout, chaos, ConfigLoader.defaults().limits().responseCacheBytes());
  }

  /** What CHAOS class queries reveal; null fields are REFUSED. */
  public record ChaosIdentity(String version, String hostname, String id) {}

  /** The configuration's {@code limits} and {@code identity}. */
  public static QueryConfig from(CairnConfig config) {
    CairnConfig.Identity id = config.identity();
    CairnConfig.Limits limits = config.limits();
    return new QueryConfig(
        limits.udpPayload(),
        limits.tcpIdleTimeout(),
        id.chaos() ? new ChaosIdentity(id.version(), id.hostname(), id.id()) : null,
        limits.responseCacheBytes(),
        config.cookies(),
        access(config),
        id.nsid());
  }

  private static QueryAccess access(CairnConfig config) {
    Map<Name, List<TransferPolicy.Entry>> zones = new HashMap<>();
    config.zones().forEach(z -> zones.put(z.name(), z.allowQuery()));
    return new QueryAccess(config.allowQuery(), zones);
  }

  /** The configuration's defaults, but CHAOS queries refused. */
  public static QueryConfig defaults() {
    QueryConfig all = from(ConfigLoader.defaults());
    return new QueryConfig(
        all.udpPayload(),
        all.tcpIdleTimeout(),
        null,
        all.responseCacheBytes(),
        all.cookies(),
        all.access(),
        all.nsid());
  }
}
