package org.cairndns.xfr.secondary;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * How many transfers may run at once from one primary address (IP and port), across all zones:
 * BIND's {@code transfers-per-ns}. Waiters are served in arrival order; a wait is bounded.
 */
final class TransferSlots {
  private final int perPrimary;
  private final Map<InetSocketAddress, Semaphore> slots = new ConcurrentHashMap<>();

  TransferSlots(int perPrimary) {
    if (perPrimary < 1) {
      throw new IllegalArgumentException("transfers per primary must be at least 1, not " + perPrimary);
    }
    this.perPrimary = perPrimary;
  }

  int perPrimary() {
    return perPrimary;
  }

  /** A slot held for one transfer; closing it frees the slot (once). */
  static final class Slot implements AutoCloseable {
    private final Semaphore semaphore;
    private final long waitedMillis;
    private boolean released;

    private Slot(Semaphore semaphore, long waitedMillis) {
      this.semaphore = semaphore;
      this.waitedMillis = waitedMillis;
    }

    /** How long the transfer waited for the slot, or -1 when one was free at once. */
    long waitedMillis() {
      return waitedMillis;
    }

    @Override
    public void close() {
      if (!released) {
        released = true;
        semaphore.release();
      }
    }
  }

  /** A slot for a transfer from {@code primary}, waiting at most {@code wait} for one to free. */
  Slot acquire(InetSocketAddress primary, Duration wait) throws TransferFailure {
    Semaphore s = slots.computeIfAbsent(primary, a -> new Semaphore(perPrimary, true));
    try {
      if (s.tryAcquire(0, TimeUnit.MILLISECONDS)) { // unlike tryAcquire(), waits its turn behind earlier waiters
        return new Slot(s, -1);
      }
      long started = System.nanoTime();
      if (s.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        return new Slot(s, (System.nanoTime() - started) / 1_000_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransferFailure("interrupted waiting for a transfer slot for primary " + primary);
    }
    throw new TransferFailure("all " + perPrimary + " transfer slots for primary " + primary + " stayed busy for "
        + wait.toMillis() + " ms (secondary.transfers-in-per-primary)");
  }

  /** Transfers waiting for a slot from {@code primary} (an estimate, for tests and status). */
  int waiting(InetSocketAddress primary) {
    Semaphore s = slots.get(primary);
    return s == null ? 0 : s.getQueueLength();
  }
}
