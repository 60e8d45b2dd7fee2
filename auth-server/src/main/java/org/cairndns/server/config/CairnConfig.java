package org.cairndns.server.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.xbill.DNS.Name;

/**
 * The validated configuration (see docs/configuration.md for every key). Read once at start and
 * passed to constructors; nothing looks configuration up globally.
 */
public record CairnConfig(
    Path database,
    List<InetSocketAddress> listen,
    List<InetSocketAddress> tlsListen,
    Tls tls,
    Limits limits,
    Identity identity,
    Duration storePollInterval,
    List<ZoneEntry> zones) {

  /** TLS certificate settings; all paths null means a self-signed certificate beside the database. */
  public record Tls(Path certificate, Path key, String keyPassword, Path clientCa, String minVersion) {}

  public record Limits(
      Duration tcpIdleTimeout,
      int tcpConnections,
      int tcpConnectionsPerAddress,
      Duration tlsHandshakeTimeout,
      int udpPayload,
      int journalSteps) {}

  /** CHAOS TXT answers; {@code chaos} false refuses them all. */
  public record Identity(boolean chaos, String version, String hostname, String id) {}

  /** A zone to serve; with {@code file}, the file is loaded into the store at start. */
  public record ZoneEntry(Name name, Path file) {}

  public CairnConfig withOverrides(Path db, List<InetSocketAddress> listenOverride, List<InetSocketAddress> tlsOverride) {
    return new CairnConfig(
        db != null ? db : database,
        listenOverride.isEmpty() ? listen : listenOverride,
        tlsOverride.isEmpty() ? tlsListen : tlsOverride,
        tls, limits, identity, storePollInterval, zones);
  }
}
