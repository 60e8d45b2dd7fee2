package org.cairndns.xfr.secondary;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cairndns.zone.LookupResult;
import org.cairndns.zone.master.ZoneFileReader;
import org.cairndns.zone.store.ZoneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A primary over a real socket that never ends its transfer (bounded in the test), or drips it: the
 * secondary stops at its record, byte or time limit, fails that transfer only, keeps serving the
 * version it had with the heap bounded meanwhile, and takes a legitimate zone afterwards.
 */
class TransferLimitsIT {
  static final Name ZONE = Name.fromConstantString("e.test.");

  /**
   * The most the endless primary sends in one transfer: the test's bound, far past every limit
   * here.
   */
  static final int MAX_MESSAGES = 20_000;

  static final int RECORDS_PER_MESSAGE = 50;
  @TempDir Path dir;

  enum Mode {
    LEGIT,
    ENDLESS,
    ENDLESS_BIG,
    DRIP,
    STALL
  }

  final AtomicReference<Mode> mode = new AtomicReference<>(Mode.LEGIT);
  final AtomicInteger serial = new AtomicInteger(1);
  final AtomicInteger messagesSent = new AtomicInteger();

  List<Record> zone(long s) throws Exception {
    return ZoneFileReader.parse(
        ZONE,
        "$TTL 300\n@ IN SOA ns hm "
            + s
            + " 3600 60 7200 60\n@ IN NS ns\n"
            + "ns IN A 192.0.2.1\nwww IN A 192.0.2.80\n");
  }

  /** Answers SOA with the current serial and transfers as {@link #mode} says. */
  FakePrimary primary() throws Exception {
    return new FakePrimary(
        (q, reply) -> {
          List<Record> zone = zone(serial.get());
          if (q.getQuestion().getType() == Type.SOA) {
            reply.send(FakePrimary.response(q, zone.get(0)));
            return;
          }
          switch (mode.get()) {
            case LEGIT -> {
              List<Record> axfr = new ArrayList<>(zone);
              axfr.add(zone.get(0));
              reply.send(FakePrimary.response(q, axfr.toArray(Record[]::new)));
            }
            case ENDLESS, ENDLESS_BIG -> {
              reply.send(FakePrimary.response(q, zone.get(0)));
              for (int m = 0;
                  m < MAX_MESSAGES;
                  m++) { // ends when the secondary hangs up (the write fails)
                reply.send(FakePrimary.response(q, filler(m, mode.get() == Mode.ENDLESS_BIG)));
                messagesSent.incrementAndGet();
              }
            }
            case DRIP -> {
              reply.send(FakePrimary.response(q, zone.get(0)));
              for (int m = 0; m < 100; m++) { // 20 s at most
                Thread.sleep(200);
                reply.send(FakePrimary.response(q, filler(m, false)[0]));
                messagesSent.incrementAndGet();
              }
            }
            case STALL -> reply.send(FakePrimary.response(q, zone.get(0))); // and nothing more
          }
        });
  }

