package org.cairndns.server.query;

import static org.cairndns.server.query.QueryProcessorTest.notifyOf;
import static org.cairndns.server.query.QueryProcessorTest.over;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/** NOTIFY: the receiver's rcode answered, authoritative only when it took the NOTIFY. */
class NotifyAnswererTest {
  Message answer(NotifyReceiver receiver, Message notify, Requester from) throws Exception {
    Message r = QueryProcessor.response(notify, Rcode.NOERROR);
    new NotifyAnswerer(receiver).answer(notify, r, from);
    return new Message(r.toWire());
  }

  @Test
  void theReceiverDecidesAndHearsWhoSentIt() throws Exception {
    Message notify = notifyOf("q.test.");
    List<Requester> heard = new ArrayList<>();
    Requester from = over(Transport.UDP);
    Message taken =
        answer(
            (n, sender) -> {
              heard.add(sender);
              return Rcode.NOERROR;
            },
            notify,
            from);
    assertEquals(Rcode.NOERROR, taken.getRcode());
    assertTrue(taken.getHeader().getFlag(Flags.AA));
    assertEquals(Opcode.NOTIFY, taken.getHeader().getOpcode());
    assertEquals(notify.getQuestion(), taken.getQuestion());
    assertTrue(taken.getSection(Section.ANSWER).isEmpty());
    assertEquals(1, heard.size());
    assertSame(from, heard.get(0));

    Message refused = answer((n, sender) -> Rcode.REFUSED, notify, from);
    assertEquals(Rcode.REFUSED, refused.getRcode());
    assertFalse(refused.getHeader().getFlag(Flags.AA));
  }

  @Test
  void withoutAReceiverNotifyIsNotImplemented() throws Exception {
    Message r = answer(null, notifyOf("q.test."), over(Transport.UDP));
    assertEquals(Rcode.NOTIMP, r.getRcode());
    assertFalse(r.getHeader().getFlag(Flags.AA));
  }
}
