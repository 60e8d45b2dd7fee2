package org.cairndns.server.transport;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Where and how the server listens.
 *
 * @param listen addresses served over UDP and TCP
 * @param tlsListen addresses served over DNS-over-TLS (needs a TLS handler factory)
 * @param tcpIdleTimeout idle connections are closed after this (RFC 7766 §6.2.3)
 * @param tcpConnections connections allowed at once over TCP and TLS together
 * @param tcpConnectionsPerAddress connections allowed at once from one client address
 * @param tlsHandshakeTimeout a TLS client must finish its handshake within this
 * @param writeTimeout a client that reads nothing of a response for this long is dropped
 */
public record ListenerSettings(
    List<InetSocketAddress> listen,
    List<InetSocketAddress> tlsListen,
    Duration tcpIdleTimeout,
    int tcpConnections,
    int tcpConnectionsPerAddress,
    Duration tlsHandshakeTimeout,
    Duration writeTimeout) {

  public static final Duration DEFAULT_IDLE = Duration.ofSeconds(10);

  public ListenerSettings {
    listen = List.copyOf(listen);
    tlsListen = List.copyOf(tlsListen);
  }

  public static ListenerSettings of(List<InetSocketAddress> listen) {
    return new ListenerSettings(listen, List.of(), DEFAULT_IDLE, 1000, 100, Duration.ofSeconds(5), Duration.ofSeconds(30));
  }
}
