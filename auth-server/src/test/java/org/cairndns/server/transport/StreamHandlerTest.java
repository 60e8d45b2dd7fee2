package org.cairndns.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.cairndns.request.Transport;
import org.cairndns.server.query.Outcome;
import org.cairndns.server.query.RequestHandler;
import org.junit.jupiter.api.Test;

/** Flow control of one connection, on an embedded channel whose writes complete only when told. */
class StreamHandlerTest {
  static final int CAP = 4;
  static final int REQUESTS = 10;

  /** Keeps every write pending, as a client that does not read would. */
  static final class HeldWrites extends ChannelOutboundHandlerAdapter {
    final List<ChannelPromise> promises = new ArrayList<>();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      ReferenceCountUtil.release(msg);
      promises.add(promise);
    }

    void complete(int n) {
      for (int i = 0; i < n; i++) {
        promises.remove(0).setSuccess();
      }
    }
  }

  /**
   * A connection from 192.0.2.7 with {@code cap} queries in flight, whose writes wait in {@code
   * held}.
   */
  static EmbeddedChannel connection(int cap, RequestHandler requests, HeldWrites held) {
    ListenerSettings defaults = ListenerSettings.of(List.of());
    ListenerSettings settings =
        new ListenerSettings(
            List.of(),
            List.of(),
            Duration.ofSeconds(10),
            10,
            10,
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            cap,
            defaults.tcpWriteBuffer(),
            defaults.transferTimeOut(),
            defaults.udpReceiveBuffer());
    Executor noTransfers =
        r -> {
          throw new AssertionError("no transfer here");
        };
    StreamHandler handler =
        new StreamHandler(
            requests,
            Transport.TCP,
            new ServerCounters(),
            noTransfers,
            new ConnectionLimiter(10, 10, new ServerCounters()),
            settings);
    return new EmbeddedChannel(held, new FlowControlHandler(), handler) {
      @Override
      protected SocketAddress remoteAddress0() {
        return new InetSocketAddress("192.0.2.7", 5300);
      }
    };
  }

  static List<ByteBuf> frames(int count) {
    List<ByteBuf> frames = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      frames.add(Unpooled.wrappedBuffer(new byte[] {0, (byte) i, 0, 0}));
    }
    return frames;
  }

  @Test
  void pastTheQueriesInFlightCapNothingIsReadUntilRepliesAreWritten() {
    int[] answered = new int[1];
    HeldWrites held = new HeldWrites();
    EmbeddedChannel ch =
        connection(
            CAP,
            (request, who) -> {
              answered[0]++;
              return new Outcome.Reply(request);
            },
            held);
    List<ByteBuf> frames = frames(REQUESTS);
    ch.writeInbound(frames.toArray()); // one read that decoded many frames

    assertEquals(CAP, answered[0], "answers stop at the cap");
    assertEquals(CAP, held.promises.size(), "and were flushed although the read did not complete");
    assertFalse(ch.config().isAutoRead());

    held.complete(2);
    assertEquals(CAP + 2, answered[0], "written replies make room for as many held requests");
    held.complete(held.promises.size());
    held.complete(held.promises.size());
    assertEquals(REQUESTS, answered[0]);
    assertTrue(ch.config().isAutoRead(), "reading again once all is written");
    frames.forEach(f -> assertEquals(0, f.refCnt(), "every frame released"));
    assertFalse(ch.finish());
  }

  @Test
  void framesHeldWhenTheConnectionClosesAreReleased() {
    EmbeddedChannel ch =
        connection(1, (request, who) -> new Outcome.Reply(request), new HeldWrites());
    List<ByteBuf> frames = frames(5);
    ch.writeInbound(frames.toArray());
    ch.close();
    frames.forEach(f -> assertEquals(0, f.refCnt(), "held frame released on close"));
  }
}
