package org.cairndns.xfr.secondary;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Slots per primary address: bounded waits, arrival order, one release per slot. */
class TransferSlotsTest {
  static final InetSocketAddress A = new InetSocketAddress("192.0.2.1", 53);
  static final InetSocketAddress A_OTHER_PORT = new InetSocketAddress("192.0.2.1", 5300);
  static final Duration SHORT = Duration.ofMillis(50);
  static final Duration LONG = Duration.ofSeconds(20);

  @Test
  void aFullPrimaryMakesTheNextWaitThenFailNamingTheKey() throws Exception {
    TransferSlots slots = new TransferSlots(1);
    try (TransferSlots.Slot first = slots.acquire(A, SHORT)) {
      assertEquals(-1, first.waitedMillis(), "free at once");
      TransferFailure f = assertThrows(TransferFailure.class, () -> slots.acquire(A, SHORT));
      assertTrue(f.getMessage().contains("secondary.transfers-in-per-primary"), f.getMessage());
      slots.acquire(A_OTHER_PORT, SHORT).close(); // another address (IP+port) has its own slots
    }
    slots.acquire(A, SHORT).close();
  }

  @Test
  void aWaiterGetsTheSlotWhenItIsFreedAndKnowsItWaited() throws Exception {
    TransferSlots slots = new TransferSlots(1);
    TransferSlots.Slot first = slots.acquire(A, SHORT);
    CompletableFuture<TransferSlots.Slot> second =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return slots.acquire(A, LONG);
              } catch (TransferFailure e) {
                throw new IllegalStateException(e);
              }
            });
    await().atMost(LONG).until(() -> slots.waiting(A) == 1);
    assertTrue(!second.isDone(), "waits while the slot is taken");
    first.close();
    TransferSlots.Slot got = second.get(LONG.toSeconds(), TimeUnit.SECONDS);
    assertTrue(got.waitedMillis() >= 0, "it had to wait");
    got.close();
  }

  @Test
  void closingTwiceFreesOneSlot() throws Exception {
    TransferSlots slots = new TransferSlots(1);
    TransferSlots.Slot s = slots.acquire(A, SHORT);
    s.close();
    s.close();
    TransferSlots.Slot again = slots.acquire(A, SHORT);
    assertThrows(TransferFailure.class, () -> slots.acquire(A, SHORT), "still one slot, not two");
    again.close();
  }

  @Test
  void aPrimaryWithNoSlotHeldOrAwaitedIsForgotten() throws Exception {
    TransferSlots slots = new TransferSlots(2);
    for (int port = 1; port <= 1000; port++) {
      slots.acquire(new InetSocketAddress("192.0.2.1", port), SHORT).close();
    }
    TransferSlots.Slot held = slots.acquire(A, SHORT);
    assertThrows(
        TransferFailure.class,
        () -> {
          TransferSlots.Slot second = slots.acquire(A, SHORT);
          try {
            slots.acquire(A, SHORT); // a timed-out waiter leaves no entry behind either
          } finally {
            second.close();
          }
        });
    assertEquals(1, slots.primariesTracked());
    held.close();
    assertEquals(0, slots.primariesTracked());
  }
}
