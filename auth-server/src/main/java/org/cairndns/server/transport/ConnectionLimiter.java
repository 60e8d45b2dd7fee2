package org.cairndns.server.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.cairndns.request.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The table of TCP and TLS connections. A newcomer over the per-address limit is closed at once.
 * When the table is under pressure, each newcomer closes the connection that has been idle longest
 * (no request being answered), so clients that hold slots without asking anything make room for new
 * ones instead of locking them out; only when nothing is idle is a newcomer refused.
 */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
  /**
   * Share of the table from which idle connections are evicted and keepalive 0 is advertised.
   * Unbound shortens its timeouts from 50% and sets them to 0 above 80%; at 75% a quarter of the
   * table is still free, so a burst of newcomers is taken while the idle ones are being closed.
   */
  static final int PRESSURE_PERCENT = 75;

  private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);
  private final int total;
  private final int perAddress;
  private final int pressureMark;
  private final ServerCounters counters;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> byAddress = new ConcurrentHashMap<>();
  private final Set<Slot> slots = ConcurrentHashMap.newKeySet();

  /** One open connection as the table sees it; written by its event loop, read by newcomers'. */
  static final class Slot {
    private final Channel channel;
    private final AtomicBoolean evicted = new AtomicBoolean();

    /**
     * When the connection opened, last completed a request, or last finished writing a response.
     */
    volatile long lastActivityNanos;

    /** Something is being answered or written: not idle, whatever the time. */
    volatile boolean busy;

    private Slot(Channel channel) {
      this.channel = channel;
      this.lastActivityNanos = System.nanoTime();
    }
  }

  ConnectionLimiter(int total, int perAddress, ServerCounters counters) {
    this.total = total;
    this.perAddress = perAddress;
    this.pressureMark = Math.max(1, (int) ((long) total * PRESSURE_PERCENT / 100));
    this.counters = counters;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    InetAddress client = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    int all = open.incrementAndGet();
    int mine = byAddress.computeIfAbsent(client, k -> new AtomicInteger()).incrementAndGet();
    ctx.channel().closeFuture().addListener(f -> release(client));
    boolean madeRoom = mine <= perAddress && all > pressureMark && evictOldestIdle();
    if (mine > perAddress || (all > total && !madeRoom)) {
      counters.refusedConnection(
          ctx.pipeline().get(SslHandler.class) == null ? Transport.TCP : Transport.TLS);
      log.debug("event=connection-refused client={} open={} from-client={}", client, all, mine);
      ctx.close();
      return;
    }
    ctx.fireChannelActive();
  }

  /** Enters an admitted connection in the table; it leaves when it closes. */
  Slot track(Channel channel) {
    Slot slot = new Slot(channel);
    slots.add(slot);
    channel.closeFuture().addListener(f -> slots.remove(slot));
    return slot;
  }

  /**
   * Whether clients should be told to go away when done (RFC 7828 §3.3.2, keepalive 0): also at the
   * mark itself, where eviction holds the table while newcomers keep arriving.
   */
  boolean underPressure() {
    return open.get() >= pressureMark;
  }

  /**
   * Closes the connection idle the longest. A linear scan: it runs only under pressure, over a
   * table of at most a few thousand entries, and beats keeping an ordered index on every request.
   */
  private boolean evictOldestIdle() {
    while (true) {
      Slot oldest = null;
      for (Slot s : slots) {
        if (!s.busy
            && !s.evicted.get()
            && (oldest == null || s.lastActivityNanos - oldest.lastActivityNanos < 0)) {
          oldest = s;
        }
      }
      if (oldest == null) {
        return false;
      }
      if (oldest.evicted.compareAndSet(
          false, true)) { // another newcomer may have picked it meanwhile
        counters.evictedConnection();
        oldest.channel.close();
        return true;
      }
    }
  }

  private void release(InetAddress client) {
    open.decrementAndGet();
    byAddress.computeIfPresent(client, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
  }
}
