package org.cairndns.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.cairndns.log.RateLimitedLog;
import org.cairndns.server.query.Outcome;
import org.cairndns.server.query.RequestHandler;
import org.cairndns.tls.PeerIdentity;
import org.cairndns.tls.PeerIdentities;
import org.cairndns.xfr.Requester;
import org.cairndns.xfr.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * RFC 7766 connection handling for TCP and TLS: every framed request is answered; ordinary replies
 * go out as soon as they are ready, and a transfer's messages go out contiguously and in order.
 * While a transfer streams, later replies wait in a queue so nothing is interleaved with it; several
 * transfers on one connection are sent in the order they were asked.
 */
final class StreamHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(StreamHandler.class);
  // Lines a client can trigger at will, so rate-limited (one per call site, shared by connections).
  private static final RateLimitedLog handlerFailures = new RateLimitedLog(log, Level.WARN, "stream-handler-failed");
  private static final RateLimitedLog transfersAborted = new RateLimitedLog(log, Level.INFO, "transfer-aborted");
  private static final RateLimitedLog transferFailures = new RateLimitedLog(log, Level.WARN, "transfer-failed");

  private final RequestHandler handler;
  private final Transport transport;
  private final ServerCounters counters;
  private final Executor transferExecutor;
  private final long writeTimeoutMillis;

  /** Event-loop-only state. */
  private final ArrayDeque<Object> pending = new ArrayDeque<>();
  private boolean streaming;
  private Requester requester;

  /** Lets a transfer thread wait for the channel to become writable again. */
  private final ReentrantLock writable = new ReentrantLock();
  private final Condition writableAgain = writable.newCondition();
  private volatile Iterator<byte[]> activeTransfer;

  StreamHandler(RequestHandler handler, Transport transport, ServerCounters counters,
      Executor transferExecutor, long writeTimeoutMillis) {
    this.handler = handler;
    this.transport = transport;
    this.counters = counters;
    this.transferExecutor = transferExecutor;
    this.writeTimeoutMillis = writeTimeoutMillis;
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
    Outcome outcome;
    try {
      outcome = handler.handle(request, requester(ctx));
    } catch (RuntimeException e) {
      handlerFailures.log("event=stream-handler-failed client={} error=\"{}\"", ctx.channel().remoteAddress(), e.toString(), e);
      counters.dropped();
      return;
    }
    if (outcome instanceof Outcome.Reply reply) {
      counters.response(transport, reply.wire());
      if (streaming || !pending.isEmpty()) {
        pending.add(reply.wire());
      } else {
        ctx.write(frame(ctx, reply.wire()), ctx.voidPromise());
      }
    } else if (outcome instanceof Outcome.Messages messages) {
      pending.add(messages.messages());
      if (!streaming) {
        drain(ctx);
      }
    } else {
      counters.dropped();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  /** Sends queued replies until the next queued transfer, which then streams on its own thread. */
  @SuppressWarnings("unchecked")
  private void drain(ChannelHandlerContext ctx) {
    Object next;
    while ((next = pending.poll()) != null) {
      if (next instanceof byte[] wire) {
        ctx.write(frame(ctx, wire), ctx.voidPromise());
      } else {
        streaming = true;
        Iterator<byte[]> transfer = (Iterator<byte[]>) next;
        activeTransfer = transfer;
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
    try {
      while (ch.isActive() && transfer.hasNext()) {
        if (!awaitWritable(ch)) {
          transfersAborted.log("event=transfer-aborted client={} reason=\"client not reading\"", ch.remoteAddress());
          ch.close();
          break;
        }
        byte[] wire = transfer.next();
        counters.response(transport, wire);
        ch.writeAndFlush(frame(ctx, wire), ch.voidPromise());
      }
    } catch (RuntimeException e) {
      transferFailures.log("event=transfer-failed client={} error=\"{}\"", ch.remoteAddress(), e.toString(), e);
      ch.close();
    } finally {
      closeQuietly(transfer);
      ch.eventLoop().execute(() -> {
        streaming = false;
        activeTransfer = null;
        drain(ctx);
      });
    }
  }

  private boolean awaitWritable(Channel ch) {
    if (ch.isWritable()) {
      return true;
    }
    writable.lock();
    try {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(writeTimeoutMillis);
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
    // the idle timeout then closes it.
    ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    writable.lock();
    try {
      writableAgain.signalAll();
    } finally {
      writable.unlock();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
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
    if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent done && done.isSuccess()
        && ctx.channel() instanceof io.netty.channel.epoll.EpollSocketChannel epoll) {
      // After a TLS 1.3 handshake the OpenSSL engine sends nothing until we answer, so the ACK of
      // the client's Finished is delayed (~40 ms) and the client's Nagle holds its first query
      // until it arrives. Quick-ACK mode (it does not stick in Linux) avoids that: first-query
      // latency on a new DoT connection went from ~45 ms to ~3 ms.
      epoll.config().setTcpQuickAck(true);
    }
    if (evt instanceof IdleStateEvent && !streaming) {
      ctx.close(); // RFC 7766 §6.2.3: the server closes idle connections
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("event=stream-error client={} error=\"{}\"", ctx.channel().remoteAddress(), cause.toString());
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

  private static ByteBuf frame(ChannelHandlerContext ctx, byte[] wire) {
    ByteBuf buf = ctx.alloc().buffer(wire.length + 2);
    buf.writeShort(wire.length);
    buf.writeBytes(wire);
    return buf;
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
