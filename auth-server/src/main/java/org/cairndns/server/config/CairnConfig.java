package org.cairndns.server.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.cairndns.request.Transport;
import org.cairndns.tls.TlsSettings;
import org.cairndns.xfr.acl.TransferPolicy;
import org.cairndns.xfr.notify.NotifySender;
import org.cairndns.xfr.secondary.PrimarySettings;
import org.cairndns.xfr.secondary.TransferLimits;
import org.cairndns.zone.master.ZoneValidator;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.Name;

/**
 * The validated configuration (see docs/configuration.md for every key). Read once at start and
 * passed to constructors; nothing looks configuration up globally. {@code warnings} are what is
 * allowed but unwise (a short TSIG secret), each {@code FILE: key.path: what}, for {@code cairn
 * serve} to log and {@code cairn config check} to print.
 */
public record CairnConfig(
    Path database,
    List<InetSocketAddress> listen,
    List<InetSocketAddress> tlsListen,
    Tls tls,
    Limits limits,
    Identity identity,
    Cookies cookies,
    Duration storePollInterval,
    Xfr xfr,
    Secondary secondary,
    List<TsigKey> tsigKeys,
    List<TransferPolicy.Entry> allowQuery,
    List<ZoneEntry> zones,
    Control control,
    Log log,
    Metrics metrics,
    List<String> warnings) {

  /**
   * TLS certificate settings; all paths null means a self-signed certificate beside the database.
   */
  public record Tls(
      Path certificate,
      Path key,
      String keyPassword,
      Path clientCa,
      TlsSettings.MinVersion minVersion,
      TlsSettings.Engine engine,
      Path ocspResponse) {}

  public record Limits(
      Duration tcpIdleTimeout,
      int tcpConnections,
      int tcpConnectionsPerAddress,
      Duration tlsHandshakeTimeout,
      int udpPayload,
      int journalSteps,
      int tcpQueriesInFlight,
      int tcpWriteBuffer,
      Duration tcpWriteTimeout,
      int responseCacheBytes,
      int udpReceiveBuffer) {}

  /**
   * CHAOS TXT answers ({@code chaos} false refuses them all; a null text refuses its names) and the
   * NSID (RFC 5001) answered to queries asking for it, or null.
   */
  public record Identity(
      boolean chaos, String version, String hostname, String id, NSIDOption nsid) {}

  /**
   * DNS cookies (RFC 7873, RFC 9018): answered when {@code enabled}; with {@code require}, UDP
   * queries without a valid server cookie are turned away (BADCOOKIE or TC). {@code secret} is 32
   * hex digits shared by an anycast set, or null for a random one replaced every 26 hours.
   */
  public record Cookies(boolean enabled, boolean require, String secret) {}

  /**
   * Primary-side transfer limits (see xfr/README.md); {@code maxTransferTimeOut} is enforced by the
   * connection a transfer streams on.
   */
  public record Xfr(
      int messageSize,
      int maxRecordsPerMessage,
      int transfersOut,
      int transfersOutPerAddress,
      Duration transferWait,
      Duration maxTransferTimeOut) {}

  /** Secondary-side limits (see xfr/README.md, "Secondary"). */
  public record Secondary(
      int transfersIn,
      int transfersInPerPrimary,
      int connectionsPerPrimary,
      int pipelinedPerConnection,
      Duration timeout,
      Duration xotReprobe,
      int xotProbes,
      TransferLimits transferLimits) {}

  /** A primary of a secondary zone. */
  public record Primary(
      InetSocketAddress address,
      PrimarySettings.Mode transport,
      Name key,
      List<String> tlsPins,
      Path tlsCa,
      String tlsName,
      Path tlsCertificate,
      Path tlsKey) {}

  /** A TSIG key: name, algorithm (e.g. hmac-sha256) and base64 secret. */
  public record TsigKey(Name name, String algorithm, String secret) {}

  /**
   * A zone to serve; with {@code file}, the file is loaded into the store at start. {@code
   * allowTransfer} lists who may transfer it over {@code transferTransports}; {@code allowQuery}
   * who may query it (empty: as the global {@code allowQuery}, empty for everyone); {@code
   * notifyTargets} lists the secondaries told of each new version, in NOTIFYs signed with {@code
   * notifyKey} (a name in {@code tsig-keys}) when it is not null. A secondary zone's transfers are
   * held to {@code transferLimits}; its {@code file} to {@code fileChecks}.
   */
  public record ZoneEntry(
      Name name,
      Path file,
      List<TransferPolicy.Entry> allowTransfer,
      Set<Transport> transferTransports,
      List<TransferPolicy.Entry> allowQuery,
      List<NotifySender.Target> notifyTargets,
      Name notifyKey,
      boolean notifyNs,
      List<Primary> primaries,
      TransferLimits transferLimits,
      ZoneValidator.Checks fileChecks) {}

  /**
   * The control channel ({@code cairn status}, {@code cairn zone status}...): off with {@code
   * enabled} false; a Unix-domain socket at {@code socket} (null: {@code DATABASE.ctl}), or
   * loopback TCP at {@code listen} with a token when it is not null.
   */
  public record Control(boolean enabled, Path socket, InetSocketAddress listen) {}

  /** The Prometheus endpoint: off when {@code listen} is null. */
  public record Metrics(InetSocketAddress listen) {}

  /**
   * Where {@code cairn serve} logs: {@code level} (null: {@code CAIRN_LOG_LEVEL} or INFO), a {@code
   * file} instead of stderr, and a {@code syslog} server (UDP) besides; null for what is not set.
   */
  public record Log(String level, Path file, InetSocketAddress syslog) {}

  public CairnConfig withOverrides(
      Path db, List<InetSocketAddress> listenOverride, List<InetSocketAddress> tlsOverride) {
    return new CairnConfig(
        db != null ? db : database,
        listenOverride.isEmpty() ? listen : listenOverride,
        tlsOverride.isEmpty() ? tlsListen : tlsOverride,
        tls,
        limits,
        identity,
        cookies,
        storePollInterval,
        xfr,
        secondary,
        tsigKeys,
        allowQuery,
        zones,
        control,
        log,
        metrics,
        warnings);
  }
}
