package org.cairndns.xfr;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Zone transfers counted by type and result, and the bytes they carried: one tally for those a
 * secondary takes in, one for those a primary sends out. Striped counters, read when metrics are
 * scraped.
 */
public final class TransferTally {
  /** The transfer asked for (an IXFR that falls back to AXFR counts once as each). */
  public enum Kind {
    AXFR,
    IXFR
  }

  /**
   * How it ended: sent or received whole (for a secondary, before the zone's own checks, which may
   * still refuse the version), refused by the primary's policy (REFUSED), NOTAUTH (TSIG or not a
   * zone there), SERVFAIL (e.g. over the transfer limits), failed (a secondary's transfer that
   * broke off or did not check out), or aborted (cut off while streaming out).
   */
  public enum Result {
    SUCCESS,
    REFUSED,
    NOTAUTH,
    SERVFAIL,
    FAILED,
    ABORTED
  }

  private final Map<Kind, Map<Result, LongAdder>> counts = new EnumMap<>(Kind.class);
  private final LongAdder bytes = new LongAdder();

  public TransferTally() {
    for (Kind kind : Kind.values()) {
      Map<Result, LongAdder> byResult = new EnumMap<>(Result.class);
      for (Result result : Result.values()) {
        byResult.put(result, new LongAdder());
      }
      counts.put(kind, byResult);
    }
  }

  public void record(Kind kind, Result result) {
    counts.get(kind).get(result).increment();
  }

  public void addBytes(long n) {
    bytes.add(n);
  }

  public long count(Kind kind, Result result) {
    return counts.get(kind).get(result).sum();
  }

  public long bytes() {
    return bytes.sum();
  }
}