  static Record[] filler(int message, boolean big) throws Exception {
    Record[] records = new Record[RECORDS_PER_MESSAGE];
    for (int i = 0; i < records.length; i++) {
      Name owner = Name.fromString("h" + message + "-" + i, ZONE);
      records[i] =
          big
              ? new TXTRecord(owner, DClass.IN, 300, "x".repeat(250))
              : new ARecord(
                  owner,
                  DClass.IN,
                  300,
                  java.net.InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) i}));
    }
    return records;
  }

  /** A refresher whose zone is at serial 1 (transferred for real) and whose primary is now at 2. */
  ZoneRefresher started(
      FakePrimary fake,
      TransferLimits limits,
      Duration idle,
      PrimaryPool pool,
      ZoneStore store,
      ZoneRefresherIT.ServingPublisher publisher)
      throws Exception {
    ZoneRefresher refresher =
        new ZoneRefresher(
            ZONE,
            List.of(fake.tcp().withLimits(limits)),
            new TransferClient(pool, idle, null, 2),
            store,
            new ZoneRefresherIT.ManualScheduler(),
            Runnable::run,
            Clock.systemUTC(),
            publisher,
            expired -> {});
    refresher.handle(ZoneRefresher.Event.REFRESH);
    assertEquals(1, publisher.served.serial());
    serial.set(2);
    return refresher;
  }

  /** The "(N records, M bytes read)" the refusal names. */
  static long[] readSoFar(String error) {
    Matcher m = Pattern.compile("\\((\\d+) records, (\\d+) bytes read\\)").matcher(error);
    assertTrue(m.find(), error);
    return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
  }

  void assertOldVersionServedThenLegitZoneTransfers(
      ZoneRefresher refresher, ZoneStore store, ZoneRefresherIT.ServingPublisher publisher)
      throws Exception {
    assertEquals(1, publisher.served.serial(), "the old version is still served");
    assertEquals(1, store.soa(ZONE).orElseThrow().getSerial(), "and still stored");
    mode.set(Mode.LEGIT);
    serial.set(3);
    refresher.handle(ZoneRefresher.Event.REFRESH);
    assertNull(refresher.lastError(), "a legitimate zone transfers afterwards");
    assertEquals(3, publisher.served.serial());
  }

  @Test
  void anEndlessTransferStopsAtMaxRecords() throws Exception {
    try (FakePrimary fake = primary();
        PrimaryPool pool = new PrimaryPool(1, 4, 2000);
        ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ZoneRefresherIT.ServingPublisher publisher = new ZoneRefresherIT.ServingPublisher();
      ZoneRefresher refresher =
          started(
              fake,
              new TransferLimits(1000, 1L << 30, Duration.ofHours(2)),
              Duration.ofSeconds(5),
              pool,
              store,
              publisher);
      mode.set(Mode.ENDLESS);
      refresher.handle(ZoneRefresher.Event.REFRESH);
      String error = refresher.lastError();
      assertTrue(error != null && error.contains("max-records 1000"), error);
      assertEquals(1001, readSoFar(error)[0], "stopped at the record past the limit");
      waitUntilTheSecondaryHangsUp();
      assertOldVersionServedThenLegitZoneTransfers(refresher, store, publisher);
    }
  }

  @Test
  void anEndlessTransferStopsAtMaxZoneSize() throws Exception {
    try (FakePrimary fake = primary();
        PrimaryPool pool = new PrimaryPool(1, 4, 2000);
        ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ZoneRefresherIT.ServingPublisher publisher = new ZoneRefresherIT.ServingPublisher();
      ZoneRefresher refresher =
          started(
              fake,
              new TransferLimits(10_000_000, 64 << 10, Duration.ofHours(2)),
              Duration.ofSeconds(5),
              pool,
              store,
              publisher);
      mode.set(Mode.ENDLESS);
      refresher.handle(ZoneRefresher.Event.REFRESH);
      String error = refresher.lastError();
      assertTrue(error != null && error.contains("max-zone-size 65536"), error);
      assertTrue(readSoFar(error)[1] > 65536 && readSoFar(error)[1] < 65536 + 65535, error);
      waitUntilTheSecondaryHangsUp();
      assertOldVersionServedThenLegitZoneTransfers(refresher, store, publisher);
    }
  }

  @Test
  void aDrippingTransferStopsAtItsDeadlineThoughEachMessageComesInTime() throws Exception {
    try (FakePrimary fake = primary();
        PrimaryPool pool = new PrimaryPool(1, 4, 2000);
        ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ZoneRefresherIT.ServingPublisher publisher = new ZoneRefresherIT.ServingPublisher();
      ZoneRefresher refresher =
          started(
              fake,
              new TransferLimits(10_000_000, 1L << 30, Duration.ofSeconds(2)),
              Duration.ofSeconds(5),
              pool,
              store,
              publisher);
      mode.set(Mode.DRIP);
      long started = System.nanoTime();
      refresher.handle(ZoneRefresher.Event.REFRESH);
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      String error = refresher.lastError();
      assertTrue(error != null && error.contains("max-transfer-time-in 2000 ms"), error);
      assertTrue(
          tookMillis >= 1900 && tookMillis < 4000, "failed at about 2 s: " + tookMillis + " ms");
      assertTrue(
          messagesSent.get() >= 5 && messagesSent.get() <= 15,
          "messages kept coming: " + messagesSent.get());
      assertOldVersionServedThenLegitZoneTransfers(refresher, store, publisher);
    }
  }

  @Test
  void aStalledTransferStopsAtItsDeadlineBeforeTheIdleTimeout() throws Exception {
    try (FakePrimary fake = primary();
        PrimaryPool pool = new PrimaryPool(1, 4, 2000);
        ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ZoneRefresherIT.ServingPublisher publisher = new ZoneRefresherIT.ServingPublisher();
      ZoneRefresher refresher =
          started(
              fake,
              new TransferLimits(10_000_000, 1L << 30, Duration.ofSeconds(1)),
              Duration.ofSeconds(30),
              pool,
              store,
              publisher);
      mode.set(Mode.STALL);
      long started = System.nanoTime();
      refresher.handle(ZoneRefresher.Event.REFRESH);
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      String error = refresher.lastError();
      assertTrue(error != null && error.contains("max-transfer-time-in 1000 ms"), error);
      assertTrue(
          tookMillis >= 900 && tookMillis < 3000,
          "failed at about 1 s, not the 30 s idle timeout: " + tookMillis);
      assertOldVersionServedThenLegitZoneTransfers(refresher, store, publisher);
    }
  }

  /**
   * 250-byte TXT records without end (up to 250 MB in the test's bound) against a 16 MiB
   * max-zone-size: the heap after GC stays near where it was while the old version answers.
   */
  @Test
  void theHeapStaysBoundedAndTheOldVersionAnswersDuringAnEndlessTransfer() throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (FakePrimary fake = primary();
        PrimaryPool pool = new PrimaryPool(1, 4, 2000);
        ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ZoneRefresherIT.ServingPublisher publisher = new ZoneRefresherIT.ServingPublisher();
      ZoneRefresher refresher =
          started(
              fake,
              new TransferLimits(10_000_000, 16 << 20, Duration.ofHours(2)),
              Duration.ofSeconds(5),
              pool,
              store,
              publisher);
      System.gc();
      long before = memory.getHeapMemoryUsage().getUsed();
      mode.set(Mode.ENDLESS_BIG);
      CompletableFuture<Void> transfer =
          CompletableFuture.runAsync(() -> refresher.handle(ZoneRefresher.Event.REFRESH));
      long peak = 0;
      int answered = 0;
      while (!transfer.isDone()) { // sampled while the transfer runs: a few dozen times at most
        System.gc();
        peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed() - before);
        assertInstanceOf(
            LookupResult.Answer.class,
            publisher.served.lookup(Name.fromString("www.e.test."), Type.A));
        answered++;
        Thread.sleep(50);
      }
      transfer.get(60, TimeUnit.SECONDS);
      String error = refresher.lastError();
      assertTrue(error != null && error.contains("max-zone-size"), error);
      assertTrue(answered > 0, "the old version answered during the transfer");
      assertTrue(
          peak < 96L << 20, "heap after GC grew by " + (peak >> 20) + " MiB during the transfer");
      System.gc();
      long after = memory.getHeapMemoryUsage().getUsed() - before;
      assertTrue(
          after < 16L << 20, "heap after GC grew by " + (after >> 20) + " MiB once it failed");
      waitUntilTheSecondaryHangsUp();
      assertOldVersionServedThenLegitZoneTransfers(refresher, store, publisher);
    }
  }

  /**
   * The primary's endless loop ends well before its bound once the secondary closes the connection.
   */
  void waitUntilTheSecondaryHangsUp() {
    AtomicInteger last = new AtomicInteger(-1);
    await("the primary stops sending")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              int now = messagesSent.get();
              return last.getAndSet(now) == now;
            });
    assertTrue(
        messagesSent.get() < MAX_MESSAGES, "the primary stopped sending: " + messagesSent.get());
  }
}
