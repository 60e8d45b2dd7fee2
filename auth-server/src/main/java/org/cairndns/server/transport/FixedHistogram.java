package org.cairndns.server.transport;

import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram with fixed bucket bounds over whole numbers (bytes, nanoseconds), each bucket a
 * striped counter: observing costs a short scan of the bounds and one uncontended add, with no
 * lock, allocation or label lookup, so it can sit on the query path. Read when metrics are scraped.
 */
public final class FixedHistogram {
  private final long[] bounds;
  private final LongAdder[] buckets;
  private final LongAdder sum = new LongAdder();

  /**
   * @param bounds inclusive upper bounds, ascending; a last bucket above them catches the rest
   */
  FixedHistogram(long... bounds) {
    for (int i = 1; i < bounds.length; i++) {
      if (bounds[i] <= bounds[i - 1]) {
        throw new IllegalArgumentException("bounds must ascend");
      }
    }
    this.bounds = bounds.clone();
    this.buckets = new LongAdder[bounds.length + 1];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = new LongAdder();
    }
  }

  void observe(long value) {
    int i = 0;
    while (i < bounds.length && value > bounds[i]) {
      i++;
    }
    buckets[i].increment();
    sum.add(value);
  }

  /** The upper bounds, without the last bucket's (infinity). */
  public long[] bounds() {
    return bounds.clone();
  }

  /** Observations per bucket, not cumulative; the last is the one above every bound. */
  public long[] counts() {
    long[] out = new long[buckets.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = buckets[i].sum();
    }
    return out;
  }

  public long sum() {
    return sum.sum();
  }
}
