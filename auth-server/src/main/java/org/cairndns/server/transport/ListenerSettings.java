package org.cairndns.server.transport;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

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

  public static final Duration DEFAULT_IDLE = Duration.ofSeconds(10);
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_QUERIES_IN_FLIGHT = 32;
  public static final int DEFAULT_WRITE_BUFFER = 64 << 10;
  /** BIND's default: a secondary reading just fast enough to dodge the write timeout goes after this. */
  public static final Duration DEFAULT_TRANSFER_TIME_OUT = Duration.ofHours(2);
  /** A few hundred ms of queries at 10k/s per socket; Linux caps it at net.core.rmem_max. */
  public static final int DEFAULT_UDP_RECEIVE_BUFFER = 4 << 20;

  public ListenerSettings {
    listen = List.copyOf(listen);
    tlsListen = List.copyOf(tlsListen);
  }

  public static ListenerSettings of(List<InetSocketAddress> listen) {
    return new ListenerSettings(listen, List.of(), DEFAULT_IDLE, 1000, 100, Duration.ofSeconds(5),
        DEFAULT_WRITE_TIMEOUT, DEFAULT_QUERIES_IN_FLIGHT, DEFAULT_WRITE_BUFFER, DEFAULT_TRANSFER_TIME_OUT,
        DEFAULT_UDP_RECEIVE_BUFFER);
  }
}
