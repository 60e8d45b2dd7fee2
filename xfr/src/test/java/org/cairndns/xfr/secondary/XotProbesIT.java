package org.cairndns.xfr.secondary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.cairndns.tls.PemCredentials;
import org.cairndns.tls.SelfSignedCertificate;
import org.cairndns.zone.store.ZoneStore;
import org.cairndns.zone.store.ZoneStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The opportunistic-XoT probe table against a real TLS listener and a plain TCP one. */
class XotProbesIT {
  @TempDir Path dir;

  @Test
  void probesLearnPersistAndReprobe() throws Exception {
    PemCredentials cert = SelfSignedCertificate.generate("probe.test");
    SslContext server =
        SslContextBuilder.forServer(
                cert.key(), cert.chain().toArray(new java.security.cert.X509Certificate[0]))
            .protocols("TLSv1.3")
            .build();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (ServerSocket plain = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
        ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      Channel tls =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast(server.newHandler(ch.alloc()));
                    }
                  })
              .bind("127.0.0.1", 0)
              .sync()
              .channel();
      PrimarySettings speaksTls =
          new PrimarySettings(
              (InetSocketAddress) tls.localAddress(),
              PrimarySettings.Mode.OPPORTUNISTIC_TLS,
              null,
              List.of(),
              null,
              null,
              null,
              null);
      PrimarySettings clearOnly =
          new PrimarySettings(
              new InetSocketAddress("127.0.0.1", plain.getLocalPort()),
              PrimarySettings.Mode.OPPORTUNISTIC_TLS,
              null,
              List.of(),
              null,
              null,
              null,
              null);
      Instant[] now = {Instant.parse("2026-11-23T00:00:00Z")};
      Clock clock =
          new Clock() {
            @Override
            public java.time.ZoneId getZone() {
              return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId z) {
              return this;
            }

            @Override
            public Instant instant() {
              return now[0];
            }
          };
      Executor inline = Runnable::run; // the probe runs at once, so the test sees its result
      XotProbeTable table = new XotProbeTable(store.database());
      XotProbes probes =
          new XotProbes(
              Map.of(),
              clock,
              Duration.ofHours(1),
              2,
              inline,
              (a, e) -> {
                try {
                  table.save(a, e);
                } catch (ZoneStoreException ex) {
                  throw new IllegalStateException(ex);
                }
              });
      java.util.function.Predicate<PrimarySettings> probe =
          p -> TransferClient.speaksTls(p, Duration.ofSeconds(2));
      assertFalse(probes.useTls(speaksTls, probe), "unknown: TCP now, probe in the background");
      assertEquals(XotProbes.State.GOOD, probes.entry(speaksTls.address()).state());
      assertTrue(probes.useTls(speaksTls, probe), "known good: TLS");
      assertFalse(probes.useTls(clearOnly, probe));
      assertEquals(XotProbes.State.BAD, probes.entry(clearOnly.address()).state());
      assertEquals(
          List.of(
                  new XotProbeTable.Row(
                      "127.0.0.1:" + speaksTls.address().getPort(), "GOOD", now[0]),
                  new XotProbeTable.Row(
                      "127.0.0.1:" + clearOnly.address().getPort(), "BAD", now[0]))
              .stream()
              .sorted(java.util.Comparator.comparing(XotProbeTable.Row::address))
              .toList(),
          table.rows(),
          "persisted in the store, in address order");
      XotProbes reloaded =
          new XotProbes(table.saved(), clock, Duration.ofHours(1), 2, inline, (a, e) -> {});
      assertEquals(
          XotProbes.State.GOOD, reloaded.entry(speaksTls.address()).state(), "read back at start");
      now[0] = now[0].plus(Duration.ofHours(2));
      tls.close().sync();
      assertTrue(reloaded.useTls(speaksTls, probe), "stale but still good for this request");
      assertEquals(
          XotProbes.State.BAD,
          reloaded.entry(speaksTls.address()).state(),
          "re-probed after the interval");
    } finally {
      group.shutdownGracefully();
    }
  }
}
