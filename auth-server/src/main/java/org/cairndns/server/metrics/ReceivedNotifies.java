package org.cairndns.server.metrics;

import java.util.concurrent.atomic.LongAdder;
import org.cairndns.request.Requester;
import org.cairndns.server.query.NotifyReceiver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

/** Counts the NOTIFYs that reach the secondaries, by how they were answered, and passes them on. */
public final class ReceivedNotifies implements NotifyReceiver {
  private final NotifyReceiver receiver;
  private final LongAdder accepted = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder notAuth = new LongAdder();

  public ReceivedNotifies(NotifyReceiver receiver) {
    this.receiver = receiver;
  }

  @Override
  public int onNotify(Message notify, Requester requester) {
    int rcode = receiver.onNotify(notify, requester);
    switch (rcode) {
      case Rcode.NOERROR -> accepted.increment();
      case Rcode.REFUSED -> refused.increment();
      default -> notAuth.increment();
    }
    return rcode;
  }

  /** From a configured primary, for a secondary zone here: it starts a check. */
  public long accepted() {
    return accepted.sum();
  }

  /** For a secondary zone here, from an address that is not one of its primaries. */
  public long refused() {
    return refused.sum();
  }

  /** For a zone that is not a secondary zone here. */
  public long notAuth() {
    return notAuth.sum();
  }
}
