package org.cairndns.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.cairndns.server.query.Outcome;

/**
 * A reply's one copy on its way to the socket: head and shared tail straight into a direct buffer
 * (epoll and NIO copy a heap buffer into one anyway), with no joined array in between.
 */
final class ReplyBuffers {
  private ReplyBuffers() {}

  /** The reply, behind its two-byte length when {@code framed} (TCP and TLS). */
  static ByteBuf copy(ByteBufAllocator alloc, Outcome.Reply reply, boolean framed) {
    int length = reply.length();
    ByteBuf buf = alloc.directBuffer(framed ? length + 2 : length);
    if (framed) {
      buf.writeShort(length);
    }
    buf.writeBytes(reply.head());
    return buf.writeBytes(reply.tail(), reply.tailFrom(), reply.tail().length - reply.tailFrom());
  }
}
