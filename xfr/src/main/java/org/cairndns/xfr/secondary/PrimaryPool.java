package org.cairndns.xfr.secondary;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reused connections to primaries, one pool per (primary, transport): a request goes on the
 * least-busy open connection while it has fewer than {@code maxPipelined} requests in flight; a new
 * connection is opened only below {@code maxConnections} (RFC 9103 §6.3 asks secondaries to reuse).
 */
public final class PrimaryPool implements AutoCloseable {
  private final int maxConnections;
  private final int maxPipelined;
  private final int connectTimeoutMillis;
  private final Map<Key, List<PrimaryConnection>> pools = new HashMap<>();
  private final AtomicInteger opened = new AtomicInteger();

  private record Key(InetSocketAddress address, boolean tls) {}

  public PrimaryPool(int maxConnections, int maxPipelined, int connectTimeoutMillis) {
    this.maxConnections = maxConnections;
    this.maxPipelined = maxPipelined;
    this.connectTimeoutMillis = connectTimeoutMillis;
  }

  /**
   * A connection with room for one more request: the least busy open one, a new one while below
   * {@code maxConnections}, or, when all are full, the first to free a slot (waiting at most the
   * connect timeout).
   */
  synchronized PrimaryConnection connection(PrimarySettings primary, boolean tls) throws IOException {
    List<PrimaryConnection> pool = pools.computeIfAbsent(new Key(primary.address(), tls), k -> new ArrayList<>());
    long deadline = System.nanoTime() + connectTimeoutMillis * 1_000_000L;
    while (true) {
      pool.removeIf(c -> {
        if (c.isOpen() && c.keepaliveExpired()) {
          c.close(); // the primary asked us not to keep it longer
        }
        return !c.isOpen();
      });
      PrimaryConnection best = null;
      for (PrimaryConnection c : pool) {
        if (best == null || c.inFlight() < best.inFlight()) {
          best = c;
        }
      }
      if (best != null && best.inFlight() < maxPipelined) {
        best.reserve();
        return best;
      }
      if (pool.size() < maxConnections) {
        PrimaryConnection fresh = new PrimaryConnection(
            TlsClientSockets.open(primary, tls, connectTimeoutMillis), primary.address(), this::released);
        opened.incrementAndGet();
        pool.add(fresh);
        fresh.reserve();
        return fresh;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IOException("all " + maxConnections + " connections to " + primary.address() + " are busy");
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for a connection to " + primary.address());
      }
    }
  }

  private synchronized void released() {
    notifyAll();
  }

  /** Connections opened so far (tests use it to see reuse). */
  public int connectionsOpened() {
    return opened.get();
  }

  @Override
  public synchronized void close() {
    pools.values().forEach(list -> list.forEach(PrimaryConnection::close));
    pools.clear();
  }
}
