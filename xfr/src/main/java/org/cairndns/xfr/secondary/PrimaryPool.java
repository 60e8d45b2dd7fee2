package org.cairndns.xfr.secondary;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reused connections to primaries, one pool per {@link ConnectionPolicy} (the primary's address and
 * everything that authenticates the connection): a request goes on the least-busy open connection
 * while it has fewer than {@code maxPipelined} requests in flight; a new connection is opened only
 * below {@code maxConnections} (RFC 9103 §6.3 asks secondaries to reuse). The limits hold per
 * policy, and the policies come from the configuration, never from a primary.
 *
 * <p>Connecting and the TLS handshake happen outside the pool's lock: a primary that accepts TCP
 * and never finishes its handshake holds up only the requests that wait for that connection.
 */
public final class PrimaryPool implements AutoCloseable {
  private final int maxConnections;
  private final int maxPipelined;
  private final int connectTimeoutMillis;
  private final Map<ConnectionPolicy, Connections> pools = new HashMap<>();
  private final AtomicInteger opened = new AtomicInteger();
  private boolean closed;

  /** The open connections of one policy, and how many are being opened (each holds a slot). */
  private static final class Connections {
    final List<PrimaryConnection> open = new ArrayList<>();
    int connecting;
  }

  public PrimaryPool(int maxConnections, int maxPipelined, int connectTimeoutMillis) {
    this.maxConnections = maxConnections;
    this.maxPipelined = maxPipelined;
    this.connectTimeoutMillis = connectTimeoutMillis;
  }

  /**
   * A connection set up under {@code policy} with room for one more request: the least busy open
   * one, a new one while below {@code maxConnections}, or, when all are full, the first to free a
   * slot (waiting at most the connect timeout).
   */
  PrimaryConnection connection(ConnectionPolicy policy) throws IOException {
    Connections pool;
    synchronized (this) {
      pool = pools.computeIfAbsent(policy, k -> new Connections());
      PrimaryConnection reused = reserveOrClaimSlot(pool, policy);
      if (reused != null) {
        return reused;
      }
    }
    PrimaryConnection fresh;
    try {
      fresh = new PrimaryConnection(TlsClientSockets.open(policy, connectTimeoutMillis), policy.address(),
          this::released);
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        pool.connecting--;
        notifyAll(); // the slot is free for another attempt
      }
      throw e;
    }
    synchronized (this) {
      pool.connecting--;
      notifyAll(); // others may pipeline on it
      if (closed) {
        fresh.close();
        throw new IOException("connection pool closed");
      }
      opened.incrementAndGet();
      pool.open.add(fresh);
      fresh.reserve();
      return fresh;
    }
  }

  /**
   * Under the lock: a slot on an open connection (returned), or a claim on a slot for a new
   * connection (null: the caller connects), waiting while every slot is taken.
   */
  private PrimaryConnection reserveOrClaimSlot(Connections pool, ConnectionPolicy policy) throws IOException {
    long deadline = System.nanoTime() + connectTimeoutMillis * 1_000_000L;
    while (true) {
      if (closed) {
        throw new IOException("connection pool closed");
      }
      pool.open.removeIf(c -> {
        if (c.isOpen() && c.keepaliveExpired()) {
          c.close(); // the primary asked us not to keep it longer
        }
        return !c.isOpen();
      });
      PrimaryConnection best = null;
      for (PrimaryConnection c : pool.open) {
        if (best == null || c.inFlight() < best.inFlight()) {
          best = c;
        }
      }
      if (best != null && best.inFlight() < maxPipelined) {
        best.reserve();
        return best;
      }
      if (pool.open.size() + pool.connecting < maxConnections) {
        pool.connecting++;
        return null;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IOException("all " + maxConnections + " connections to " + policy.address() + " are busy");
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for a connection to " + policy.address());
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
    closed = true;
    pools.values().forEach(pool -> pool.open.forEach(PrimaryConnection::close));
    pools.clear();
    notifyAll();
  }
}
