package org.cairndns.server.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.ReadTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One control connection: one request line in, one JSON reply out, then the connection closes. Over
 * TCP the line starts with the token; a wrong token gets an error and nothing else.
 */
final class ControlHandler extends SimpleChannelInboundHandler<ByteBuf> {
  private static final Logger log = LoggerFactory.getLogger(ControlHandler.class);

  private final ControlAnswerer answerer;
  private final byte[] token;
  private boolean replied;

  /**
   * @param token the TCP token, or null on the Unix-domain socket (its file mode is the access
   *     control)
   */
  ControlHandler(ControlAnswerer answerer, byte[] token) {
    this.answerer = answerer;
    this.token = token;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
    if (replied) {
      return; // one request per connection
    }
    String line = frame.toString(StandardCharsets.UTF_8).strip();
    if (token != null) {
      int space = line.indexOf(' ');
      byte[] given = (space < 0 ? line : line.substring(0, space)).getBytes(StandardCharsets.UTF_8);
      if (!MessageDigest.isEqual(given, token)) {
        reply(ctx, JsonWriter.write(Map.of("error", "bad token")));
        return;
      }
      line = space < 0 ? "" : line.substring(space + 1).strip();
    }
    reply(ctx, answerer.answer(line));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException && !replied) {
      reply(
          ctx,
          JsonWriter.write(
              Map.of(
                  "error", "request longer than " + ControlEndpoint.MAX_REQUEST_BYTES + " bytes")));
    } else if (cause instanceof ReadTimeoutException) {
      ctx.close();
    } else {
      log.warn("event=control-connection-failed error=\"{}\"", cause.toString());
      ctx.close();
    }
  }

  /**
   * Writes the reply and ends the output, then reads on (and drops) what the client still sends
   * until it closes, or for {@link ControlEndpoint#READ_TIMEOUT} at most: closing at once with its
   * bytes unread would reset the connection, and the client would lose the reply.
   */
  private void reply(ChannelHandlerContext ctx, String json) {
    replied = true;
    ctx.writeAndFlush(Unpooled.copiedBuffer(json + "\n", StandardCharsets.UTF_8))
        .addListener(
            written -> {
              if (written.isSuccess() && ctx.channel() instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
                ctx.executor()
                    .schedule(
                        () -> ctx.close(),
                        ControlEndpoint.READ_TIMEOUT.toMillis(),
                        TimeUnit.MILLISECONDS);
              } else {
                ctx.close();
              }
            });
  }
}
