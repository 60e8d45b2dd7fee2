package org.cairndns.xfr.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

/** One zone's events: one at a time, in order, on the pool each names, whatever an event does. */
class ZoneEventsTest {
  private final ExecutorService loads =
      Executors.newFixedThreadPool(4, r -> new Thread(r, "test-loads"));
  private final ExecutorService checks =
      Executors.newFixedThreadPool(4, r -> new Thread(r, "test-checks"));
  private final ZoneEvents events = new ZoneEvents(Name.fromConstantString("events.test."));

  @AfterEach
  void stopPools() {
    loads.shutdownNow();
    checks.shutdownNow();
  }

  @Test
  void eventsFromManyThreadsRunOneAtATimeInOrderOnTheirOwnPool() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    List<String> ran = Collections.synchronizedList(new ArrayList<>());
    List<String> wrongPool = Collections.synchronizedList(new ArrayList<>());
    int perThread = 200;
    CountDownLatch done = new CountDownLatch(4 * perThread);
    List<Thread> submitters = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      submitters.add(
          new Thread(
              () -> {
                for (int i = 0; i < perThread; i++) {
                  boolean check = i % 2 == 0;
                  String label = thread + ":" + i;
                  events.submit(
                      check ? checks : loads,
                      () -> {
                        mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                        if (!Thread.currentThread()
                            .getName()
                            .equals(check ? "test-checks" : "test-loads")) {
                          wrongPool.add(label);
                        }
                        ran.add(label);
                        running.decrementAndGet();
                        done.countDown();
                      });
                }
              }));
    }
    submitters.forEach(Thread::start);
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals(1, mostAtOnce.get(), "never two events of one zone at once");
    assertEquals(List.of(), wrongPool);
    for (int t = 0; t < 4; t++) {
      String prefix = t + ":";
      List<String> mine = ran.stream().filter(l -> l.startsWith(prefix)).toList();
      List<String> inOrder = new ArrayList<>();
      for (int i = 0; i < perThread; i++) {
        inOrder.add(prefix + i);
      }
      assertEquals(inOrder, mine, "each submitter's events in the order it submitted them");
    }
  }

  @Test
  void anEventThatThrowsDoesNotStopTheOnesBehindIt() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch after = new CountDownLatch(1);
    events.submit(
        loads,
        () -> {
          held.countDown();
          await(release);
        });
    assertTrue(held.await(5, TimeUnit.SECONDS));
    events.submit(
        checks,
        () -> {
          throw new IllegalStateException("a bug in one event");
        });
    events.submit(loads, after::countDown);
    assertEquals(2, events.waiting(), "both wait while the first runs");
    release.countDown();
    assertTrue(after.await(5, TimeUnit.SECONDS), "the event after the failed one runs");
  }

  @Test
  void aPoolThatWasShutDownDropsWhatWaitsAndTheQueueGoesOnWithAnother() throws Exception {
    ExecutorService closed = Executors.newSingleThreadExecutor();
    closed.shutdown();
    AtomicInteger ran = new AtomicInteger();
    events.submit(closed, ran::incrementAndGet);
    CountDownLatch next = new CountDownLatch(1);
    events.submit(loads, next::countDown);
    assertTrue(next.await(5, TimeUnit.SECONDS), "not stuck behind the event that could not run");
    assertEquals(0, ran.get());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
