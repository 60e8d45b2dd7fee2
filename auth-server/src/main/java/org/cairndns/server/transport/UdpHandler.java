package org.cairndns.server.transport;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.cairndns.log.RateLimitedLog;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.server.query.Outcome;
import org.cairndns.server.query.RequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One datagram in, at most one datagram out; flushed once per read batch (sendmmsg on epoll). On a
 * wildcard socket the reply leaves through the socket bound to the address the query came to.
 */
@ChannelHandler.Sharable
final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final Logger log = LoggerFactory.getLogger(UdpHandler.class);

  /**
   * Datagrams come from spoofable addresses: a failure they can trigger must not log per packet.
   */
  private static final RateLimitedLog failures =
      new RateLimitedLog(log, Level.WARN, "udp-handler-failed");

  private final RequestHandler handler;
  private final ServerCounters counters;
  private final ServerCounters.PerTransport counts;

  /** The wildcard listener's sockets by address; null on a specific-address socket. */
  private final LocalAddressSockets localSockets;

  UdpHandler(RequestHandler handler, ServerCounters counters, LocalAddressSockets localSockets) {
    this.handler = handler;
    this.counters = counters;
    this.localSockets = localSockets;
    this.counts = counters.of(Transport.UDP);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    byte[] request = ByteBufUtil.getBytes(packet.content());
    counts.query(request);
    long start = System.nanoTime();
    Outcome outcome;
    try {
      outcome = handler.handle(request, Requester.of(packet.sender(), Transport.UDP));
    } catch (RuntimeException e) {
      failures.log(
          "event=udp-handler-failed client={} error=\"{}\"", packet.sender(), e.toString(), e);
      counters.dropped();
      return;
    }
    if (outcome instanceof Outcome.Reply reply) {
      counts.reply(reply, System.nanoTime() - start);
      DatagramPacket datagram =
          new DatagramPacket(ReplyBuffers.copy(ctx.alloc(), reply, false), packet.sender());
      if (localSockets == null) {
        ctx.write(datagram, ctx.voidPromise());
      } else {
        localSockets.reply(ctx, packet.recipient(), datagram);
      }
    } else {
      counters.dropped();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug(
        "event=udp-error error=\"{}\"", cause.toString()); // e.g. ICMP unreachable; keep serving
  }
}
