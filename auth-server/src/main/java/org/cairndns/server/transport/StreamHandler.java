package org.cairndns.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.cairndns.log.RateLimitedLog;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.server.query.Outcome;
import org.cairndns.server.query.RequestHandler;
import org.cairndns.tls.PeerIdentities;
import org.cairndns.tls.PeerIdentity;
import org.cairndns.xfr.TransferTally;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.xbill.DNS.Rcode;

/**
 * RFC 7766 connection handling for TCP and TLS: every framed request is answered; ordinary replies
 * go out as soon as they are ready, and a transfer's messages go out contiguously and in order.
 * While a transfer streams, later replies wait in a queue so nothing is interleaved with it;
 * several transfers on one connection are sent in the order they were asked.
 *
 * <p>Timing and flow control, so that a client can hold neither a slot nor memory for free: the
 * idle timer runs from the last <em>complete</em> request or finished response (RFC 7766 §6.2.3),
 * so bytes dripped into an unfinished message do not keep a connection open; at most {@code
 * tcpQueriesInFlight} requests are answered and not yet written out, and nothing is read while that
 * cap or the write buffer's high-water mark is reached (the frames already decoded wait in the
 * {@code FlowControlHandler} before this one); a connection whose queued responses make no progress
 * for the write timeout is closed. A transfer makes its next message only once the channel is
 * writable again, so one that is not read costs at most the write buffer plus one message; and one
 * still streaming at its deadline (xfr.max-transfer-time-out, counted from when it was handed to
 * its thread) is cut off with its connection, however fast it is read.
 */
