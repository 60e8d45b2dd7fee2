package org.cairndns.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Admission and eviction in the connection table, on embedded channels. */
class ConnectionLimiterTest {
  final ServerCounters counters = new ServerCounters();
  final ConnectionLimiter limiter = new ConnectionLimiter(4, 3, counters); // pressure from 3 of 4
  final List<ConnectionLimiter.Slot> slots = new ArrayList<>();

  EmbeddedChannel connect(String address) {
    EmbeddedChannel ch =
        new EmbeddedChannel(limiter) {
          @Override
          protected SocketAddress remoteAddress0() {
            return new InetSocketAddress(address, 5300);
          }
        };
    if (ch.isOpen()) {
      slots.add(limiter.track(ch));
    }
    return ch;
  }

  @Test
  void aNewcomerPastThePressureMarkClosesTheConnectionIdleLongest() {
    EmbeddedChannel older = connect("192.0.2.1");
    EmbeddedChannel busy = connect("192.0.2.2");
    EmbeddedChannel newer = connect("192.0.2.3");
    slots.get(1).busy = true;
    slots.get(1).lastActivityNanos =
        slots.get(0).lastActivityNanos - 1_000_000; // older still, but answering
    assertTrue(limiter.underPressure());

    EmbeddedChannel newcomer = connect("192.0.2.4");
    assertTrue(newcomer.isOpen());
    assertFalse(older.isOpen(), "the idle connection with the oldest activity goes");
    assertTrue(busy.isOpen(), "one being answered is never evicted");
    assertTrue(newer.isOpen());
    assertEquals(1L, counters.snapshot().get("evicted-connections"));
  }

  @Test
  void aFullTableWithNothingIdleRefusesTheNewcomer() {
    for (int i = 1; i <= 4; i++) {
      assertTrue(connect("192.0.2." + i).isOpen());
      slots.get(slots.size() - 1).busy = true; // answering: never evicted
    }
    EmbeddedChannel newcomer = connect("192.0.2.9");
    assertFalse(newcomer.isOpen());
    assertEquals(1L, counters.snapshot().get("refused-connections"));
    assertEquals(0L, counters.snapshot().get("evicted-connections"));
  }

  @Test
  void thePerAddressLimitRefusesWithoutEvictingOthers() {
    for (int i = 0; i < 3; i++) {
      connect("192.0.2.1");
    }
    EmbeddedChannel fourth = connect("192.0.2.1");
    assertFalse(fourth.isOpen());
    assertEquals(0L, counters.snapshot().get("evicted-connections"));
  }
}
