package org.cairndns.server.query;

import org.cairndns.request.Requester;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

/**
 * NOTIFY requests (RFC 1996), as Knot's notify.c: the receiver (the secondary side) decides, and
 * the answer is the header and question with its rcode, authoritative when the NOTIFY was taken.
 * The rcode goes in the header, so it is one of 0 to 15 (the receiver answers NOERROR or REFUSED).
 */
final class NotifyAnswerer {
  private final NotifyReceiver receiver;

  /**
   * @param receiver where NOTIFYs go, or null when this server takes none (NOTIMP)
   */
  NotifyAnswerer(NotifyReceiver receiver) {
    this.receiver = receiver;
  }

  /**
   * Fills {@code response} (the skeleton of {@link QueryProcessor#response}) for {@code notify}.
   */
  void answer(Message notify, Message response, Requester requester) {
    int rcode = receiver == null ? Rcode.NOTIMP : receiver.onNotify(notify, requester);
    response.getHeader().setRcode(rcode);
    if (rcode == Rcode.NOERROR) {
      response.getHeader().setFlag(Flags.AA);
    }
  }
}
