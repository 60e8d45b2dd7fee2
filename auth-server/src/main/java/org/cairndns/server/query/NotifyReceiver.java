package org.cairndns.server.query;

import org.cairndns.request.Requester;
import org.xbill.DNS.Message;

/** Where NOTIFY messages go (the secondary side); returns the rcode to answer with. */
@FunctionalInterface
public interface NotifyReceiver {
  int onNotify(Message notify, Requester requester);
}
