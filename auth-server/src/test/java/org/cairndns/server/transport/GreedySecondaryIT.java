package org.cairndns.server.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.cairndns.server.CairnServer;
import org.cairndns.server.ServerFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Greedy or malicious secondaries (THREATS.md, transfers out): many AXFRs of a 100,000-record zone
 * (12 MB, more than the kernel's socket buffers take, which on loopback grow to tcp_wmem's 4 MB) at
 * once that are never read, a secondary reading just fast enough to dodge the write timeout, and a
 * connection left idle after its transfer. The transfer limits hold, stalled transfers are closed
 * at the write timeout, slow ones at xfr.max-transfer-time-out, idle ones at the idle timeout; the
 * heap stays flat and a client on another connection is answered throughout.
 */
class GreedySecondaryIT {
  static final int HOSTS = 50_000; // an A and a 200-byte TXT each
  static final long WRITE_TIMEOUT_MILLIS = 2000;
  static final long IDLE_MILLIS = 2000;

  /** Heap after GC plus Netty's direct memory above the baseline; the zone's transfer is ~12 MB. */
  static final long BOUND_BYTES = 16L << 20;

  @TempDir Path dir;
  CairnServer server;
  InetSocketAddress tcp;

  void start(String xfr, String writeTimeout) throws Exception {
    Files.writeString(dir.resolve("big.test.zone"), bigZone());
    Files.writeString(dir.resolve("fx.test.zone"), ServerFixture.ZONE);
    server =
        ServerFixture.startWith(
            dir,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        limits: {tcp-write-timeout: %s, tcp-idle-timeout: %dms}
        xfr: %s
        zones:
          - {name: big.test, file: big.test.zone, allow-transfer: [{address: 127.0.0.0/8}]}
          - {name: fx.test, file: fx.test.zone, allow-transfer: [{address: 127.0.0.0/8}]}
        """
                .formatted(writeTimeout, IDLE_MILLIS, xfr));
    tcp = server.transport().tcpAddresses().get(0);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String bigZone() {
    StringBuilder sb = new StringBuilder(ServerFixture.hostsZone("big.test", 1, 0, ""));
    String text = " IN TXT \"" + "x".repeat(200) + "\"\n";
    for (int i = 0; i < HOSTS; i++) {
      sb.append('h')
          .append(i)
          .append(" IN A 10.9.")
          .append(i / 256 % 256)
          .append('.')
          .append(i % 256)
          .append('\n');
      sb.append('h').append(i).append(text);
    }
    return sb.toString();
  }

  long counter(String name) {
    return server
        .transport()
        .counters()
        .snapshot()
        .getOrDefault(name, 0L); // rcode counters appear with their first reply
  }

  /** A connection from {@code source} (any 127/8 address) that asks for an AXFR of {@code zone}. */
  Socket askTransfer(String source, String zone, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(receiveBuffer);
    s.bind(new InetSocketAddress(source, 0));
    s.connect(tcp, 5000);
    s.setSoTimeout(5000);
    ServerFixture.writeFrame(
        s.getOutputStream(),
        Message.newQuery(Record.newRecord(Name.fromString(zone + "."), Type.AXFR, DClass.IN))
            .toWire());
    return s;
  }

  /** Reads only the length prefix and header of the first response: the rcode. */
  static int firstRcode(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    in.readUnsignedShort();
    byte[] header = new byte[12];
    in.readFully(header);
    return header[3] & 0xF;
  }

  @Test
  void transfersNobodyReadsAreLimitedCheapAndClosedAtTheWriteTimeout() throws Exception {
    start(
        "{transfers-out: 4, transfers-out-per-address: 2, transfer-wait: 1s}",
        WRITE_TIMEOUT_MILLIS + "ms");
    long baseline = PipelineWithoutReadingIT.memoryInUse();
    List<Socket> greedy = new ArrayList<>();
    Map<Socket, String> source = new HashMap<>();
    try (LegitimateClient legitimate = new LegitimateClient(tcp)) {
      for (String address : List.of("127.0.0.2", "127.0.0.3", "127.0.0.4")) {
        for (int i = 0; i < 4; i++) { // 12 asked, per address at most 2, in total at most 4
          Socket s = askTransfer(address, "big.test", 4096);
          greedy.add(s);
          source.put(s, address);
        }
      }
      // past transfer-wait the 8 requests over the limits have had their SERVFAIL
      await().atMost(Duration.ofSeconds(10)).until(() -> counter("tcp.SERVFAIL") >= 8);
      long during = PipelineWithoutReadingIT.memoryInUse() - baseline;

      Map<String, Integer> grantedBy = new HashMap<>();
      List<Socket> granted = new ArrayList<>();
      int refused = 0;
      for (Socket s : greedy) {
        int rcode = firstRcode(s);
        if (rcode == Rcode.NOERROR) {
          grantedBy.merge(source.get(s), 1, Integer::sum);
          granted.add(s);
        } else {
          assertEquals(Rcode.SERVFAIL, rcode, "over the limits: SERVFAIL (RFC 9103 §6.3.3)");
          refused++;
        }
      }
      assertEquals(4, granted.size(), "xfr.transfers-out: " + grantedBy);
      assertTrue(
          grantedBy.values().stream().allMatch(n -> n <= 2),
          "xfr.transfers-out-per-address: " + grantedBy);
      assertEquals(8, refused);
      assertTrue(
          during < BOUND_BYTES, "memory held by 4 stalled transfers: " + (during >> 10) + " KiB");

      // Stalled since their socket buffers filled; closed a write timeout later, not at the
      // deadline.
      await()
          .atMost(Duration.ofMillis(WRITE_TIMEOUT_MILLIS * 3))
          .untilAsserted(
              () ->
                  assertTrue(
                      counter("write-timeouts") >= 4,
                      () ->
                          "the stalled transfers are closed at the write timeout: "
                              + server.transport().counters().snapshot()));
      // The refused ones sat idle since their SERVFAIL: the idle timer reclaims them too.
      await()
          .atMost(Duration.ofMillis(IDLE_MILLIS * 3))
          .untilAsserted(
              () ->
                  assertTrue(
                      counter("idle-closed") >= 8,
                      () ->
                          "the refused connections are closed when idle: "
                              + server.transport().counters().snapshot()));
      assertEquals(0, counter("transfer-time-outs"));
      for (Socket s : granted) { // reset: what the kernel still held for it (up to 4 MB) is dropped
        long left = bytesUntilClosed(s);
        assertTrue(
            left < 1 << 20,
            "closed with a reset, not after the queued data: " + (left >> 10) + " KiB");
      }
      legitimate.assertServedThroughout();
      System.out.printf(
          "greedy-secondaries: during=%d KiB for 4 stalled transfers, legitimate answers=%d slowest=%d ms%n",
          during >> 10,
          legitimate.answered.get(),
          TimeUnit.NANOSECONDS.toMillis(legitimate.slowestNanos.get()));
    } finally {
      for (Socket s : greedy) {
        s.close();
      }
    }
  }

  /**
   * Reads until end of stream or reset (at most 10 s, 64 MB); the bytes that were still to come.
   */
  static long bytesUntilClosed(Socket s) throws IOException {
    byte[] sink = new byte[64 << 10];
    long read = 0;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    try {
      for (int n;
          (n = s.getInputStream().read(sink)) >= 0
              && read < 64 << 20
              && System.nanoTime() < until; ) {
        read += n;
      }
    } catch (IOException reset) {
      // the end we wait for
    }
    return read;
  }

  @Test
  void aSecondaryReadingJustFastEnoughIsCutOffAtTheDeadline() throws Exception {
    long deadlineMillis = 3000;
    start("{max-transfer-time-out: %dms}".formatted(deadlineMillis), "10s");
    long baseline = PipelineWithoutReadingIT.memoryInUse();
    try (LegitimateClient legitimate = new LegitimateClient(tcp);
        Socket slow =
            askTransfer(
                "127.0.0.2",
                "big.test",
                16 << 10)) { // small: the reset shows soon after the deadline
      long asked = System.nanoTime();
      InputStream in = slow.getInputStream();
      byte[] sip = new byte[8 << 10];
      long received = 0;
      long longestGapNanos = 0;
      long lastRead = asked;
      long closedAt = 0;
      long during = 0;
      // 80 KB/s: always progressing (never a write timeout), far too slow for 12 MB within the
      // deadline
      while (System.nanoTime() - asked < TimeUnit.MILLISECONDS.toNanos(deadlineMillis * 3)) {
        int n;
        try {
          n = in.read(sip);
        } catch (SocketTimeoutException stalled) {
          break;
        } catch (IOException reset) {
          n = -1;
        }
        long now = System.nanoTime();
        if (n < 0) {
          closedAt = now;
          break;
        }
        received += n;
        longestGapNanos = Math.max(longestGapNanos, now - lastRead);
        lastRead = now;
        if (during == 0 && now - asked > TimeUnit.MILLISECONDS.toNanos(deadlineMillis / 2)) {
          during = PipelineWithoutReadingIT.memoryInUse() - baseline;
          lastRead = System.nanoTime(); // the pause to measure is ours, not the server's
        }
        Thread.sleep(100);
      }
      assertTrue(closedAt != 0, "the transfer was cut off; " + (received >> 10) + " KiB read");
      long lifetime = TimeUnit.NANOSECONDS.toMillis(closedAt - asked);
      assertTrue(
          lifetime >= deadlineMillis - 100 && lifetime <= deadlineMillis + 1500,
          "cut off at xfr.max-transfer-time-out: " + lifetime + " ms");
      assertTrue(
          TimeUnit.NANOSECONDS.toMillis(longestGapNanos) < 1000,
          "the reader made steady progress: longest gap "
              + TimeUnit.NANOSECONDS.toMillis(longestGapNanos)
              + " ms");
      assertTrue(received > 100 << 10, "the reader was being served: " + (received >> 10) + " KiB");
      assertEquals(1, counter("transfer-time-outs"));
      assertEquals(0, counter("write-timeouts"));
      assertTrue(
          during < BOUND_BYTES, "memory held by a slow transfer: " + (during >> 10) + " KiB");
      legitimate.assertServedThroughout();
      System.out.printf(
          "slow-secondary: cut off after %d ms with %d KiB read, during=%d KiB%n",
          lifetime, received >> 10, during >> 10);
    }
  }

  @Test
  void aConnectionIdleAfterItsTransferIsClosedAtTheIdleTimeout() throws Exception {
    start("{}", WRITE_TIMEOUT_MILLIS + "ms");
    try (Socket s = askTransfer("127.0.0.2", "fx.test", 64 << 10)) {
      InputStream in = s.getInputStream();
      int soas = 0;
      for (int messages = 0; soas < 2 && messages < 10; messages++) {
        Message m = ServerFixture.readFrame(in);
        soas +=
            (int)
                m.getSection(Section.ANSWER).stream().filter(r -> r.getType() == Type.SOA).count();
      }
      assertEquals(2, soas, "the whole transfer, SOA first and last");
      long done = System.nanoTime();
      s.setSoTimeout((int) (IDLE_MILLIS * 3));
      int next;
      try {
        next = in.read();
      } catch (IOException reset) {
        next = -1;
      }
      long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - done);
      assertEquals(-1, next, "closed by the server");
      assertTrue(
          idle >= IDLE_MILLIS - 100 && idle <= IDLE_MILLIS + 1000,
          "closed at the idle timeout: " + idle + " ms");
      assertEquals(1, counter("idle-closed"));
    }
  }

  /**
   * Asks www.fx.test A over a new TCP connection every 50 ms (for at most a minute) until closed,
   * noting the slowest answer and any failure.
   */
  static final class LegitimateClient implements AutoCloseable {
    static final long SLOWEST_ALLOWED_MILLIS = 1000;
    final AtomicInteger answered = new AtomicInteger();
    final AtomicLong slowestNanos = new AtomicLong();
    final List<String> failures = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    LegitimateClient(InetSocketAddress server) {
      thread =
          new Thread(
              () -> {
                long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                while (!stopped && System.nanoTime() < end) {
                  long start = System.nanoTime();
                  try (Socket s = ServerFixture.connect(server)) {
                    ServerFixture.writeFrame(
                        s.getOutputStream(),
                        Message.newQuery(
                                Record.newRecord(
                                    Name.fromString("www.fx.test."), Type.A, DClass.IN))
                            .toWire());
                    Message r = ServerFixture.readFrame(s.getInputStream());
                    if (!r.getSection(Section.ANSWER).get(0).rdataToString().equals("192.0.2.80")) {
                      throw new IOException("wrong answer " + r);
                    }
                    answered.incrementAndGet();
                    slowestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                    Thread.sleep(50);
                  } catch (Exception e) {
                    synchronized (failures) {
                      failures.add(e.toString());
                    }
                  }
                }
              },
              "legitimate-client");
      thread.start();
    }

    void assertServedThroughout() {
      synchronized (failures) {
        assertTrue(failures.isEmpty(), "legitimate client failed: " + failures);
      }
      assertTrue(answered.get() >= 10, "legitimate client answered: " + answered.get());
      long slowest = TimeUnit.NANOSECONDS.toMillis(slowestNanos.get());
      assertTrue(
          slowest < SLOWEST_ALLOWED_MILLIS,
          "legitimate client's slowest answer: " + slowest + " ms");
    }

    @Override
    public void close() {
      stopped = true;
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
