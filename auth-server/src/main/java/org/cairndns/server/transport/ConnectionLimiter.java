package org.cairndns.server.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes a new connection at once when the total or per-address limit is reached. */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);
  private final int total;
  private final int perAddress;
  private final ServerCounters counters;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> byAddress = new ConcurrentHashMap<>();

  ConnectionLimiter(int total, int perAddress, ServerCounters counters) {
    this.total = total;
    this.perAddress = perAddress;
    this.counters = counters;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    InetAddress client = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    int all = open.incrementAndGet();
    int mine = byAddress.computeIfAbsent(client, k -> new AtomicInteger()).incrementAndGet();
    ctx.channel().closeFuture().addListener(f -> release(client));
    if (all > total || mine > perAddress) {
      counters.refusedConnection();
      log.debug("event=connection-refused client={} open={} from-client={}", client, all, mine);
      ctx.close();
      return;
    }
    ctx.fireChannelActive();
  }

  private void release(InetAddress client) {
    open.decrementAndGet();
    byAddress.computeIfPresent(client, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
  }
}
