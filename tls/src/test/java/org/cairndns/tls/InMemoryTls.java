package org.cairndns.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * Real TLS handshakes between a client engine and the engine of a {@link ServerTlsContext}, with
 * the records passed in memory: certificates, ALPN and protocol versions are negotiated as over a
 * socket, without one.
 */
final class InMemoryTls {
  private InMemoryTls() {}

  /**
   * A JDK client for {@code ns.test} (Netty checks the name) offering ALPN {@code dot}, trusting
   * {@code server} and presenting {@code client} when not null.
   */
  static SSLEngine client(X509Certificate server, PemCredentials client, String... protocols)
      throws SSLException {
    SslContextBuilder b =
        SslContextBuilder.forClient()
            .sslProvider(SslProvider.JDK)
            .trustManager(server)
            .protocols(protocols.length == 0 ? new String[] {"TLSv1.3", "TLSv1.2"} : protocols)
            .applicationProtocolConfig(
                new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    ServerTlsContext.ALPN_DOT));
    if (client != null) {
      b.keyManager(client.key(), client.chain().toArray(new X509Certificate[0]));
    }
    return b.build().newEngine(ByteBufAllocator.DEFAULT, "ns.test", 853);
  }

  static SSLEngine server(ServerTlsContext context) {
    return context.newHandler(ByteBufAllocator.DEFAULT, Duration.ofSeconds(5)).engine();
  }

  /**
   * Runs the handshake to its end on both sides; a refused handshake throws what the refusing side
   * saw.
   */
  static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
    ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
    ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
    client.beginHandshake();
    server.beginHandshake();
    for (int round = 0;
        round < 100;
        round++) { // a handshake takes a few rounds; bounded in case one stalls
      boolean clientStepped = step(client, toServer, toClient);
      boolean serverStepped = step(server, toClient, toServer); // both sides step every round
      boolean progressed = clientStepped || serverStepped;
      if (done(client) && done(server)) {
        return;
      }
      if (!progressed) {
        throw new SSLException(
            "handshake stalled: client "
                + client.getHandshakeStatus()
                + ", server "
                + server.getHandshakeStatus());
      }
    }
    throw new SSLException("handshake did not finish in 100 rounds");
  }

  private static boolean done(SSLEngine e) {
    HandshakeStatus s = e.getHandshakeStatus();
    return s == HandshakeStatus.NOT_HANDSHAKING || s == HandshakeStatus.FINISHED;
  }

  /**
   * Lets {@code engine} write what it has to {@code out} and read what waits in {@code in}; true if
   * anything moved.
   */
  private static boolean step(SSLEngine engine, ByteBuffer out, ByteBuffer in) throws SSLException {
    ByteBuffer app = ByteBuffer.allocate(1 << 17);
    boolean progressed = false;
    while (true) {
      switch (engine.getHandshakeStatus()) {
        case NEED_TASK -> {
          for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
          }
          progressed = true;
        }
        case NEED_WRAP -> {
          if (engine.wrap(ByteBuffer.allocate(0), out).bytesProduced() == 0) {
            return progressed;
          }
          progressed = true;
        }
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          in.flip();
          int consumed = engine.unwrap(in, app).bytesConsumed();
          in.compact();
          if (consumed == 0) {
            return progressed;
          }
          progressed = true;
        }
        default -> {
          return progressed;
        }
      }
    }
  }
}
