package org.cairndns.xfr.secondary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.cairndns.xfr.TransferTally;
import org.cairndns.zone.ZoneSnapshot;
import org.cairndns.zone.master.ZoneFileReader;
import org.cairndns.zone.store.ZoneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

/**
 * Timer behaviour with a scheduler the test drives: nothing runs until the test runs it, so
 * refresh, retry and expire happen exactly when the test says, with no sleeping. The primary is an
 * address nobody listens on, so every check fails fast.
 */
class ZoneRefresherIT {
  static final Name ZONE = Name.fromConstantString("t.test.");
  @TempDir Path dir;

  /** Writes down what the refresher asks of the publisher. */
  /**
   * A refresher of {@link #ZONE} with one primary and its events run on the caller's thread; unless
   * a test says otherwise, on the system clock and ignoring expiry.
   */
  static Refresher refresher(
      PrimarySettings primary,
      ZoneStore store,
      ScheduledExecutorService scheduler,
      VersionPublisher publisher) {
    return new Refresher(primary, store, scheduler, publisher);
  }

  static final class Refresher {
    private final PrimarySettings primary;
    private final ZoneStore store;
    private final ScheduledExecutorService scheduler;
    private final VersionPublisher publisher;
    private TransferClient client;
    private Clock clock = Clock.systemUTC();
    private Consumer<Boolean> onExpired = expired -> {};

    private Refresher(
        PrimarySettings primary,
        ZoneStore store,
        ScheduledExecutorService scheduler,
        VersionPublisher publisher) {
      this.primary = primary;
      this.store = store;
      this.scheduler = scheduler;
      this.publisher = publisher;
    }

    Refresher client(TransferClient client) {
      this.client = client;
      return this;
    }

    /** Transfers through {@code pool} with this timeout, two at a time. */
    Refresher over(PrimaryPool pool, Duration timeout) {
      return client(new TransferClient(pool, timeout, null, 2));
    }

    Refresher clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    Refresher onExpired(Consumer<Boolean> onExpired) {
      this.onExpired = onExpired;
      return this;
    }

    ZoneRefresher build() {
      return new ZoneRefresher(
          ZONE,
          List.of(primary),
          client,
          store,
          scheduler,
          Runnable::run,
          clock,
          publisher,
          onExpired);
    }
  }

  static class RecordingPublisher implements VersionPublisher {
    private final List<String> events;

    RecordingPublisher(List<String> events) {
      this.events = events;
    }

    @Override
    public ZoneSnapshot serving(Name zone) {
      return null;
    }

    @Override
    public void publish(ZoneSnapshot snapshot) {
      events.add("published " + snapshot.serial() + " records=" + snapshot.size());
    }
  }

  /** Records scheduled tasks and their delays instead of running them. */
  static final class ManualScheduler extends ScheduledThreadPoolExecutor {
    final List<Task> tasks = new ArrayList<>();

    record Task(Runnable run, long delayMillis, AtomicBoolean cancelled) {}

    ManualScheduler() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      Task t = new Task(command, unit.toMillis(delay), new AtomicBoolean());
      tasks.add(t);
      return new ScheduledFuture<Object>() {
        @Override
        public long getDelay(TimeUnit u) {
          return u.convert(t.delayMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
          return 0;
        }

        @Override
        public boolean cancel(boolean b) {
          t.cancelled.set(true);
          return true;
        }

        @Override
        public boolean isCancelled() {
          return t.cancelled.get();
        }

        @Override
        public boolean isDone() {
          return t.cancelled.get();
        }

        @Override
        public Object get() {
          return null;
        }

        @Override
        public Object get(long l, TimeUnit u) {
          return null;
        }
      };
    }

    /**
     * Runs the pending (not cancelled) task with the shortest delay; returns that delay, or -1 when
     * none.
     */
    long runEarliest() {
      Task earliest = null;
      for (Task t : tasks) {
        if (!t.cancelled.get() && (earliest == null || t.delayMillis < earliest.delayMillis)) {
          earliest = t;
        }
      }
      if (earliest == null) {
        return -1;
      }
      runPending(earliest.delayMillis);
      return earliest.delayMillis;
    }

