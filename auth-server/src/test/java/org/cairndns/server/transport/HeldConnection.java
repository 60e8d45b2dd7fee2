package org.cairndns.server.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A connection an attack test holds on the server (a slowloris drip, a stalled TLS handshake): it
 * sends its first bytes, then is polled to see whether the server has closed it, and knows how long
 * it lived.
 */
final class HeldConnection {
  private final SocketChannel channel;
  private final long openedNanos = System.nanoTime();
  private long closedNanos;

  /** Opens a connection to {@code server} and sends {@code firstBytes} (which may be empty). */
  HeldConnection(InetSocketAddress server, byte[] firstBytes) throws IOException {
    channel = SocketChannel.open(server);
    channel.configureBlocking(false);
    channel.write(ByteBuffer.wrap(firstBytes));
  }

  /** Sends {@code bytes} (none: only looks); false once the server has closed the connection. */
  boolean poll(byte[] bytes) {
    try {
      if (channel.read(ByteBuffer.allocate(16 << 10)) < 0) {
        return close();
      }
      channel.write(ByteBuffer.wrap(bytes));
      return true;
    } catch (IOException reset) {
      return close();
    }
  }

  /**
   * Closes it from our side if still open; its lifetime ends now. Always false, as {@link #poll}
   * is.
   */
  boolean close() {
    closedNanos = System.nanoTime();
    try {
      channel.close();
    } catch (IOException ignored) {
      // already gone
    }
    return false;
  }

  boolean closed() {
    return closedNanos != 0;
  }

  long lifetimeMillis() {
    return TimeUnit.NANOSECONDS.toMillis(closedNanos - openedNanos);
  }

  /** Opens the {@code index}-th connection of an attack. */
  interface Opener {
    HeldConnection open(int index) throws IOException;
  }

  /**
   * Keeps {@code count} connections open for {@code millis}, polling each every {@code pollMillis}
   * with {@code bytes} and opening a new one for each the server closed (at most 20 rounds' worth);
   * closes those left at the end and returns every connection opened.
   */
  static List<HeldConnection> keepOpen(
      int count, long millis, long pollMillis, Opener opener, byte[] bytes) throws Exception {
    List<HeldConnection> all = new ArrayList<>();
    List<HeldConnection> live = new ArrayList<>();
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < end && all.size() < 20 * count) {
      while (live.size() < count) {
        HeldConnection c = opener.open(all.size());
        all.add(c);
        live.add(c);
      }
      live.removeIf(c -> !c.poll(bytes));
      Thread.sleep(pollMillis); // the attack's pace, not a wait for a state
    }
    live.forEach(HeldConnection::close);
    return all;
  }
}
