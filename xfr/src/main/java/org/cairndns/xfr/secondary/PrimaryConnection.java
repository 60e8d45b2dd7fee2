package org.cairndns.xfr.secondary;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.cairndns.zone.wire.WireMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;
import org.xbill.DNS.WireParseException;

/**
 * One TCP or TLS connection to a primary, shared by several requests at once (RFC 9103 §6.3):
 * requests are written whole under a lock, and a reader thread hands each response message to the
 * exchange with its ID, so pipelined transfers may come back intermingled (as BIND sends them).
 */
final class PrimaryConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PrimaryConnection.class);

  /**
   * Response messages (up to 64 KiB each) held for one request before its owner takes them: past it
   * the reader stops reading, so TCP makes a primary that sends faster than we store wait, instead
   * of us buffering an endless transfer in memory (at most 1 MiB per request in flight).
   */
  static final int QUEUED_RESPONSES_PER_REQUEST = 16;

  private static final Received CLOSED = new Received(new byte[0]);

  private final Socket socket;
  private final DataOutputStream out;
  private final Map<Integer, Exchange> exchanges = new ConcurrentHashMap<>();
  private final InetSocketAddress primary;
  private volatile boolean open = true;
  private volatile String closeReason = "connection closed";

  /** The primary's EDNS TCP keepalive (RFC 7828) in ms; -1 until it sends one. */
  private volatile long keepaliveMillis = -1;

  private volatile long lastActivity = System.nanoTime();

  private final Runnable onRelease;

  /**
   * @param onRelease called whenever a request finishes, so waiters can use the freed slot
   */
  PrimaryConnection(Socket socket, InetSocketAddress primary, Runnable onRelease)
      throws IOException {
    this.socket = socket;
    this.primary = primary;
    this.onRelease = onRelease;
    this.out = new DataOutputStream(socket.getOutputStream());
    Thread reader = new Thread(this::readLoop, "cairn-xfr-in " + primary);
    reader.setDaemon(true);
    reader.start();
  }

  /** Slots handed out by the pool and not yet used by {@link #send}. */
  private final java.util.concurrent.atomic.AtomicInteger reserved =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Called by the pool, under its lock, for the request about to be sent here. */
  void reserve() {
    reserved.incrementAndGet();
  }

  /**
   * Sends {@code request} with a fresh ID unused on this connection, using the slot reserved for it
   * (if any); responses come from the exchange.
   */
  Exchange send(Message request) throws IOException {
    if (!open) {
      unreserve();
      onRelease.run();
      throw new IOException(closeReason);
    }
    Exchange exchange = new Exchange();
    int id;
    do {
      id = ThreadLocalRandom.current().nextInt(0x10000);
    } while (exchanges.putIfAbsent(id, exchange) != null);
    unreserve(); // the exchange now holds the slot
    exchange.id = id;
    request.getHeader().setID(id);
    lastActivity = System.nanoTime();
    byte[] wire = request.toWire(65_535); // applies TSIG when set
    exchange.sentTsig = new Message(wire).getTSIG(); // dnsjava keeps the TSIG it generated private
    try {
      synchronized (out) {
        out.writeShort(wire.length);
        out.write(wire);
        out.flush();
      }
    } catch (IOException e) {
      exchange.done();
      throw e;
    }
    return exchange;
  }

  private void unreserve() {
    reserved.updateAndGet(n -> n > 0 ? n - 1 : 0);
  }

  boolean isOpen() {
    return open;
  }

  int inFlight() {
    return exchanges.size() + reserved.get();
  }

  private void readLoop() {
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      while (open) {
        int len = in.readUnsignedShort();
        byte[] wire = new byte[len];
        in.readFully(wire);
        // Only the header and the OPT record are read here; the exchange's owner reads the rest.
        try {
          long keepalive = WireMessage.keepaliveMillis(wire);
          if (keepalive >= 0) {
            keepaliveMillis = keepalive;
          }
        } catch (WireParseException malformed) {
          log.debug(
              "event=xfr-in-malformed primary={} error=\"{}\"", primary, malformed.getMessage());
          continue;
        }
        lastActivity = System.nanoTime();
        Exchange e =
            exchanges.get(WireMessage.id(wire)); // responses to IDs not in flight are dropped
        if (e != null) {
          e.deliver(new Received(wire));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeReason = "reader of the connection to " + primary + " interrupted";
    } catch (EOFException eof) {
      closeReason = "primary " + primary + " closed the connection";
    } catch (IOException e) {
      closeReason = "connection to " + primary + " failed: " + e.getMessage();
    } finally {
      close();
    }
  }

  /**
   * Whether the primary's advertised keepalive has run out for this idle connection (RFC 7828
   * §3.2.2: a client must not use a connection past the timeout the server gave; 0 means close).
   */
  boolean keepaliveExpired() {
    long keepalive = keepaliveMillis;
    if (keepalive < 0 || inFlight() > 0) {
      return false;
    }
    return (System.nanoTime() - lastActivity) / 1_000_000 >= keepalive;
  }

  @Override
  public void close() {
    open = false;
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Exchange e : exchanges.values()) {
      e.queue.add(CLOSED);
    }
  }

  /** One response message; parsed by dnsjava only when asked ({@link #message()}). */
  static final class Received {
    private final byte[] wire;
    private Message message;

    Received(byte[] wire) {
      this.wire = wire;
    }

    byte[] wire() {
      return wire;
    }

    Message message() throws TransferFailure {
      if (message == null) {
        try {
          message = new Message(wire);
        } catch (IOException e) {
          throw new TransferFailure("malformed response: " + e.getMessage(), e);
        }
      }
      return message;
    }
  }

  /** The responses to one request, in the order they arrived. */
  final class Exchange {
    private final BlockingQueue<Received> queue = new LinkedBlockingQueue<>();

    /** Room for responses in {@link #queue}; the closing marker needs none. */
    private final Semaphore room = new Semaphore(QUEUED_RESPONSES_PER_REQUEST);

    private int id;
    private org.xbill.DNS.TSIGRecord sentTsig;

    /** The TSIG record the request went out with, which signs the first response. */
    org.xbill.DNS.TSIGRecord sentTsig() {
      return sentTsig;
    }

    Received next(Duration timeout) throws TransferFailure {
      try {
        Received r = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
          throw new TransferFailure(
              "no response from " + primary + " within " + timeout.toSeconds() + "s");
        }
        if (r == CLOSED) {
          throw new TransferFailure(closeReason);
        }
        room.release();
        return r;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TransferFailure("interrupted");
      }
    }

    /**
     * On the reader thread: waits while the owner has {@link #QUEUED_RESPONSES_PER_REQUEST} to
     * take.
     */
    private void deliver(Received r) throws InterruptedException {
      room.acquire();
      queue.add(r);
    }

    void done() {
      exchanges.remove(id);
      room.release(QUEUED_RESPONSES_PER_REQUEST); // a reader waiting to deliver here goes on
      queue.clear();
      onRelease.run();
    }
  }
}