    /** The delays of the pending tasks, in milliseconds. */
    List<Long> pendingDelays() {
      return tasks.stream()
          .filter(t -> !t.cancelled.get())
          .map(Task::delayMillis)
          .sorted()
          .toList();
    }

    /** Whether a task with this delay is pending. */
    boolean hasPending(long delayMillis) {
      return tasks.stream().anyMatch(t -> !t.cancelled.get() && t.delayMillis == delayMillis);
    }

    /**
     * Runs the pending (not cancelled) task with the given delay; returns whether there was one.
     */
    boolean runPending(long delayMillis) {
      for (Task t : List.copyOf(tasks)) {
        if (!t.cancelled.get() && t.delayMillis == delayMillis) {
          tasks.remove(t);
          t.cancelled.set(true);
          t.run.run();
          return true;
        }
      }
      return false;
    }
  }

  @Test
  void retryThenExpireThenNotifyFromAPrimaryOnly() throws Exception {
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      store.load(
          ZONE,
          ZoneFileReader.parse(
              ZONE, "$TTL 300\n@ IN SOA ns hm 1 3600 60 7200 60\n@ IN NS ns\nns IN A 192.0.2.1\n"),
          "seed",
          false);
      int closedPort;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        closedPort = s.getLocalPort();
      }
      PrimarySettings primary =
          PrimarySettings.tcp(new InetSocketAddress("127.0.0.1", closedPort), null);
      ManualScheduler scheduler = new ManualScheduler();
      AtomicBoolean expired = new AtomicBoolean();
      List<String> stored = new ArrayList<>();
      try (PrimaryPool pool = new PrimaryPool(1, 4, 2000)) {
        ZoneRefresher refresher =
            refresher(primary, store, scheduler, new RecordingPublisher(stored))
                .over(pool, Duration.ofSeconds(2))
                .onExpired(expired::set)
                .build();
        refresher.start();
        assertTrue(scheduler.runPending(0), "first check at once");
        assertTrue(refresher.lastError().contains("cannot connect"), refresher.lastError());
        assertEquals(ZoneRefresher.State.OK, refresher.state(), "old version still served");
        assertTrue(scheduler.runPending(60_000), "retry after SOA RETRY (60 s)");
        assertFalse(expired.get());
        assertTrue(scheduler.runPending(7_200_000), "expiry after SOA EXPIRE (7200 s)");
        assertTrue(expired.get());
        assertEquals(ZoneRefresher.State.EXPIRED, refresher.state());
        assertFalse(
            refresher.onNotify(InetAddress.getByName("127.0.0.2")),
            "NOTIFY from elsewhere ignored");
        assertTrue(refresher.onNotify(InetAddress.getByName("127.0.0.1")));
        long delay = scheduler.runEarliest();
        assertTrue(
            delay >= 0 && delay <= ZoneRefresher.NOTIFY_CHECK_SPACING.toMillis(),
            "NOTIFY brings the check forward to one spacing after the last check began: " + delay);
        assertEquals(List.of(), stored);
      }
      scheduler.shutdownNow();
    }
  }

  /** A primary at serial 2 that answers AXFR with a three-record zone. */
  private static FakePrimary primaryAtSerial2() throws Exception {
    return primaryServing(
        new java.util.concurrent.atomic.AtomicReference<>(
            ZoneFileReader.parse(
                ZONE,
                "$TTL 300\n@ IN SOA ns hm 2 3600 60 7200 60\n@ IN NS ns\nns IN A 192.0.2.1\n")));
  }

  @Test
  void aTransferIsPublishedFromMemoryOnlyOnceStoredAndNotWhenStoringFails() throws Exception {
    ManualScheduler scheduler = new ManualScheduler();
    try (FakePrimary primary = primaryAtSerial2();
        PrimaryPool pool = new PrimaryPool(1, 4, 2000)) {
      TransferClient client = new TransferClient(pool, Duration.ofSeconds(5), null, 2);
      try (ZoneStore store = ZoneStore.open(dir.resolve("ok"))) {
        List<String> events = new ArrayList<>();
        refresher(primary.tcp(), store, scheduler, new RecordingPublisher(events))
            .client(client)
            .build()
            .start();
        assertTrue(scheduler.runPending(0));
        assertEquals(List.of("published 2 records=3"), events);
        assertEquals(
            2, store.soa(ZONE).orElseThrow().getSerial(), "stored before it was published");
      }
      ZoneStore broken = ZoneStore.open(dir.resolve("broken"));
      List<String> events = new ArrayList<>();
      RecordingPublisher closing =
          new RecordingPublisher(events) {
            @Override
            public ZoneSnapshot serving(Name zone) {
              events.add("asked what is served");
              broken.close(); // the store fails between the transfer and its commit
              return super.serving(zone);
            }
          };
      ZoneRefresher refresher =
          refresher(primary.tcp(), broken, scheduler, closing).client(client).build();
      refresher.start();
      assertTrue(scheduler.runPending(0));
      assertEquals(List.of("asked what is served"), events, "nothing served that was not stored");
      assertTrue(refresher.lastError() != null, "the failed store is the check's error");
    }
    scheduler.shutdownNow();
  }

  /** Issue 14: a primary behind us is warned about (no transfer), a newer serial logs old → new. */
  @Test
  void aPrimaryBehindUsIsWarnedAboutAndASerialChangeLogsBothSerials() throws Exception {
    ch.qos.logback.classic.Logger refresherLog =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ZoneRefresher.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    refresherLog.addAppender(lines);
    ManualScheduler scheduler = new ManualScheduler();
    try (FakePrimary primary = primaryAtSerial2();
        PrimaryPool pool = new PrimaryPool(1, 4, 2000);
        ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      store.load(
          ZONE,
          ZoneFileReader.parse(
              ZONE, "$TTL 300\n@ IN SOA ns hm 1 3600 60 7200 60\n@ IN NS ns\nns IN A 192.0.2.1\n"),
          "seed",
          false);
      ServingPublisher publisher = new ServingPublisher();
      ZoneRefresher refresher =
          refresher(primary.tcp(), store, scheduler, publisher)
              .over(pool, Duration.ofSeconds(5))
              .clock(new MovableClock())
              .build();
      refresher.handle(ZoneRefresher.Event.REFRESH);
      assertEquals(2, publisher.served.serial());
      assertEquals(
          List.of(), linesWith(lines, "event=serial-below-ours"), "a newer serial is no warning");
      String transferred = linesWith(lines, "event=transferred").get(0);
      assertTrue(transferred.contains("old_serial=1 serial=2"), transferred);

      store.load(
          ZONE,
          ZoneFileReader.parse(
              ZONE, "$TTL 300\n@ IN SOA ns hm 9 3600 60 7200 60\n@ IN NS ns\nns IN A 192.0.2.1\n"),
          "operator",
          false);
      refresher.handle(ZoneRefresher.Event.REFRESH);
      List<String> warnings = linesWith(lines, "event=serial-below-ours");
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("serial=2 ours=9"), warnings.get(0));
      assertEquals(1, linesWith(lines, "event=transferred").size(), "nothing transferred");
    } finally {
      refresherLog.detachAppender(lines);
      scheduler.shutdownNow();
    }
  }

  private static List<String> linesWith(
      ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines,
      String text) {
    return lines.list.stream()
        .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains(text))
        .toList();
  }

  /**
   * A store that cannot be read is a failed check, not a zone to fetch whole (which takes any
   * serial).
   */
  @Test
  void anUnreadableStoreFailsTheCheckWithoutATransfer() throws Exception {
    ManualScheduler scheduler = new ManualScheduler();
    java.util.concurrent.atomic.AtomicInteger transfers =
        new java.util.concurrent.atomic.AtomicInteger();
    List<org.xbill.DNS.Record> zone =
        ZoneFileReader.parse(
            ZONE, "$TTL 300\n@ IN SOA ns hm 2 3600 60 7200 60\n@ IN NS ns\nns IN A 192.0.2.1\n");
    try (FakePrimary primary =
            new FakePrimary(
                (q, reply) -> {
                  if (q.getQuestion().getType() == org.xbill.DNS.Type.SOA) {
                    reply.send(FakePrimary.response(q, zone.get(0)));
                  } else {
                    transfers.incrementAndGet();
                    List<org.xbill.DNS.Record> axfr = new ArrayList<>(zone);
                    axfr.add(zone.get(0));
                    reply.send(FakePrimary.response(q, axfr.toArray(new org.xbill.DNS.Record[0])));
                  }
                });
        PrimaryPool pool = new PrimaryPool(1, 4, 2000)) {
      ZoneStore store = ZoneStore.open(dir.resolve("db"));
      store.load(
          ZONE,
          ZoneFileReader.parse(ZONE, "$TTL 300\n@ IN SOA ns hm 5 3600 60 7200 60\n@ IN NS ns\n"),
          "seed",
          false);
      store.close(); // every read now fails
      List<String> events = new ArrayList<>();
      ZoneRefresher refresher =
          refresher(primary.tcp(), store, scheduler, new RecordingPublisher(events))
              .over(pool, Duration.ofSeconds(5))
              .build();
      refresher.start();
      assertTrue(scheduler.runPending(0));
      assertEquals(0, transfers.get(), "no transfer that would replace serial 5 with 2");
      assertEquals(List.of(), events);
      assertTrue(refresher.lastError().startsWith("store: "), refresher.lastError());
      assertTrue(
          scheduler.hasPending(ZoneRefresher.FIRST_RETRY.toMillis()), "checks again after RETRY");
    }
    scheduler.shutdownNow();
  }

  /**
   * Serves what {@code version} holds: it answers SOA with its SOA, AXFR and IXFR with all of it.
   */
  private static FakePrimary primaryServing(
      java.util.concurrent.atomic.AtomicReference<List<org.xbill.DNS.Record>> version)
      throws Exception {
    return new FakePrimary(
        (q, reply) -> {
          List<org.xbill.DNS.Record> zone = version.get();
          if (q.getQuestion().getType() == org.xbill.DNS.Type.SOA) {
            reply.send(FakePrimary.response(q, zone.get(0)));
          } else {
            List<org.xbill.DNS.Record> axfr = new ArrayList<>(zone);
            axfr.add(zone.get(0));
            reply.send(FakePrimary.response(q, axfr.toArray(new org.xbill.DNS.Record[0])));
          }
        });
  }

  /** Publishes for real: the last snapshot is what it serves. */
  static class ServingPublisher implements VersionPublisher {
    volatile ZoneSnapshot served;

    @Override
    public ZoneSnapshot serving(Name zone) {
      return served;
    }

    @Override
    public void publish(ZoneSnapshot snapshot) {
      served = snapshot;
    }
  }

  @Test
  void aWholeZoneOverAnExistingVersionIsJournalledAsTheDifferenceFromTheServedOne()
      throws Exception {
    String base = "$TTL 300\n@ IN SOA ns hm %d 3600 60 7200 60\n@ IN NS ns\nns IN A 192.0.2.1\n";
    java.util.concurrent.atomic.AtomicReference<List<org.xbill.DNS.Record>> version =
        new java.util.concurrent.atomic.AtomicReference<>(
            ZoneFileReader.parse(
                ZONE,
                base.formatted(1)
                    + "old IN A 192.0.2.10\nkept IN TXT \"same\"\nwww IN A 192.0.2.80\n"));
    ManualScheduler scheduler = new ManualScheduler();
    try (FakePrimary primary = primaryServing(version);
        PrimaryPool pool = new PrimaryPool(1, 4, 2000);
        ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ServingPublisher publisher = new ServingPublisher();
      TransferClient client = new TransferClient(pool, Duration.ofSeconds(5), null, 2);
      ZoneRefresher refresher =
          refresher(primary.tcp(), store, scheduler, publisher).client(client).build();
      refresher.handle(ZoneRefresher.Event.REFRESH);
      assertEquals(1, publisher.served.serial());
      TransferTally tally = client.tally();
      assertEquals(1, tally.count(TransferTally.Kind.AXFR, TransferTally.Result.SUCCESS));
      long firstBytes = tally.bytes();
      assertTrue(firstBytes > 0);
      version.set(
          ZoneFileReader.parse(
              ZONE,
              base.formatted(2)
                  + "new IN A 192.0.2.11\nkept IN TXT \"same\"\nwww IN A 192.0.2.81\n"));
      refresher.handle(ZoneRefresher.Event.REFRESH);
      assertEquals(
          "full", refresher.lastTransfer(), "the primary answered IXFR with the whole zone");
      assertEquals(2, publisher.served.serial());
      assertEquals(
          1,
          tally.count(TransferTally.Kind.IXFR, TransferTally.Result.SUCCESS),
          "counted as the IXFR it asked for");
      assertEquals(1, tally.count(TransferTally.Kind.AXFR, TransferTally.Result.SUCCESS));
      assertTrue(tally.bytes() > firstBytes);
      List<org.cairndns.zone.store.ZoneDiff> journal = store.journal(ZONE, 1).orElseThrow();
      assertEquals(1, journal.size());
      assertEquals(
          Set.of("old.t.test.\t\t300\tIN\tA\t192.0.2.10", "www.t.test.\t\t300\tIN\tA\t192.0.2.80"),
          texts(journal.get(0).deleted()));
      assertEquals(
          Set.of("new.t.test.\t\t300\tIN\tA\t192.0.2.11", "www.t.test.\t\t300\tIN\tA\t192.0.2.81"),
          texts(journal.get(0).added()));
      assertEquals(texts(version.get()), texts(store.current(ZONE).orElseThrow().records()));
    }
    scheduler.shutdownNow();
  }

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    volatile java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return now;
    }
  }

  static final String ROLLBACK_ZONE =
      "$TTL 300\n@ IN SOA ns hm %d 3600 60 7200 60\n@ IN NS ns\nns IN A 192.0.2.1\n%s IN A 192.0.2.9\n";

  /**
   * Serves serial 100 while {@code mode} is "honest". Otherwise it claims serial 101 to SOA queries
   * and transfers serial 50: "ixfr-older" answers IXFR with that older SOA (so the client falls
   * back to AXFR), "axfr-only" refuses IXFR with NOTIMP; AXFR gets the whole zone at 50.
   */
  private static FakePrimary rollbackPrimary(
      java.util.concurrent.atomic.AtomicReference<String> mode) throws Exception {
    List<org.xbill.DNS.Record> v100 =
        ZoneFileReader.parse(ZONE, ROLLBACK_ZONE.formatted(100, "new"));
    List<org.xbill.DNS.Record> v50 = ZoneFileReader.parse(ZONE, ROLLBACK_ZONE.formatted(50, "old"));
    org.xbill.DNS.Record soa101 =
        ZoneFileReader.parse(ZONE, ROLLBACK_ZONE.formatted(101, "x")).get(0);
    return new FakePrimary(
        (q, reply) -> {
          boolean honest = mode.get().equals("honest");
          List<org.xbill.DNS.Record> zone = honest ? v100 : v50;
          int type = q.getQuestion().getType();
          if (type == org.xbill.DNS.Type.SOA) {
            reply.send(FakePrimary.response(q, honest ? v100.get(0) : soa101));
          } else if (type == org.xbill.DNS.Type.IXFR && mode.get().equals("ixfr-older")) {
            reply.send(FakePrimary.response(q, v50.get(0)));
          } else if (type == org.xbill.DNS.Type.IXFR && mode.get().equals("axfr-only")) {
            org.xbill.DNS.Message refused = FakePrimary.response(q);
            refused.getHeader().setRcode(org.xbill.DNS.Rcode.NOTIMP);
            reply.send(refused);
          } else {
            List<org.xbill.DNS.Record> axfr = new ArrayList<>(zone);
            axfr.add(zone.get(0));
            reply.send(FakePrimary.response(q, axfr.toArray(new org.xbill.DNS.Record[0])));
          }
        });
  }

  /**
   * Issue 11 item 3: a primary cannot roll the zone back by IXFR-then-AXFR or by AXFR; a retransfer
   * can.
   */
  @Test
  void anOlderSerialIsRefusedByEveryTransferUntilTheOperatorAsksForARetransfer() throws Exception {
    for (String attack : List.of("ixfr-older", "axfr-only")) {
      java.util.concurrent.atomic.AtomicReference<String> mode =
          new java.util.concurrent.atomic.AtomicReference<>("honest");
      ManualScheduler scheduler = new ManualScheduler();
      try (FakePrimary primary = rollbackPrimary(mode);
          PrimaryPool pool = new PrimaryPool(1, 4, 2000);
          ZoneStore store = ZoneStore.open(dir.resolve(attack))) {
        ServingPublisher publisher = new ServingPublisher();
        TransferClient client = new TransferClient(pool, Duration.ofSeconds(5), null, 2);
        ZoneRefresher refresher =
            refresher(primary.tcp(), store, scheduler, publisher)
                .client(client)
                .clock(new MovableClock())
                .build();
        refresher.handle(ZoneRefresher.Event.REFRESH);
        assertEquals(100, publisher.served.serial(), attack);
        int versions = store.history(ZONE).size();

        mode.set(attack);
        refresher.handle(ZoneRefresher.Event.REFRESH);
        assertEquals(100, publisher.served.serial(), attack + ": the served version is kept");
        assertEquals(
            100,
            store.soa(ZONE).orElseThrow().getSerial(),
            attack + ": the stored version is kept");
        assertEquals(versions, store.history(ZONE).size(), attack + ": nothing new journalled");
        assertEquals(java.util.Optional.of(List.of()), store.journal(ZONE, 100), attack);
        assertTrue(
            refresher.lastError().contains("serial 50, not newer than ours 100"),
            attack + ": " + refresher.lastError());
        assertTrue(scheduler.hasPending(60_000), attack + ": goes on with RETRY (60 s)");
        assertEquals(
            1,
            client.tally().count(TransferTally.Kind.IXFR, TransferTally.Result.FAILED),
            attack + ": the IXFR failed (NOTIMP, or an SOA older than ours) and fell back to AXFR");
        assertEquals(
            2,
            client.tally().count(TransferTally.Kind.AXFR, TransferTally.Result.SUCCESS),
            attack + ": received whole; the store refused the older serial, not the transfer");

        refresher.retransfer();
        scheduler.runEarliest();
        assertEquals(null, refresher.lastError(), attack);
        assertEquals(
            50, publisher.served.serial(), attack + ": the retransfer takes the older serial");
        assertEquals(50, store.soa(ZONE).orElseThrow().getSerial(), attack);
        assertEquals(
            texts(ZoneFileReader.parse(ZONE, ROLLBACK_ZONE.formatted(50, "old"))),
            texts(store.current(ZONE).orElseThrow().records()),
            attack);
        assertEquals(
            java.util.Optional.empty(),
            store.journal(ZONE, 100),
            attack + ": no IXFR across the rollback");

        refresher.handle(ZoneRefresher.Event.REFRESH);
        assertEquals(
            50,
            publisher.served.serial(),
            attack + ": the retransfer was once, not a standing permission");
      }
      scheduler.shutdownNow();
    }
  }

  /**
   * A NOTIFY flood from a primary's address arrives on the UDP event loops: once a check is due,
   * further NOTIFYs must not wait for the refresher's lock, which the check thread holds at times
   * (preempted on a busy machine, for tens of milliseconds while that loop's socket overflowed).
   */
  @Test
  void notifiesOnceACheckIsDueDoNotWaitForTheLock() throws Exception {
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"));
        PrimaryPool pool = new PrimaryPool(1, 4, 2000)) {
      store.load(
          ZONE,
          ZoneFileReader.parse(
              ZONE, "$TTL 300\n@ IN SOA ns hm 1 3600 60 7200 60\n@ IN NS ns\nns IN A 192.0.2.1\n"),
          "seed",
          false);
      PrimarySettings primary = PrimarySettings.tcp(new InetSocketAddress("127.0.0.1", 9), null);
      ManualScheduler scheduler = new ManualScheduler();
      ZoneRefresher refresher =
          refresher(primary, store, scheduler, new RecordingPublisher(new ArrayList<>()))
              .over(pool, Duration.ofSeconds(2))
              .build();
      assertTrue(
          refresher.onNotify(InetAddress.getLoopbackAddress()),
          "the first NOTIFY brings a check forward");
      java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      Thread holder =
          new Thread(
              () -> {
                synchronized (refresher) { // as the check thread does while it schedules
                  held.countDown();
                  try {
                    release.await(10, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              });
      holder.start();
      try {
        assertTrue(held.await(5, TimeUnit.SECONDS));
        java.util.concurrent.atomic.AtomicInteger answered =
            new java.util.concurrent.atomic.AtomicInteger();
        Thread flood =
            new Thread(
                () -> {
                  for (int i = 0; i < 1000; i++) {
                    if (refresher.onNotify(InetAddress.getLoopbackAddress())) {
                      answered.incrementAndGet();
                    }
                  }
                });
        flood.start();
        flood.join(2000);
        assertEquals(1000, answered.get(), "NOTIFYs answered while the lock is held");
      } finally {
        release.countDown();
        holder.join(10_000);
      }
      assertEquals(List.of(0L), scheduler.pendingDelays(), "still the one check brought forward");
      scheduler.shutdownNow();
    }
  }

  /** Issue 11 item 11: NOTIFYs during a check add one follow-up check, however many they are. */
  @Test
  void notifiesDuringACheckAddOneFollowUpCheck() throws Exception {
    List<org.xbill.DNS.Record> zone =
        ZoneFileReader.parse(
            ZONE, "$TTL 300\n@ IN SOA ns hm 1 3600 60 7200 60\n@ IN NS ns\nns IN A 192.0.2.1\n");
    java.util.concurrent.atomic.AtomicInteger soaQueries =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
    ManualScheduler scheduler = new ManualScheduler();
    try (FakePrimary primary =
            new FakePrimary(
                (q, reply) -> {
                  soaQueries.incrementAndGet();
                  asked.countDown();
                  answer.await(); // holds the first check until the test has sent its NOTIFYs
                  reply.send(FakePrimary.response(q, zone.get(0)));
                });
        PrimaryPool pool = new PrimaryPool(1, 4, 2000);
        ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      store.load(ZONE, zone, "seed", false);
      ZoneRefresher refresher =
          refresher(primary.tcp(), store, scheduler, new ServingPublisher())
              .over(pool, Duration.ofSeconds(5))
              .clock(new MovableClock())
              .build();
      refresher.start();
      Thread check = new Thread(() -> scheduler.runPending(0));
      check.start();
      assertTrue(asked.await(10, TimeUnit.SECONDS), "the check asks the primary");
      for (int i = 0; i < 1000; i++) {
        assertTrue(refresher.onNotify(InetAddress.getLoopbackAddress()));
      }
      answer.countDown();
      check.join(10_000);
      assertEquals(1, soaQueries.get(), "no check beside the running one");
      List<Long> pending = scheduler.pendingDelays();
      assertEquals(2, pending.size(), "one check queued, besides the expiry (7200 s): " + pending);
      assertEquals(7_200_000L, pending.get(1));
      long delay = scheduler.runEarliest();
      assertTrue(
          delay <= ZoneRefresher.NOTIFY_CHECK_SPACING.toMillis(),
          "the follow-up, no sooner than the spacing: " + delay);
      assertEquals(2, soaQueries.get());
      assertEquals(
          List.of(3_600_000L, 7_200_000L),
          scheduler.pendingDelays(),
          "then REFRESH and the expiry, nothing else");
    }
    scheduler.shutdownNow();
  }

  /**
   * Issue 11 item 9: whatever a check throws, the zone checks again after RETRY, and then succeeds.
   */
  @Test
  void anUnexpectedFailureInACheckStillSchedulesTheRetry() throws Exception {
    for (Throwable failure :
        List.<Throwable>of(
            new OutOfMemoryError("test"),
            new AssertionError("test"),
            new IllegalStateException("boom"))) {
      ManualScheduler scheduler = new ManualScheduler();
      String label = failure.getClass().getSimpleName();
      try (FakePrimary primary = primaryAtSerial2();
          PrimaryPool pool = new PrimaryPool(1, 4, 2000);
          ZoneStore store = ZoneStore.open(dir.resolve(label))) {
        java.util.concurrent.atomic.AtomicBoolean thrown =
            new java.util.concurrent.atomic.AtomicBoolean();
        ServingPublisher publisher =
            new ServingPublisher() {
              @Override
              public ZoneSnapshot serving(Name zone) {
                if (thrown.compareAndSet(false, true)) {
                  sneakyThrow(failure); // as if the transfer's result had failed to build or store
                }
                return super.serving(zone);
              }
            };
        ZoneRefresher refresher =
            refresher(primary.tcp(), store, scheduler, publisher)
                .over(pool, Duration.ofSeconds(5))
                .clock(new MovableClock())
                .build();
        refresher.start();
        assertTrue(scheduler.runPending(0), label);
        assertTrue(thrown.get(), label);
        assertTrue(refresher.lastError().contains(label), label + ": " + refresher.lastError());
        assertTrue(
            scheduler.runPending(ZoneRefresher.FIRST_RETRY.toMillis()),
            label + ": checks again after RETRY");
        assertEquals(null, refresher.lastError(), label);
        assertEquals(2, publisher.served.serial(), label);
        assertTrue(scheduler.hasPending(3_600_000), label + ": and goes on with REFRESH");
      }
      scheduler.shutdownNow();
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
    throw (T) t;
  }

  /**
   * Issue 11 item 15: EXPIRE counts from the last successful check recorded in the store, across
   * restarts.
   */
  @Test
  void expiryCountsFromTheLastSuccessfulCheckAcrossRestarts() throws Exception {
    MovableClock clock = new MovableClock();
    java.time.Instant checked = clock.now;
    try (FakePrimary primary = primaryAtSerial2();
        PrimaryPool pool = new PrimaryPool(1, 4, 2000);
        ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ManualScheduler scheduler = new ManualScheduler();
      ZoneRefresher first =
          refresher(primary.tcp(), store, scheduler, new ServingPublisher())
              .over(pool, Duration.ofSeconds(5))
              .clock(clock)
              .build();
      first.start();
      assertTrue(scheduler.runPending(0));
      assertEquals(null, first.lastError());
      first.stop();
      scheduler.shutdownNow();
    }
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    PrimarySettings gone =
        PrimarySettings.tcp(new InetSocketAddress("127.0.0.1", closedPort), null);
    record Case(long secondsLater, boolean expired, long expiryInMillis) {}
    for (Case c : List.of(new Case(7000, false, 200_000), new Case(7201, true, -1))) {
      clock.now = checked.plusSeconds(c.secondsLater());
      try (PrimaryPool pool = new PrimaryPool(1, 4, 2000);
          ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
        ManualScheduler scheduler = new ManualScheduler();
        AtomicBoolean expired = new AtomicBoolean();
        ZoneRefresher restarted =
            refresher(gone, store, scheduler, new ServingPublisher())
                .over(pool, Duration.ofSeconds(2))
                .clock(clock)
                .onExpired(expired::set)
                .build();
        restarted.start();
        String label = c.secondsLater() + " s after the last successful check";
        assertEquals(c.expired(), expired.get(), label);
        assertEquals(c.expired(), restarted.state() == ZoneRefresher.State.EXPIRED, label);
        assertTrue(scheduler.hasPending(0), label + ": checks its primaries at once");
        if (!c.expired()) {
          assertTrue(
              scheduler.hasPending(c.expiryInMillis()),
              label + ": served for the remaining " + c.expiryInMillis() + " ms");
        }
        restarted.stop();
        scheduler.shutdownNow();
      }
    }
  }

  private static Set<String> texts(List<org.xbill.DNS.Record> records) {
    return records.stream()
        .map(org.xbill.DNS.Record::toString)
        .collect(java.util.stream.Collectors.toSet());
  }
}
