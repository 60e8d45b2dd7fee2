package org.cairndns.server.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.cairndns.server.CairnServer;
import org.cairndns.server.ServerFixture;
import org.cairndns.tls.SelfSignedCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Slowloris (issue 11, item 7): more connections than the table holds, each dripping one byte of a
 * message that never completes. The drips must not hold their slots past the idle timeout, and a
 * TCP and a TLS client must be answered while the attack runs, told to go away (keepalive 0).
 */
class SlowlorisIT {
  static final int EDNS_KEEPALIVE = 11; // RFC 7828
  static final int TABLE = 50;
  static final long IDLE_MILLIS = 2000;
  static final int DRIPPERS = 60;
  static final long DRIP_EVERY_MILLIS = 500;
  static final long ATTACK_MILLIS = 8000;

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
        limits: {tcp-connections: %d, tcp-connections-per-address: 1000, tcp-idle-timeout: %dms}
        zones: [{name: fx.test, file: fx.test.zone}]
        """
                .formatted(TABLE, IDLE_MILLIS));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** One dripping connection: a length prefix for a 40-byte message, then one byte at a time. */
  static HeldConnection drip(InetSocketAddress server) throws IOException {
    return new HeldConnection(server, new byte[] {0, 40});
  }

  static final byte[] ONE_BYTE = {0};

  /**
   * Keeps {@link #DRIPPERS} connections dripping for {@link #ATTACK_MILLIS}, reopening closed ones.
   */
  static List<HeldConnection> attack(InetSocketAddress tcp) throws Exception {
    return HeldConnection.keepOpen(
        DRIPPERS, ATTACK_MILLIS, DRIP_EVERY_MILLIS, i -> drip(tcp), ONE_BYTE);
  }

  static Message keepaliveQuery() throws Exception {
    Message q =
        Message.newQuery(Record.newRecord(Name.fromString("www.fx.test."), Type.A, DClass.IN));
    q.addRecord(
        new OPTRecord(1232, 0, 0, 0, List.of(new GenericEDNSOption(EDNS_KEEPALIVE, new byte[0]))),
        Section.ADDITIONAL);
    return q;
  }

  static int keepaliveUnits(Message r) throws IOException {
    byte[] option = r.getOPT().getOptions(EDNS_KEEPALIVE).get(0).toWire();
    return ((option[4] & 0xFF) << 8) | (option[5] & 0xFF);
  }

  /** Asks over plain TCP; returns the keepalive timeout the answer carries. */
  static int askOverTcp(InetSocketAddress tcp) throws Exception {
    try (Socket s = ServerFixture.connect(tcp)) {
      ServerFixture.writeFrame(s.getOutputStream(), keepaliveQuery().toWire());
      Message r = ServerFixture.readFrame(new DataInputStream(s.getInputStream()));
      assertEquals("192.0.2.80", r.getSection(Section.ANSWER).get(0).rdataToString());
      return keepaliveUnits(r);
    }
  }

  static int askOverTls(InetSocketAddress tls) throws Exception {
    try (SSLSocket s = ServerFixture.connectTls(ServerFixture.trustingTlsClient(c -> {}), tls)) {
      ServerFixture.writeFrame(s.getOutputStream(), keepaliveQuery().toWire());
      Message r = ServerFixture.readFrame(s.getInputStream());
      assertEquals("192.0.2.80", r.getSection(Section.ANSWER).get(0).rdataToString());
      return keepaliveUnits(r);
    }
  }

  @Test
  void drippersLoseTheirSlotsAndLegitimateClientsAreServed() throws Exception {
    InetSocketAddress tcp = server.transport().tcpAddresses().get(0);
    InetSocketAddress tls = server.transport().tlsAddresses().get(0);
    assertEquals(IDLE_MILLIS / 100, askOverTcp(tcp), "no pressure: the idle timeout is advertised");

    ExecutorService attacker = Executors.newSingleThreadExecutor();
    try {
      Future<List<HeldConnection>> drips = attacker.submit(() -> attack(tcp));
      // under pressure once a newcomer has had to evict a dripper
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.transport().counters().snapshot().get("evicted-connections") > 0);
      List<Integer> keepalives = new ArrayList<>();
      for (int round = 0; round < 3; round++) { // each asks and must be answered during the attack
        keepalives.add(askOverTcp(tcp));
        keepalives.add(askOverTls(tls));
        Thread.sleep(1500); // spread over the attack: drippers opened together also expire together
      }
      // drippers opened together also expire together, so the table is not full at every instant
      assertTrue(keepalives.contains(0), "told to go away while the table was full: " + keepalives);
      List<HeldConnection> all = drips.get(ATTACK_MILLIS + 10_000, TimeUnit.MILLISECONDS);
      long longest = all.stream().mapToLong(HeldConnection::lifetimeMillis).max().orElseThrow();
      assertTrue(all.size() > DRIPPERS, "drippers were closed and reopened: " + all.size());
      // idle timeout, plus one drip interval to notice, plus scheduling slack on a loaded machine
      assertTrue(
          longest <= IDLE_MILLIS + DRIP_EVERY_MILLIS + 1000,
          "no dripper outlived the idle timeout; longest " + longest + " ms");
    } finally {
      attacker.shutdownNow();
    }
    assertTrue(server.transport().counters().snapshot().get("idle-closed") > 0);
  }

  @Test
  void dripsDoNotResetTheIdleTimerButCompleteQueriesDo() throws Exception {
    InetSocketAddress tcp = server.transport().tcpAddresses().get(0);
    List<HeldConnection> drips = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      drips.add(drip(tcp));
    }
    try (Socket steady = ServerFixture.connect(tcp)) {
      for (int round = 0;
          round < 6;
          round++) { // 3 s of complete queries, past the 2 s idle timeout
        ServerFixture.writeFrame(steady.getOutputStream(), keepaliveQuery().toWire());
        assertEquals(
            1, ServerFixture.readFrame(steady.getInputStream()).getSection(Section.ANSWER).size());
        drips.forEach(d -> d.poll(ONE_BYTE));
        Thread.sleep(DRIP_EVERY_MILLIS); // the drip's pace
      }
    }
    for (HeldConnection d : drips) {
      assertTrue(d.closed(), "a dripping connection was closed");
      assertTrue(
          d.lifetimeMillis() >= IDLE_MILLIS - 100
              && d.lifetimeMillis() <= IDLE_MILLIS + DRIP_EVERY_MILLIS + 500,
          "closed at the idle timeout: " + d.lifetimeMillis() + " ms");
    }
  }

  @Test
  void aNearlyFullTableAdvertisesKeepaliveZero() throws Exception {
    InetSocketAddress tcp = server.transport().tcpAddresses().get(0);
    InetSocketAddress tls = server.transport().tlsAddresses().get(0);
    int mark = TABLE * ConnectionLimiter.PRESSURE_PERCENT / 100;
    List<Socket> silent = new ArrayList<>();
    try {
      for (int i = 0; i < mark; i++) {
        silent.add(ServerFixture.connect(tcp));
      }
      // a newcomer past the mark evicts the silent connection idle longest
      assertEquals(0, askOverTcp(tcp), "keepalive 0 over TCP at " + mark + " of " + TABLE);
      assertEquals(0, askOverTls(tls), "keepalive 0 over TLS at " + mark + " of " + TABLE);
      assertTrue(server.transport().counters().snapshot().get("evicted-connections") >= 1);
    } finally {
      for (Socket s : silent) {
        s.close();
      }
    }
    await("the idle timeout is advertised again once the table has room")
        .atMost(Duration.ofSeconds(5))
        .ignoreExceptions()
        .until(() -> askOverTcp(tcp) == IDLE_MILLIS / 100);
  }
}
