package org.cairndns.server.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FixedHistogramTest {
  @Test
  void boundsAreInclusiveAndTheLastBucketTakesTheRest() {
    FixedHistogram h = new FixedHistogram(10, 100);
    for (long v : new long[] {0, 10, 11, 100, 101, Long.MAX_VALUE / 2}) {
      h.observe(v);
    }
    assertArrayEquals(new long[] {2, 2, 2}, h.counts());
    assertArrayEquals(new long[] {10, 100}, h.bounds());
    assertEquals(0 + 10 + 11 + 100 + 101 + Long.MAX_VALUE / 2, h.sum());
  }

  @Test
  void boundsMustAscend() {
    assertThrows(IllegalArgumentException.class, () -> new FixedHistogram(10, 10));
    assertThrows(IllegalArgumentException.class, () -> new FixedHistogram(100, 10));
  }
}
