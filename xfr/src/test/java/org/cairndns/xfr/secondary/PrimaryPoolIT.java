package org.cairndns.xfr.secondary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cairndns.tls.PemCredentials;
import org.cairndns.tls.SelfSignedCertificate;
import org.cairndns.tls.SpkiPin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The pool against real primaries: a connection carries only requests of zones whose whole TLS
 * policy it was opened under (issue 11 item 1), and a primary that never finishes its TLS handshake
 * does not hold up transfers from another (item 10).
 */
class PrimaryPoolIT {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Name RIGHT_PIN = Name.fromConstantString("right-pin.pool.test.");
  static final Name WRONG_PIN = Name.fromConstantString("wrong-pin.pool.test.");
  static final Name OPPORTUNISTIC = Name.fromConstantString("opportunistic.pool.test.");

  static FakePrimary primary;

  /** Zones the TLS primary was asked to transfer. */
  static final Set<Name> transferred = ConcurrentHashMap.newKeySet();

  static PrimarySettings rightPin;
  static PrimarySettings wrongPin;
  static PrimarySettings opportunistic;
  static XotProbes knownToSpeakTls;

  /** Answers SOA queries and AXFR for any zone with serial 2. */
  static void answer(Message q, FakePrimary.Reply reply) throws Exception {
    Name zone = q.getQuestion().getName();
    List<Record> records = TransfersPerPrimaryIT.zone(zone, 2);
    if (q.getQuestion().getType() == Type.SOA) {
      reply.send(FakePrimary.response(q, records.get(0)));
      return;
    }
    transferred.add(zone);
    Message m = FakePrimary.response(q);
    records.forEach(rr -> m.addRecord(rr, Section.ANSWER));
    m.addRecord(records.get(0), Section.ANSWER); // closing SOA
    reply.send(m);
  }

  @BeforeAll
  static void tlsPrimary() throws Exception {
    PemCredentials certificate = SelfSignedCertificate.generate("primary.pool.test");
    String otherPin = SpkiPin.of(SelfSignedCertificate.generate("impostor.pool.test").leaf());
    primary = FakePrimary.tls(certificate, PrimaryPoolIT::answer);
    InetSocketAddress a = primary.address();
    rightPin =
        new PrimarySettings(
            a,
            PrimarySettings.Mode.TLS,
            null,
            List.of(SpkiPin.of(certificate.leaf())),
            null,
            null,
            null,
            null);
    wrongPin =
        new PrimarySettings(
            a, PrimarySettings.Mode.TLS, null, List.of(otherPin), null, null, null, null);
    opportunistic =
        new PrimarySettings(
            a, PrimarySettings.Mode.OPPORTUNISTIC_TLS, null, List.of(), null, null, null, null);
    knownToSpeakTls =
        new XotProbes(
            Map.of(a, new XotProbes.Entry(XotProbes.State.GOOD, Instant.now())),
            Clock.systemUTC(),
            Duration.ofDays(1),
            1,
            Runnable::run,
            (address, entry) -> {});
  }

  @AfterAll
  static void stop() throws Exception {
    primary.close();
  }

  private static void transfers(TransferClient client, Name zone, PrimarySettings p)
      throws Exception {
    TransferReader.Result.Full full =
        assertInstanceOf(TransferReader.Result.Full.class, client.transfer(zone, -1, null, p));
    assertEquals(3, full.snapshot().size());
    assertTrue(transferred.contains(zone));
  }

  private static void neverTransfers(TransferClient client) {
    TransferFailure f =
        assertThrows(TransferFailure.class, () -> client.transfer(WRONG_PIN, -1, null, wrongPin));
    assertTrue(f.getMessage().contains("cannot connect"), f.getMessage());
    assertFalse(transferred.contains(WRONG_PIN), "the wrong-pin zone was transferred");
  }

