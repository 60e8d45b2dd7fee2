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
 * <p>One connection per policy is opened at a time, and requests that need one wait for it (so
 * requests that start together share it). Connecting and the TLS handshake happen outside the
 * pool's lock: a primary that accepts TCP and never finishes its handshake holds up only the
 * requests waiting for that connection.
 */
public final class PrimaryPool implements AutoCloseable {
  private final int maxConnections;
  private final int maxPipelined;
  private final int connectTimeoutMillis;
  private final Map<ConnectionPolicy, Connections> pools = new HashMap<>();
  private final AtomicInteger opened = new AtomicInteger();
  private boolean closed;

  /** The open connections of one policy, and whether another is being opened. */
  private static final class Connections {
    final List<PrimaryConnection> open = new ArrayList<>();
    boolean connecting;
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
      fresh =
          new PrimaryConnection(
              TlsClientSockets.open(policy, connectTimeoutMillis),
              policy.address(),
              this::released);
    } catch (IOException | RuntimeException | Error e) {
      synchronized (this) {
        pool.connecting = false;
        notifyAll(); // a waiting request may try for itself
      }
      throw e;
    }
    synchronized (this) {
      pool.connecting = false;
      notifyAll(); // waiting requests may pipeline on it
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
   * Under the lock: a slot on an open connection (returned), or the claim to open a new connection
   * (null: the caller connects), waiting while another is being opened or every slot is taken.
   */
  private PrimaryConnection reserveOrClaimSlot(Connections pool, ConnectionPolicy policy)
      throws IOException {
    long deadline = System.nanoTime() + connectTimeoutMillis * 1_000_000L;
    while (true) {
      if (closed) {
        throw new IOException("connection pool closed");
      }
      pool.open.removeIf(
          c -> {
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
      if (pool.connecting) {
        // Wait for it rather than open another, so requests that start together share one
        // connection (RFC 9103 §6.3); its connect and handshake are bounded by their own timeouts.
        await(connectTimeoutMillis, policy);
        continue;
      }
      if (pool.open.size() < maxConnections) {
        pool.connecting = true;
        return null;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IOException(
            "all " + maxConnections + " connections to " + policy.address() + " are busy");
      }
      await(Math.max(1, left / 1_000_000), policy);
    }
  }

  @SuppressWarnings(
      "WaitNotInLoop") // the caller's loop checks its condition again after each wakeup
  private void await(long millis, ConnectionPolicy policy) throws IOException {
    try {
      wait(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for a connection to " + policy.address());
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
