package org.cairndns.xfr.secondary;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.cairndns.xfr.KeyedPermits;

/**
 * How many transfers may run at once from one primary address (IP and port), across all zones:
 * BIND's {@code transfers-per-ns}. Waiters are served in arrival order; a wait is bounded.
 */
final class TransferSlots {
  private final int perPrimary;
  private final KeyedPermits<InetSocketAddress> slots;

  TransferSlots(int perPrimary) {
    if (perPrimary < 1) {
      throw new IllegalArgumentException(
          "transfers per primary must be at least 1, not " + perPrimary);
    }
    this.perPrimary = perPrimary;
    this.slots = new KeyedPermits<>(perPrimary);
  }

  int perPrimary() {
    return perPrimary;
  }

  /** A slot held for one transfer; closing it frees the slot (once). */
  static final class Slot implements AutoCloseable {
    private final KeyedPermits<InetSocketAddress>.Permit permit;

    private Slot(KeyedPermits<InetSocketAddress>.Permit permit) {
      this.permit = permit;
    }

    /** How long the transfer waited for the slot, or -1 when one was free at once. */
    long waitedMillis() {
      return permit.waitedNanos() < 0 ? -1 : permit.waitedNanos() / 1_000_000;
    }

    @Override
    public void close() {
      permit.close();
    }
  }

  /** A slot for a transfer from {@code primary}, waiting at most {@code wait} for one to free. */
  Slot acquire(InetSocketAddress primary, Duration wait) throws TransferFailure {
    KeyedPermits<InetSocketAddress>.Permit permit;
    try {
      permit = slots.acquire(primary, wait.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransferFailure("interrupted waiting for a transfer slot for primary " + primary);
    }
    if (permit == null) {
      throw new TransferFailure(
          "all "
              + perPrimary
              + " transfer slots for primary "
              + primary
              + " stayed busy for "
              + wait.toMillis()
              + " ms (secondary.transfers-in-per-primary)");
    }
    return new Slot(permit);
  }

  /** Transfers waiting for a slot from {@code primary} (an estimate, for tests and status). */
  int waiting(InetSocketAddress primary) {
    return slots.waiting(primary);
  }

  /** Primaries with a slot held or awaited: an idle primary's entry is gone. */
  int primariesTracked() {
    return slots.keys();
  }
}
