package org.cairndns.xfr.owner;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;

/**
 * One zone's event queue (Knot's per-zone events): events run one at a time, in the order they
 * came, each on the pool it names. A queue and a flag, no thread of its own, so thousands of zones
 * share the pools; the pool is chosen per event so that checks and transfers keep to the
 * secondary's {@code transfers-in} threads while loads and publishes use the owners' pool.
 *
 * <p>The queue is bounded by its callers, which coalesce: a refresher has one check timer and one
 * expiry timer at a time, and the owner keeps at most one store reconciliation waiting.
 */
public final class ZoneEvents {
  private static final Logger log = LoggerFactory.getLogger(ZoneEvents.class);

  private record Pending(Executor pool, Runnable event) {}

  private final Name zone;
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>(); // guarded by this
  private boolean running; // guarded by this: an event is running or handed to its pool

  public ZoneEvents(Name zone) {
    this.zone = zone;
  }

  /** Runs {@code event} on {@code pool} once every event submitted before it has run. */
  public void submit(Executor pool, Runnable event) {
    synchronized (this) {
      if (running) {
        waiting.add(new Pending(pool, event));
        return;
      }
      running = true;
    }
    dispatch(new Pending(pool, event));
  }

  /** An executor whose tasks are this zone's events, run on {@code pool}. */
  public Executor on(Executor pool) {
    return event -> submit(pool, event);
  }

  /** Events waiting behind the running one. */
  synchronized int waiting() {
    return waiting.size();
  }

  private void dispatch(Pending pending) {
    try {
      pending.pool().execute(() -> runThenNext(pending.event()));
    } catch (RejectedExecutionException shutDown) { // the server is closing: what waits is dropped
      synchronized (this) {
        waiting.clear();
        running = false;
      }
    }
  }

  private void runThenNext(Runnable event) {
    try {
      event.run();
    } catch (RuntimeException e) { // events handle what they expect; this keeps the queue going
      log.error("zone={} event=zone-event-failed error=\"{}\" (unexpected)", zone, e, e);
    } finally {
      Pending next;
      synchronized (this) {
        next = waiting.poll();
        running = next != null;
      }
      if (next != null) {
        dispatch(next);
      }
    }
  }
}
