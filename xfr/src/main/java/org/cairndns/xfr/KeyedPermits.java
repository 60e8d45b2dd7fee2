package org.cairndns.xfr;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A fixed number of permits per key (a client or a primary address), handed out in arrival order
 * with a bounded wait. A key has an entry only while one of its permits is held or awaited, so the
 * map holds as many keys as transfers running or waiting, not every address ever seen.
 */
public final class KeyedPermits<K> {
  private final int permits;
  private final ConcurrentHashMap<K, Entry> entries = new ConcurrentHashMap<>();

  /** {@code users} (holders and waiters) changes only inside the map's atomic compute. */
  private static final class Entry {
    final Semaphore semaphore;
    int users;

    Entry(int permits) {
      this.semaphore = new Semaphore(permits, true);
    }
  }

  public KeyedPermits(int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be at least 1, not " + permits);
    }
    this.permits = permits;
  }

  /** One permit; closing it returns it (once). */
  public final class Permit implements AutoCloseable {
    private final K key;
    private final Entry entry;
    private final long waitedNanos;
    private boolean closed;

    private Permit(K key, Entry entry, long waitedNanos) {
      this.key = key;
      this.entry = entry;
      this.waitedNanos = waitedNanos;
    }

    /** How long the permit was waited for, or -1 when one was free at once. */
    public long waitedNanos() {
      return waitedNanos;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        entry.semaphore.release();
        leave(key);
      }
    }
  }

  /** A permit for {@code key}, waiting at most {@code waitNanos}; null when none freed in time. */
  public Permit acquire(K key, long waitNanos) throws InterruptedException {
    Entry entry =
        entries.compute(
            key,
            (k, e) -> {
              Entry joined = e != null ? e : new Entry(permits);
              joined.users++;
              return joined;
            });
    Permit permit = null;
    try {
      if (entry.semaphore.tryAcquire(
          0, TimeUnit.NANOSECONDS)) { // unlike tryAcquire(), waits its turn behind earlier waiters
        permit = new Permit(key, entry, -1);
      } else {
        long started = System.nanoTime();
        if (entry.semaphore.tryAcquire(waitNanos, TimeUnit.NANOSECONDS)) {
          permit = new Permit(key, entry, System.nanoTime() - started);
        }
      }
      return permit;
    } finally {
      if (permit == null) {
        leave(key);
      }
    }
  }

  private void leave(K key) {
    entries.computeIfPresent(key, (k, e) -> --e.users == 0 ? null : e);
  }

  /** Keys with a permit held or awaited. */
  public int keys() {
    return entries.size();
  }

  /** Callers waiting for a permit of {@code key} (an estimate, for tests and status). */
  public int waiting(K key) {
    Entry e = entries.get(key);
    return e == null ? 0 : e.semaphore.getQueueLength();
  }
}
