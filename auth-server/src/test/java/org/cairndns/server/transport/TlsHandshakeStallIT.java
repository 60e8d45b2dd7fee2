package org.cairndns.server.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cairndns.server.CairnServer;
import org.cairndns.server.ServerFixture;
import org.cairndns.tls.SelfSignedCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS handshake stalls (THREATS.md, greedy client): more connections to the TLS port than the table
 * holds, half sending nothing, half a ClientHello cut short. They count in the connection table,
 * are evicted like idle connections when it fills (a connection still in its handshake has no
 * request being answered, so it is idle), never outlive limits.tls-handshake-timeout, cost little
 * memory, and a DoT client is answered throughout.
 */
class TlsHandshakeStallIT {
  static final int TABLE = 50;
  static final int STALLERS = 60;
  static final long HANDSHAKE_MILLIS = 2000;
  static final long ATTACK_MILLIS = 8000;
  static final long POLL_MILLIS = 200;
  static final long BOUND_BYTES = 16L << 20;

  @TempDir Path dir;
  CairnServer server;

  @BeforeEach
  void start() throws Exception {
    SelfSignedCertificate.write(
        SelfSignedCertificate.generate("dot.test"),
        dir.resolve("cert.pem"),
        dir.resolve("key.pem"));
    server =
        ServerFixture.start(
            dir,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        tls-listen: [127.0.0.1:0]
        tls: {certificate: cert.pem, key: key.pem}
        limits: {tcp-connections: %d, tcp-connections-per-address: 1000, tls-handshake-timeout: %dms, tcp-idle-timeout: 30s}
        zones: [{name: fx.test, file: fx.test.zone}]
        """
                .formatted(TABLE, HANDSHAKE_MILLIS));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /**
   * The first bytes of a TLS record announcing a 512-byte ClientHello, of which they are the only
   * ones sent.
   */
  static final byte[] PARTIAL_CLIENT_HELLO = {
    0x16,
    0x03,
    0x01,
    0x02,
    0x00, // handshake record, 512 bytes
    0x01,
    0x00,
    0x01,
    (byte) 0xfc, // ClientHello, 508 bytes
    0x03,
    0x03,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8
  }; // version and the start of the random

  /**
   * One stalled handshake: connects, sends nothing or {@link #PARTIAL_CLIENT_HELLO} (odd ones),
   * waits.
   */
  static HeldConnection stall(InetSocketAddress server, int index) throws IOException {
    return new HeldConnection(server, index % 2 == 0 ? PARTIAL_CLIENT_HELLO : new byte[0]);
  }

  /**
   * Keeps {@link #STALLERS} handshakes stalled for {@link #ATTACK_MILLIS}, reopening closed ones.
   */
  static List<HeldConnection> attack(InetSocketAddress tls) throws Exception {
    return HeldConnection.keepOpen(
        STALLERS, ATTACK_MILLIS, POLL_MILLIS, i -> stall(tls, i), new byte[0]);
  }

  @Test
  void stalledHandshakesAreEvictedAndTimedOutWhileADotClientIsServed() throws Exception {
    InetSocketAddress tls = server.transport().tlsAddresses().get(0);
    SlowlorisIT.askOverTls(tls); // warm up the TLS engine before the baseline
    long baseline = PipelineWithoutReadingIT.memoryInUse();
    ExecutorService attacker = Executors.newSingleThreadExecutor();
    try {
      Future<List<HeldConnection>> stalls = attacker.submit(() -> attack(tls));
      // under pressure once a newcomer has had to evict a stalled handshake
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.transport().counters().snapshot().get("evicted-connections") > 0);
      long during = 0;
      for (int round = 0; round < 6; round++) { // each must be answered during the attack
        SlowlorisIT.askOverTls(tls);
        if (round == 2) {
          during = PipelineWithoutReadingIT.memoryInUse() - baseline;
        }
        Thread.sleep(700); // spread over the attack
      }
      List<HeldConnection> all = stalls.get(ATTACK_MILLIS + 10_000, TimeUnit.MILLISECONDS);
      long evicted = server.transport().counters().snapshot().get("evicted-connections");
      assertTrue(
          evicted > 0,
          "stalled handshakes hold slots in the table and are evicted: "
              + server.transport().counters().snapshot());
      long longest = all.stream().mapToLong(HeldConnection::lifetimeMillis).max().orElseThrow();
      // handshake timeout, plus a poll to notice, plus scheduling slack on a loaded machine
      assertTrue(
          longest <= HANDSHAKE_MILLIS + POLL_MILLIS + 1000,
          "no stall outlived the handshake timeout: " + longest + " ms");
      assertTrue(
          during < BOUND_BYTES,
          "memory held by " + STALLERS + " stalls: " + (during >> 10) + " KiB");
      assertEquals(
          0,
          server.transport().counters().snapshot().get("refused-connections"),
          "nothing refused: there was always an idle stall to evict");
      System.out.printf(
          "tls-handshake-stalls: %d opened, %d evicted, longest %d ms, during=%d KiB%n",
          all.size(), evicted, longest, during >> 10);
    } finally {
      attacker.shutdownNow();
    }
  }

  @Test
  void stallsBelowThePressureMarkEndAtTheHandshakeTimeout() throws Exception {
    InetSocketAddress tls = server.transport().tlsAddresses().get(0);
    List<HeldConnection> stalls = new ArrayList<>();
    for (int i = 0; i < 20; i++) { // below 75% of the table: nobody is evicted
      stalls.add(stall(tls, i));
    }
    List<HeldConnection> live = new ArrayList<>(stalls);
    // polled in this thread: each look at a stall is what times its close
    await()
        .atMost(Duration.ofMillis(HANDSHAKE_MILLIS * 3))
        .pollInterval(Duration.ofMillis(POLL_MILLIS / 4))
        .pollInSameThread()
        .untilAsserted(
            () -> {
              live.removeIf(s -> !s.poll(new byte[0]));
              assertTrue(live.isEmpty(), live.size() + " stalls still open");
            });
    for (HeldConnection s : stalls) {
      assertTrue(
          s.lifetimeMillis() >= HANDSHAKE_MILLIS - 100
              && s.lifetimeMillis() <= HANDSHAKE_MILLIS + 1000,
          "closed at limits.tls-handshake-timeout: " + s.lifetimeMillis() + " ms");
    }
    assertEquals(0, server.transport().counters().snapshot().get("evicted-connections"));
  }
}
