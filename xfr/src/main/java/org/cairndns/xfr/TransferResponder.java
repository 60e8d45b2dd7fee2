package org.cairndns.xfr;

import java.util.Iterator;
import org.cairndns.request.Requester;
import org.xbill.DNS.Message;

/** Primary side of zone transfers: answers one AXFR or IXFR request with a stream of messages. */
@FunctionalInterface
public interface TransferResponder {
  /**
   * @param request the parsed request (opcode QUERY, qtype AXFR or IXFR)
   * @param wire the request as received (TSIG is verified over these bytes)
   * @param requester who asked, and over which transport (ACLs depend on both)
   * @return response messages in wire form, produced lazily, to be sent contiguously in order; when
   *     the iterator is also {@link AutoCloseable}, the transport closes it if the connection drops
   */
  Iterator<byte[]> respond(Message request, byte[] wire, Requester requester);
}