final class StreamHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(StreamHandler.class);
  // Lines a client can trigger at will, so rate-limited (one per call site, shared by connections).
  private static final RateLimitedLog handlerFailures =
      new RateLimitedLog(log, Level.WARN, "stream-handler-failed");
  private static final RateLimitedLog transfersAborted =
      new RateLimitedLog(log, Level.INFO, "transfer-aborted");
  private static final RateLimitedLog transferFailures =
      new RateLimitedLog(log, Level.WARN, "transfer-failed");

  private final RequestHandler handler;
  private final Transport transport;
  private final ServerCounters counters;
  private final ServerCounters.PerTransport counts;
  private final Executor transferExecutor;
  private final ConnectionLimiter limiter;
  private final long idleNanos;
  private final long writeTimeoutNanos;
  private final int queriesInFlightCap;
  private final long transferTimeOutNanos;

  /** Event-loop-only state. */
  private final ArrayDeque<Object> pending = new ArrayDeque<>();

  private boolean streaming;
  private Requester requester;
  private ChannelHandlerContext ctx;
  private ConnectionLimiter.Slot slot;
  private ScheduledFuture<?> timer;

  /** When the connection opened, by the wall clock: TLS session times are on it. */
  private long connectedMillis;

  /** Requests answered whose reply (or whole transfer) is not written out yet. */
  private int inFlight;

  private long lastWriteProgressNanos;

  /** When the transfer streaming now must be done. */
  private long transferDeadlineNanos;

  /** Lets a transfer thread wait for the channel to become writable again. */
  private final ReentrantLock writable = new ReentrantLock();

  private final Condition writableAgain = writable.newCondition();

  private final ChannelProgressiveFutureListener replyWritten =
      new ChannelProgressiveFutureListener() {
        @Override
        public void operationProgressed(ChannelProgressiveFuture f, long progress, long total) {
          lastWriteProgressNanos = System.nanoTime();
        }

        @Override
        public void operationComplete(ChannelProgressiveFuture f) {
          answered();
        }
      };

  StreamHandler(
      RequestHandler handler,
      Transport transport,
      ServerCounters counters,
      Executor transferExecutor,
      ConnectionLimiter limiter,
      ListenerSettings settings) {
    this.handler = handler;
    this.transport = transport;
    this.counters = counters;
    this.counts = counters.of(transport);
    this.transferExecutor = transferExecutor;
    this.limiter = limiter;
    this.idleNanos = settings.tcpIdleTimeout().toNanos();
    this.writeTimeoutNanos = settings.writeTimeout().toNanos();
    this.queriesInFlightCap = settings.tcpQueriesInFlight();
    this.transferTimeOutNanos = settings.transferTimeOut().toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    slot = limiter.track(ctx.channel());
    counters.opened(counts);
    connectedMillis = System.currentTimeMillis();
    scheduleCheck(Math.min(idleNanos, writeTimeoutNanos));
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    byte[] request;
    try {
      request = ByteBufUtil.getBytes(frame);
    } finally {
      frame.release();
    }
    long start = System.nanoTime();
    slot.lastActivityNanos = start;
    counts.query(request);
    Outcome outcome;
    try {
      outcome = handler.handle(request, requester(ctx));
    } catch (RuntimeException e) {
      handlerFailures.log(
          "event=stream-handler-failed client={} error=\"{}\"",
          ctx.channel().remoteAddress(),
          e.toString(),
          e);
      counters.dropped();
      return;
    }
    if (outcome instanceof Outcome.Reply reply) {
      counts.reply(reply, System.nanoTime() - start);
      Outcome.Reply out = limiter.underPressure() ? KeepaliveOption.withZeroTimeout(reply) : reply;
      accepted();
      if (streaming || !pending.isEmpty()) {
        pending.add(out);
      } else {
        write(out);
      }
    } else if (outcome instanceof Outcome.Messages messages) {
      accepted();
      pending.add(messages.messages());
      if (!streaming) {
        drain(ctx);
      }
    } else {
      counters.dropped();
    }
    if (!ctx.channel().config().isAutoRead()) {
      ctx.flush(); // paused: the flow control handler holds back channelReadComplete
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  /** One more request being answered; past the cap, reading stops until replies are written. */
  private void accepted() {
    if (inFlight++ == 0) {
      lastWriteProgressNanos = System.nanoTime();
      slot.busy = true;
    }
    if (inFlight >= queriesInFlightCap) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  /** A reply or a whole transfer has been written (or failed with the connection). */
  private void answered() {
    long now = System.nanoTime();
    lastWriteProgressNanos = now;
    slot.lastActivityNanos = now;
    slot.busy = --inFlight > 0 || streaming;
    resumeIfRoom();
  }

  private void resumeIfRoom() {
    Channel ch = ctx.channel();
    if (ch.isActive()
        && !ch.config().isAutoRead()
        && inFlight < queriesInFlightCap
        && ch.isWritable()) {
      ch.config().setAutoRead(true);
    }
  }

  private void write(Outcome.Reply reply) {
    ctx.write(
        ReplyBuffers.copy(ctx.alloc(), reply, true),
        ctx.newProgressivePromise().addListener(replyWritten));
  }

  /** Sends queued replies until the next queued transfer, which then streams on its own thread. */
  @SuppressWarnings("unchecked")
  private void drain(ChannelHandlerContext ctx) {
    Object next;
    while ((next = pending.poll()) != null) {
      if (next instanceof Outcome.Reply reply) {
        write(reply);
      } else {
        streaming = true;
        transferDeadlineNanos = System.nanoTime() + transferTimeOutNanos;
        checkNoLaterThan(transferTimeOutNanos);
        Iterator<byte[]> transfer = (Iterator<byte[]>) next;
        ctx.flush();
        transferExecutor.execute(() -> stream(ctx, transfer));
        return;
      }
    }
    ctx.flush();
  }

  /** Runs off the event loop: producing messages may read the journal. */
  private void stream(ChannelHandlerContext ctx, Iterator<byte[]> transfer) {
    Channel ch = ctx.channel();
    TransferTally.Kind kind = null; // known from the first message, which echoes the question
    TransferTally.Result result = TransferTally.Result.ABORTED;
    try {
      while (ch.isActive()) {
        if (!transfer.hasNext()) {
          if (result == TransferTally.Result.ABORTED) {
            result = TransferTally.Result.SUCCESS;
          }
          break;
        }
        if (!awaitWritable(ch)) {
          if (ch.isActive()) { // else closed meanwhile, e.g. at the transfer deadline
            counters.writeTimedOut();
            transfersAborted.log(
                "event=transfer-aborted client={} reason=\"client not reading\"",
                ch.remoteAddress());
            abort(ch);
          }
          break;
        }
        byte[] wire = transfer.next();
        if (kind == null) {
          kind =
              QtypeBuckets.of(wire) == QtypeBuckets.IXFR
                  ? TransferTally.Kind.IXFR
                  : TransferTally.Kind.AXFR;
          result = resultOfFirst(wire);
        }
        counts.response(wire, wire.length);
        counters.transfersOut().addBytes(wire.length);
        ch.writeAndFlush(
            ReplyBuffers.copy(ctx.alloc(), new Outcome.Reply(wire), true), ch.voidPromise());
      }
    } catch (RuntimeException e) {
      transferFailures.log(
          "event=transfer-failed client={} error=\"{}\"", ch.remoteAddress(), e.toString(), e);
      ch.close();
      result = TransferTally.Result.FAILED;
    } finally {
      if (kind != null) { // else the client left before the transfer began
        counters.transfersOut().record(kind, result);
      }
      closeQuietly(transfer);
      ch.eventLoop()
          .execute(
              () -> {
                streaming = false;
                answered();
                drain(ctx);
              });
    }
  }

  /**
   * The result a transfer's first message gives when it is a refusal; ABORTED (until it ends whole)
   * when it is the start of the zone.
   */
  private static TransferTally.Result resultOfFirst(byte[] first) {
    return switch (first.length < 4 ? Rcode.FORMERR : first[3] & 0xF) {
      case Rcode.NOERROR -> TransferTally.Result.ABORTED;
      case Rcode.REFUSED -> TransferTally.Result.REFUSED;
      case Rcode.NOTAUTH -> TransferTally.Result.NOTAUTH;
      case Rcode.SERVFAIL -> TransferTally.Result.SERVFAIL;
      default -> TransferTally.Result.FAILED;
    };
  }

  private boolean awaitWritable(Channel ch) {
    if (ch.isWritable()) {
      return true;
    }
    writable.lock();
    try {
      long deadline = System.nanoTime() + writeTimeoutNanos;
      while (ch.isActive() && !ch.isWritable()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        writableAgain.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
      }
      return ch.isActive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      writable.unlock();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // A client that pipelines but does not read stops being read from: memory stays bounded, and
    // the write timeout then closes it.
    if (ctx.channel().isWritable()) {
      resumeIfRoom();
    } else {
      ctx.channel().config().setAutoRead(false);
    }
    writable.lock();
    try {
      writableAgain.signalAll();
    } finally {
      writable.unlock();
    }
    ctx.fireChannelWritabilityChanged();
  }

  /**
   * Closes the connection once its deadline passes: the transfer deadline while a transfer streams,
   * the write timeout while replies are queued, the idle timeout otherwise. A streaming transfer
   * watches its own writes (see awaitWritable).
   */
  private void check() {
    Channel ch = ctx.channel();
    if (!ch.isActive()) {
      return;
    }
    long now = System.nanoTime();
    long next;
    if (streaming) {
      long left = transferDeadlineNanos - now;
      if (left <= 0) {
        counters.transferTimedOut();
        transfersAborted.log(
            "event=transfer-aborted client={} reason=\"max-transfer-time-out\"",
            ch.remoteAddress());
        abort(ch);
        return;
      }
      next = Math.min(idleNanos, left);
    } else if (inFlight > 0) {
      long stalled = now - lastWriteProgressNanos;
      if (stalled >= writeTimeoutNanos) {
        counters.writeTimedOut();
        log.debug("event=write-timeout client={} queued={}", ch.remoteAddress(), inFlight);
        abort(ch);
        return;
      }
      next = writeTimeoutNanos - stalled;
    } else {
      long idle = now - slot.lastActivityNanos;
      if (idle >= idleNanos) {
        counters.idleClosed();
        ch.close(); // RFC 7766 §6.2.3: the server closes idle connections
        return;
      }
      // no later than a write timeout from now, so a stall that starts meanwhile is caught on time
      next = Math.min(idleNanos - idle, writeTimeoutNanos);
    }
    scheduleCheck(next);
  }

  /**
   * Closes with a reset (SO_LINGER 0) rather than after what the kernel still queues: a peer that
   * does not read would otherwise keep up to a send buffer (tcp_wmem's maximum, 4 MB by default) in
   * an orphaned socket, and a transfer past its deadline would go on arriving from it.
   */
  private static void abort(Channel ch) {
    ch.config().setOption(ChannelOption.SO_LINGER, 0);
    ch.close();
  }

  private void scheduleCheck(long delayNanos) {
    timer = ctx.executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
  }

  /** Brings the next check forward when a deadline nearer than it starts. */
  private void checkNoLaterThan(long delayNanos) {
    if (timer == null || timer.getDelay(TimeUnit.NANOSECONDS) > delayNanos) {
      if (timer != null) {
        timer.cancel(false);
      }
      scheduleCheck(delayNanos);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (slot != null) { // admitted by the limiter
      counters.closed(counts);
    }
    if (timer != null) {
      timer.cancel(false);
    }
    for (Object p : pending) {
      if (p instanceof Iterator<?> it) {
        closeQuietly(it);
      }
    }
    pending.clear();
    writable.lock();
    try {
      writableAgain.signalAll();
    } finally {
      writable.unlock();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent handshake) {
      if (handshake.isSuccess()) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        counters.handshake(ssl != null && TlsResumption.resumed(ssl.engine(), connectedMillis));
      } else {
        counters.handshakeFailed();
      }
    }
    if (evt instanceof SslHandshakeCompletionEvent done
        && done.isSuccess()
        && ctx.channel() instanceof io.netty.channel.epoll.EpollSocketChannel epoll) {
      // After a TLS 1.3 handshake the OpenSSL engine sends nothing until we answer, so the ACK of
      // the client's Finished is delayed (~40 ms) and the client's Nagle holds its first query
      // until it arrives. Quick-ACK mode (it does not stick in Linux) avoids that: first-query
      // latency on a new DoT connection went from ~45 ms to ~3 ms.
      epoll.config().setTcpQuickAck(true);
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug(
        "event=stream-error client={} error=\"{}\"",
        ctx.channel().remoteAddress(),
        cause.toString());
    ctx.close();
  }

  private Requester requester(ChannelHandlerContext ctx) {
    if (requester == null) {
      InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
      Optional<PeerIdentity> peer = Optional.empty();
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      if (ssl != null) {
        try {
          peer = PeerIdentities.of(ssl.engine().getSession());
        } catch (SSLPeerUnverifiedException noClientCertificate) {
          peer = Optional.empty();
        }
      }
      requester = new Requester(remote, transport, peer);
    }
    return requester;
  }

  private static void closeQuietly(Iterator<?> it) {
    if (it instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        log.debug("event=transfer-close-failed error=\"{}\"", e.toString());
      }
    }
  }
}
