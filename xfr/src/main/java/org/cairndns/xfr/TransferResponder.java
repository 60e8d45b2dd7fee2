package org.cairndns.xfr;

import java.util.Iterator;
import org.xbill.DNS.Message;

/** Primary side of zone transfers: answers one AXFR or IXFR request with a stream of messages. */
@FunctionalInterface
public interface TransferResponder {
  /**
   * @param request the parsed request (opcode QUERY, qtype AXFR or IXFR)
   * @param requester who asked, and over which transport (ACLs depend on both)
   * @return response messages in wire form, produced lazily, to be sent contiguously in order
   */
  Iterator<byte[]> respond(Message request, Requester requester);
}
