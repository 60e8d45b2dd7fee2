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
            store, scheduler, Clock.systemUTC(), new VersionPublisher() {
              @Override public void storing(Name zone) {
                stored.add("storing");
              }
              @Override public void publish(ZoneSnapshot snapshot) {
                stored.add("published");
              }
              @Override public void abandoned(Name zone) {
                stored.add("abandoned");
              }
            }, expired::set);
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
}
