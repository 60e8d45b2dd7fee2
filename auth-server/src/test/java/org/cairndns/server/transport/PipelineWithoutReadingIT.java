package org.cairndns.server.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cairndns.server.CairnServer;
import org.cairndns.server.ServerFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Pipelining without reading (issue 11, item 8): clients send thousands of queries for a ~30 KB
 * answer and never read. The server must stop reading them, hold a bounded amount of memory, close
 * them when their write timeout passes, and answer a legitimate client meanwhile.
 */
class PipelineWithoutReadingIT {
  static final int CLIENTS =
      Integer.getInteger("pipeline.clients", 4); // -Dpipeline.clients=16 to measure the slope
  static final int QUERIES_PER_CLIENT = 4000;
  static final long WRITE_TIMEOUT_MILLIS = 2000;

  /**
   * Heap after GC plus Netty's direct memory, above the baseline. The old code took ~50 MB per
   * client.
   */
  static final long BOUND_BYTES = 32L << 20;

  @TempDir Path dir;
  CairnServer server;
  InetSocketAddress tcp;

  @BeforeEach
  void start() throws Exception {
    StringBuilder big = new StringBuilder("big IN TXT");
    for (int i = 0; i < 120; i++) {
      big.append(" \"").append(String.valueOf((char) ('a' + i % 26)).repeat(250)).append('"');
    }
    Files.writeString(dir.resolve("fx.test.zone"), ServerFixture.ZONE + big + "\n");
    server =
        ServerFixture.startWith(
            dir,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        limits: {tcp-idle-timeout: 30s, tcp-write-timeout: %dms}
        zones: [{name: fx.test, file: fx.test.zone}]
        """
                .formatted(WRITE_TIMEOUT_MILLIS));
    tcp = server.transport().tcpAddresses().get(0);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static Message ask(InetSocketAddress server, String name, int type) throws IOException {
    SimpleResolver r = new SimpleResolver(server);
    r.setTCP(true);
    r.setTimeout(Duration.ofSeconds(5));
    return r.send(
        Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, DClass.IN)));
  }

  /**
   * Heap in use after GC plus the direct memory of Netty's allocator, which holds queued replies.
   */
  static long memoryInUse() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    Runtime rt = Runtime.getRuntime();
    long direct =
        ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    return rt.totalMemory() - rt.freeMemory() + direct;
  }

  /**
   * A client with a small receive buffer that writes all its queries (as far as the server reads)
   * and never reads.
   */
  static SocketChannel pipeliner(InetSocketAddress server) throws IOException {
    SocketChannel ch = SocketChannel.open();
    ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
    ch.connect(server);
    ch.configureBlocking(false);
    return ch;
  }

  static ByteBuffer queries(int count) throws IOException {
    ByteBuffer all = ByteBuffer.allocate(count * 64);
    for (int i = 0; i < count; i++) {
      byte[] q =
          Message.newQuery(
                  Record.newRecord(Name.fromConstantString("big.fx.test."), Type.TXT, DClass.IN))
              .toWire();
      all.putShort((short) q.length).put(q);
    }
    return all.flip();
  }

  @Test
  void memoryStaysBoundedTheClientsAreClosedAndOthersAreServed() throws Exception {
    Message warm = ask(tcp, "big.fx.test.", Type.TXT);
    int answerBytes = warm.toWire().length;
    assertTrue(answerBytes > 25_000, "a large answer: " + answerBytes);
    long baseline = memoryInUse();

    List<SocketChannel> clients = new ArrayList<>();
    List<ByteBuffer> toSend = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(pipeliner(tcp));
      toSend.add(queries(QUERIES_PER_CLIENT));
    }
    long writeUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (System.nanoTime() < writeUntil) { // bounded: what the server does not read stays here
      for (int i = 0; i < CLIENTS; i++) {
        clients.get(i).write(toSend.get(i));
      }
      Thread.sleep(10);
    }
    long sent = toSend.stream().mapToLong(ByteBuffer::position).sum();

    long during = memoryInUse() - baseline;
    assertEquals(
        "192.0.2.80",
        ask(tcp, "www.fx.test.", Type.A).getSection(Section.ANSWER).get(0).rdataToString(),
        "a legitimate client is answered during the attack");
    assertEquals(answerBytes, ask(tcp, "big.fx.test.", Type.TXT).toWire().length);
    assertTrue(
        during < BOUND_BYTES,
        "memory held during the attack: "
            + (during >> 10)
            + " KiB after sending "
            + (sent >> 10)
            + " KiB of queries");

    await()
        .atMost(Duration.ofMillis(WRITE_TIMEOUT_MILLIS * 3))
        .untilAsserted(
            () ->
                assertTrue(
                    server.transport().counters().snapshot().get("write-timeouts") >= CLIENTS,
                    () ->
                        "every non-reading client is closed at its write timeout: "
                            + server.transport().counters().snapshot()));
    for (SocketChannel c : clients) {
      await("the client sees its connection closed")
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(1))
          .until(() -> closedByServer(c));
    }
    long after = memoryInUse() - baseline;
    assertTrue(
        after < BOUND_BYTES / 4,
        "memory held after the connections closed: " + (after >> 10) + " KiB");
    System.out.printf(
        "pipeline-without-reading: during=%d KiB after=%d KiB sent=%d KiB per-client-during=%d KiB%n",
        during >> 10, after >> 10, sent >> 10, (during / CLIENTS) >> 10);
  }

  /** Reads what the kernel holds; true once the server's close shows (end of stream or reset). */
  static boolean closedByServer(SocketChannel c) {
    try {
      return c.read(ByteBuffer.allocate(64 << 10)) < 0;
    } catch (IOException reset) {
      return true;
    }
  }
}
