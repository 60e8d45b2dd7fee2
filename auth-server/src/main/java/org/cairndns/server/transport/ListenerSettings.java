package org.cairndns.server.transport;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.cairndns.server.config.CairnConfig;
import org.cairndns.server.config.ConfigLoader;

/**
 * Where and how the server listens.
 *
 * @param listen addresses served over UDP and TCP
 * @param tlsListen addresses served over DNS-over-TLS (needs a TLS handler factory)
 * @param tcpIdleTimeout a connection that completes no message for this long is closed (RFC 7766
 *     §6.2.3); bytes of an unfinished message do not count
 * @param tcpConnections connections allowed at once over TCP and TLS together
 * @param tcpConnectionsPerAddress connections allowed at once from one client address
 * @param tlsHandshakeTimeout a TLS client must finish its handshake within this
 * @param writeTimeout a connection whose queued responses make no progress for this long is closed
 * @param tcpQueriesInFlight requests per connection answered but not yet written out; past it the
 *     connection is not read from
 * @param tcpWriteBuffer bytes queued for writing per connection past which it is not read from
 * @param transferTimeOut an outgoing transfer still streaming this long after it started is cut off
 *     with its connection (xfr.max-transfer-time-out, like BIND's max-transfer-time-out)
 * @param udpReceiveBuffer SO_RCVBUF of each UDP socket: queries that wait while its thread is busy
 *     or descheduled (Linux caps it at net.core.rmem_max)
 */
public record ListenerSettings(
    List<InetSocketAddress> listen,
    List<InetSocketAddress> tlsListen,
    Duration tcpIdleTimeout,
    int tcpConnections,
    int tcpConnectionsPerAddress,
    Duration tlsHandshakeTimeout,
    Duration writeTimeout,
    int tcpQueriesInFlight,
    int tcpWriteBuffer,
    Duration transferTimeOut,
    int udpReceiveBuffer) {

  public ListenerSettings {
    listen = List.copyOf(listen);
    tlsListen = List.copyOf(tlsListen);
  }

  /** The configuration's listeners, its {@code limits} and {@code xfr.max-transfer-time-out}. */
  public static ListenerSettings from(CairnConfig config) {
    CairnConfig.Limits limits = config.limits();
    return new ListenerSettings(
        config.listen(),
        config.tlsListen(),
        limits.tcpIdleTimeout(),
        limits.tcpConnections(),
        limits.tcpConnectionsPerAddress(),
        limits.tlsHandshakeTimeout(),
        limits.tcpWriteTimeout(),
        limits.tcpQueriesInFlight(),
        limits.tcpWriteBuffer(),
        config.xfr().maxTransferTimeOut(),
        limits.udpReceiveBuffer());
  }

  /** The configuration's defaults, listening on {@code listen} (UDP and TCP) only. */
  public static ListenerSettings of(List<InetSocketAddress> listen) {
    return from(ConfigLoader.defaults().withOverrides(null, listen, List.of()));
  }
}
