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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
class ZoneRefresherTest {
  static final Name ZONE = Name.fromConstantString("t.test.");
  @TempDir Path dir;

  /** Writes down what the refresher asks of the publisher. */
  record RecordingPublisher(List<String> events) implements VersionPublisher {
    @Override
    public ZoneSnapshot serving(Name zone) {
      return null;
    }

    @Override
    public void storing(Name zone) {
      events.add("storing");
    }

    @Override
    public void publish(ZoneSnapshot snapshot) {
      events.add("published " + snapshot.serial() + " records=" + snapshot.size());
    }

    @Override
    public void abandoned(Name zone) {
      events.add("abandoned");
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
        @Override public long getDelay(TimeUnit u) {
          return u.convert(t.delayMillis, TimeUnit.MILLISECONDS);
        }
        @Override public int compareTo(Delayed o) {
          return 0;
        }
        @Override public boolean cancel(boolean b) {
          t.cancelled.set(true);
          return true;
        }
        @Override public boolean isCancelled() {
          return t.cancelled.get();
        }
        @Override public boolean isDone() {
          return t.cancelled.get();
        }
        @Override public Object get() {
          return null;
        }
        @Override public Object get(long l, TimeUnit u) {
          return null;
        }
      };
    }

    /** Runs the pending (not cancelled) task with the given delay; returns whether there was one. */
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
      store.load(ZONE, ZoneFileReader.parse(ZONE, "$TTL 300\n@ IN SOA ns hm 1 3600 60 7200 60\n@ IN NS ns\nns IN A 192.0.2.1\n"), "seed", false);
      int closedPort;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        closedPort = s.getLocalPort();
      }
      PrimarySettings primary = PrimarySettings.tcp(new InetSocketAddress("127.0.0.1", closedPort), null);
      ManualScheduler scheduler = new ManualScheduler();
      AtomicBoolean expired = new AtomicBoolean();
      List<String> stored = new ArrayList<>();
      try (PrimaryPool pool = new PrimaryPool(1, 4, 2000)) {
        ZoneRefresher refresher = new ZoneRefresher(ZONE, List.of(primary), new TransferClient(pool, Duration.ofSeconds(2), null, 2),
            store, scheduler, Clock.systemUTC(), new RecordingPublisher(stored), expired::set);
        refresher.start();
        assertTrue(scheduler.runPending(0), "first check at once");
        assertTrue(refresher.lastError().contains("cannot connect"), refresher.lastError());
        assertEquals(ZoneRefresher.State.OK, refresher.state(), "old version still served");
        assertTrue(scheduler.runPending(60_000), "retry after SOA RETRY (60 s)");
        assertFalse(expired.get());
        assertTrue(scheduler.runPending(7_200_000), "expiry after SOA EXPIRE (7200 s)");
        assertTrue(expired.get());
        assertEquals(ZoneRefresher.State.EXPIRED, refresher.state());
        assertFalse(refresher.onNotify(InetAddress.getByName("127.0.0.2")), "NOTIFY from elsewhere ignored");
        assertTrue(refresher.onNotify(InetAddress.getByName("127.0.0.1")));
        assertTrue(scheduler.runPending(0), "NOTIFY brings the check forward");
        assertEquals(List.of(), stored);
      }
      scheduler.shutdownNow();
    }
  }

  /** A primary at serial 2 that answers AXFR with a three-record zone. */
  private static FakePrimary primaryAtSerial2() throws Exception {
    return primaryServing(new java.util.concurrent.atomic.AtomicReference<>(ZoneFileReader.parse(ZONE,
        "$TTL 300\n@ IN SOA ns hm 2 3600 60 7200 60\n@ IN NS ns\nns IN A 192.0.2.1\n")));
  }

  @Test
  void aTransferIsPublishedFromMemoryOnlyOnceStoredAndAbandonedWhenStoringFails() throws Exception {
    ManualScheduler scheduler = new ManualScheduler();
    try (FakePrimary primary = primaryAtSerial2(); PrimaryPool pool = new PrimaryPool(1, 4, 2000)) {
      TransferClient client = new TransferClient(pool, Duration.ofSeconds(5), null, 2);
      try (ZoneStore store = ZoneStore.open(dir.resolve("ok"))) {
        List<String> events = new ArrayList<>();
        new ZoneRefresher(ZONE, List.of(primary.tcp()), client, store, scheduler, Clock.systemUTC(),
            new RecordingPublisher(events), expired -> { }).start();
        assertTrue(scheduler.runPending(0));
        assertEquals(List.of("storing", "published 2 records=3"), events);
        assertEquals(2, store.soa(ZONE).orElseThrow().getSerial(), "stored before it was published");
      }
      ZoneStore broken = ZoneStore.open(dir.resolve("broken"));
      broken.close(); // every write now fails
      List<String> events = new ArrayList<>();
      ZoneRefresher refresher = new ZoneRefresher(ZONE, List.of(primary.tcp()), client, broken, scheduler,
          Clock.systemUTC(), new RecordingPublisher(events), expired -> { });
      refresher.start();
      assertTrue(scheduler.runPending(0));
      assertEquals(List.of("storing", "abandoned"), events, "nothing served that was not stored");
      assertTrue(refresher.lastError() != null, "the failed store is the check's error");
    }
    scheduler.shutdownNow();
  }

  /** Serves what {@code version} holds: it answers SOA with its SOA, AXFR and IXFR with all of it. */
  private static FakePrimary primaryServing(java.util.concurrent.atomic.AtomicReference<List<org.xbill.DNS.Record>> version)
      throws Exception {
    return new FakePrimary((q, reply) -> {
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
  static final class ServingPublisher implements VersionPublisher {
    volatile ZoneSnapshot served;

    @Override
    public ZoneSnapshot serving(Name zone) {
      return served;
    }

    @Override
    public void storing(Name zone) {}

    @Override
    public void publish(ZoneSnapshot snapshot) {
      served = snapshot;
    }

    @Override
    public void abandoned(Name zone) {}
  }

  @Test
  void aWholeZoneOverAnExistingVersionIsJournalledAsTheDifferenceFromTheServedOne() throws Exception {
    String base = "$TTL 300\n@ IN SOA ns hm %d 3600 60 7200 60\n@ IN NS ns\nns IN A 192.0.2.1\n";
    java.util.concurrent.atomic.AtomicReference<List<org.xbill.DNS.Record>> version = new java.util.concurrent.atomic.AtomicReference<>(
        ZoneFileReader.parse(ZONE, base.formatted(1) + "old IN A 192.0.2.10\nkept IN TXT \"same\"\nwww IN A 192.0.2.80\n"));
    ManualScheduler scheduler = new ManualScheduler();
    try (FakePrimary primary = primaryServing(version); PrimaryPool pool = new PrimaryPool(1, 4, 2000);
        ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ServingPublisher publisher = new ServingPublisher();
      ZoneRefresher refresher = new ZoneRefresher(ZONE, List.of(primary.tcp()), new TransferClient(pool, Duration.ofSeconds(5), null, 2),
          store, scheduler, Clock.systemUTC(), publisher, expired -> { });
      refresher.handle(ZoneRefresher.Event.REFRESH);
      assertEquals(1, publisher.served.serial());
      version.set(ZoneFileReader.parse(ZONE, base.formatted(2) + "new IN A 192.0.2.11\nkept IN TXT \"same\"\nwww IN A 192.0.2.81\n"));
      refresher.handle(ZoneRefresher.Event.REFRESH);
      assertEquals("full", refresher.lastTransfer(), "the primary answered IXFR with the whole zone");
      assertEquals(2, publisher.served.serial());
      List<org.cairndns.zone.store.ZoneDiff> journal = store.journal(ZONE, 1).orElseThrow();
      assertEquals(1, journal.size());
      assertEquals(Set.of("old.t.test.\t\t300\tIN\tA\t192.0.2.10", "www.t.test.\t\t300\tIN\tA\t192.0.2.80"),
          texts(journal.get(0).deleted()));
      assertEquals(Set.of("new.t.test.\t\t300\tIN\tA\t192.0.2.11", "www.t.test.\t\t300\tIN\tA\t192.0.2.81"),
          texts(journal.get(0).added()));
      assertEquals(texts(version.get()), texts(store.current(ZONE).orElseThrow().records()));
    }
    scheduler.shutdownNow();
  }

  private static Set<String> texts(List<org.xbill.DNS.Record> records) {
    return records.stream().map(org.xbill.DNS.Record::toString).collect(java.util.stream.Collectors.toSet());
  }
}