  /** Runs {@code steps} on a fresh pool with room for every request on one connection. */
  private static void withClient(ThrowingConsumer<TransferClient> steps) throws Exception {
    transferred.clear();
    try (PrimaryPool pool = new PrimaryPool(2, 16, (int) TIMEOUT.toMillis())) {
      steps.accept(new TransferClient(pool, TIMEOUT, knownToSpeakTls, 4));
    }
  }

  interface ThrowingConsumer<T> {
    void accept(T t) throws Exception;
  }

  @Test
  void wrongPinFirst() throws Exception {
    withClient(
        client -> {
          neverTransfers(client);
          transfers(client, RIGHT_PIN, rightPin);
          transfers(client, OPPORTUNISTIC, opportunistic);
          neverTransfers(client);
        });
  }

  @Test
  void wrongPinAfterTheRightPinOpenedAConnection() throws Exception {
    withClient(
        client -> {
          transfers(client, RIGHT_PIN, rightPin);
          neverTransfers(client);
          transfers(client, RIGHT_PIN, rightPin);
        });
  }

  @Test
  void wrongPinAfterAnOpportunisticConnection() throws Exception {
    withClient(
        client -> {
          transfers(client, OPPORTUNISTIC, opportunistic);
          neverTransfers(client);
          transfers(client, OPPORTUNISTIC, opportunistic);
        });
  }

  @Test
  void wrongPinConcurrentlyWithTheOthers() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(6);
    try {
      withClient(
          client -> {
            for (int round = 0; round < 10; round++) {
              List<Future<?>> all = new ArrayList<>();
              for (int i = 0; i < 2; i++) {
                all.add(
                    threads.submit(
                        () -> {
                          transfers(client, RIGHT_PIN, rightPin);
                          return null;
                        }));
                all.add(
                    threads.submit(
                        () -> {
                          transfers(client, OPPORTUNISTIC, opportunistic);
                          return null;
                        }));
                all.add(threads.submit(() -> neverTransfers(client)));
              }
              for (Future<?> f : all) {
                f.get(2 * TIMEOUT.toSeconds(), TimeUnit.SECONDS);
              }
            }
          });
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void aPrimaryThatNeverFinishesItsHandshakeDoesNotHoldUpAnother() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    CountDownLatch clientHello = new CountDownLatch(1);
    try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        FakePrimary healthy = new FakePrimary(PrimaryPoolIT::answer);
        PrimaryPool pool = new PrimaryPool(2, 16, (int) TIMEOUT.toMillis())) {
      threads.submit(
          () -> { // reads the ClientHello and never answers
            try (Socket s = hung.accept()) {
              s.getInputStream().read();
              clientHello.countDown();
              s.getInputStream().readAllBytes();
            }
            return null;
          });
      TransferClient client = new TransferClient(pool, TIMEOUT, null, 4);
      PrimarySettings hangs =
          new PrimarySettings(
              new InetSocketAddress(hung.getInetAddress(), hung.getLocalPort()),
              PrimarySettings.Mode.TLS,
              null,
              rightPin.pins(),
              null,
              null,
              null,
              null);
      Name stuck = Name.fromString("stuck.pool.test.");
      long hungStart = System.nanoTime();
      Future<?> waiting =
          threads.submit(
              () -> assertThrows(TransferFailure.class, () -> client.soaSerial(stuck, hangs)));
      assertTrue(
          clientHello.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS),
          "the hung primary got a ClientHello");

      long start = System.nanoTime();
      transfers(client, RIGHT_PIN, healthy.tcp());
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(
          tookMillis < 2000,
          "healthy transfer took " + tookMillis + " ms while another primary hung");
      assertFalse(waiting.isDone(), "the hung primary's handshake is still in progress");

      waiting.get(2 * TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      long hungMillis = (System.nanoTime() - hungStart) / 1_000_000;
      assertTrue(
          hungMillis >= TIMEOUT.toMillis() - 100,
          "gave up on the handshake after " + hungMillis + " ms");
    } finally {
      threads.shutdownNow();
    }
  }
}
