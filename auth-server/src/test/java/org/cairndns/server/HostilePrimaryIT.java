package org.cairndns.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Cairn as the secondary of a primary that claims a newer serial and then sends a transfer without
 * end, or a zone with no NS at its apex: the limits and rules set in the configuration refuse it,
 * and a client over UDP is answered from the old version throughout.
 */
class HostilePrimaryIT {
  static final int MAX_MESSAGES = 20_000; // the endless primary's bound in this test: 1M records
  @TempDir Path dir;

  @Test
  void anEndlessTransferStopsAtTheZonesMaxRecordsWhileClientsAreAnswered() throws Exception {
    AtomicInteger sent = new AtomicInteger();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (ServerSocket primary = hostilePrimary(true, sent);
        CairnServer secondary =
            secondaryOf(
                primary, "max-records: 300000, max-zone-size: 1g, max-transfer-time-in: 1h")) {
      System.gc();
      long before = memory.getHeapMemoryUsage().getUsed();
      var refresher = secondary.zoneStatus(Name.fromString("a.test."));
      InetSocketAddress sec = secondary.transport().udpAddresses().get(0);
      long peak = 0;
      int answered = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (refresher.lastError() == null && System.nanoTime() < deadline) { // during the transfer
        assertEquals("192.0.2.10", www(sec));
        answered++;
        System.gc();
        peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed() - before);
      }
      assertTrue(
          refresher.lastError() != null && refresher.lastError().contains("max-records 300000"),
          String.valueOf(refresher.lastError()));
      assertTrue(answered > 0, "a client was answered during the transfer");
      assertTrue(peak < 96L << 20, "heap after GC grew by " + (peak >> 20) + " MiB");
      assertEquals(1, ServerFixture.soaSerial(sec, "a.test."), "old version still served");
      assertEquals("192.0.2.10", www(sec));
      // the primary's count stands still once the secondary has hung up (polled every 500 ms)
      AtomicInteger last = new AtomicInteger(-1);
      int settled =
          await()
              .atMost(Duration.ofSeconds(10))
              .pollInterval(Duration.ofMillis(500))
              .until(() -> last.getAndSet(sent.get()), n -> n == sent.get());
      assertTrue(
          settled < MAX_MESSAGES,
          "the secondary hung up on the endless transfer after " + settled + " messages");
    }
  }

  @Test
  void aZoneWithoutApexNsIsRefusedAndTheOldVersionServed() throws Exception {
    try (ServerSocket primary = hostilePrimary(false, new AtomicInteger());
        CairnServer secondary = secondaryOf(primary, "")) {
      var refresher = secondary.zoneStatus(Name.fromString("a.test."));
      await().atMost(Duration.ofSeconds(30)).until(() -> refresher.lastError() != null);
      assertTrue(
          refresher.lastError().contains("no NS records at the apex a.test."),
          refresher.lastError());
      InetSocketAddress sec = secondary.transport().udpAddresses().get(0);
      assertEquals(1, ServerFixture.soaSerial(sec, "a.test."), "old version still served");
      assertEquals("192.0.2.10", www(sec));
    }
  }

  /** A secondary of a.test. at serial 1 (stored beforehand) whose primary is {@code primary}. */
  CairnServer secondaryOf(ServerSocket primary, String limits) throws Exception {
    Path s = Files.createDirectories(dir.resolve("secondary"));
    try (var store = org.cairndns.zone.store.ZoneStore.open(s.resolve("db/cairn"))) {
      store.load(
          Name.fromString("a.test."),
          ServerFixture.parse(
              "a.test.", ServerFixture.hostsZone("a.test", 1, 10, "www IN A 192.0.2.10\n")),
          "seed",
          false);
    }
    return ServerFixture.startWith(
        s,
        """
        database: db/cairn
        listen: [127.0.0.1:0]
        zones: [{name: a.test, primaries: [{address: "127.0.0.1:%d", transport: tcp}]%s}]
        """
            .formatted(primary.getLocalPort(), limits.isEmpty() ? "" : ", " + limits));
  }

  static String www(InetSocketAddress server) throws Exception {
    Message r =
        new SimpleResolver(server)
            .send(
                Message.newQuery(
                    Record.newRecord(Name.fromString("www.a.test."), Type.A, DClass.IN)));
    return r.getSection(Section.ANSWER).get(0).rdataToString();
  }

  /**
   * Answers SOA with serial 2, and a transfer with serial 2's SOA and then, when {@code endless},
   * 50 A records a message until the secondary hangs up (at most {@link #MAX_MESSAGES}), or else a
   * whole zone without NS.
   */
  static ServerSocket hostilePrimary(boolean endless, AtomicInteger sent) throws Exception {
    ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread accept =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket c = server.accept();
                  Thread t = new Thread(() -> serve(c, endless, sent));
                  t.setDaemon(true);
                  t.start();
                } catch (Exception closed) {
                  return;
                }
              }
            });
    accept.setDaemon(true);
    accept.start();
    return server;
  }

  private static void serve(Socket c, boolean endless, AtomicInteger sent) {
    try (c) {
      DataInputStream in = new DataInputStream(c.getInputStream());
      DataOutputStream out = new DataOutputStream(c.getOutputStream());
      List<Record> v2 =
          ServerFixture.parse(
              "a.test.", "$TTL 300\n@ IN SOA ns hm 2 3600 600 86400 60\nwww IN A 192.0.2.20\n");
      while (true) {
        byte[] req = new byte[in.readUnsignedShort()];
        in.readFully(req);
        Message q = new Message(req);
        if (q.getQuestion().getType() == Type.SOA) {
          write(out, response(q, v2.get(0)));
        } else if (!endless) {
          write(out, response(q, v2.get(0), v2.get(1), v2.get(0)));
        } else {
          write(out, response(q, v2.get(0)));
          for (int m = 0; m < MAX_MESSAGES; m++) {
            Record[] filler = new Record[50];
            for (int i = 0; i < filler.length; i++) {
              filler[i] =
                  new ARecord(
                      Name.fromString("h" + m + "-" + i + ".a.test."),
                      DClass.IN,
                      300,
                      InetAddress.getByAddress(new byte[] {10, 0, (byte) m, (byte) i}));
            }
            write(out, response(q, filler));
            sent.incrementAndGet();
          }
        }
      }
    } catch (Exception closed) {
      // the secondary hung up; the test asserts on its side
    }
  }

  private static Message response(Message q, Record... answers) {
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.AA);
    r.addRecord(q.getQuestion(), Section.QUESTION);
    for (Record a : answers) {
      r.addRecord(a, Section.ANSWER);
    }
    return r;
  }

  private static void write(DataOutputStream out, Message m) throws Exception {
    byte[] w = m.toWire();
    out.writeShort(w.length);
    out.write(w);
    out.flush();
  }
}
