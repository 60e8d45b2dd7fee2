package org.cairndns.xfr.secondary;

import java.time.Duration;

/**
 * Bounds on one incoming transfer, AXFR or IXFR, so that a broken or hostile primary cannot run the
 * secondary out of memory or hold a transfer slot for ever. Going past one fails that transfer
 * only: what it read is dropped and the zone keeps serving its version. The idle wait for each
 * message ({@code secondary.timeout}) is separate: a primary dripping a message now and then meets
 * it only here.
 *
 * @param maxRecords records received, every answer record counted (IXFR deletions too), as BIND's
 *     {@code max-records}
 * @param maxZoneBytes bytes of response messages received, as Knot's {@code zone-max-size}
 * @param maxTime the whole transfer, from the request to the closing SOA, as BIND's {@code
 *     max-transfer-time-in}
 */
public record TransferLimits(long maxRecords, long maxZoneBytes, Duration maxTime) {
  /**
   * Ten million records and 256 MiB: the benchmarked 1M-name zone (about 1.35M records, some 35 MB
   * on the wire) passes seven times over, while a transfer that never ends stops at a bounded heap.
   * While it runs, a transfer holds the snapshot being built and the store's encoding, each grown
   * by doubling: measured, up to about four times its wire bytes, or 100 to 200 bytes per small
   * record (a 16 MiB endless stream of TXT records peaked at 69 MiB after GC; 300,000 A records at
   * 54 MiB). Two hours is BIND's {@code max-transfer-time-in}.
   */
  public static final TransferLimits DEFAULTS =
      new TransferLimits(10_000_000, 256L << 20, Duration.ofHours(2));

  public TransferLimits {
    if (maxRecords < 1 || maxZoneBytes < 1 || maxTime.isNegative() || maxTime.isZero()) {
      throw new IllegalArgumentException("transfer limits must be positive");
    }
  }
}
