package org.cairndns.xfr.secondary;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A primary that answers one request with far more than we take: the connection holds at most
 * {@link PrimaryConnection#QUEUED_RESPONSES_PER_REQUEST} of them and leaves the rest to TCP, so the
 * primary has to wait; another primary is served meanwhile, and all of it arrives once taken.
 */
class PrimaryConnectionIT {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final Name ZONE = Name.fromConstantString("flood.test.");

  /** About 50 MiB in all: far more than the socket buffers and the connection's queue hold. */
  static final int RESPONSES = 1000;

  static Message big(Message q) throws Exception {
    List<String> strings = Collections.nCopies(200, "x".repeat(250)); // ~50 KB of RDATA
    return FakePrimary.response(q, new TXTRecord(ZONE, DClass.IN, 300, strings));
  }

  @Test
  void aPrimarySendingFasterThanWeTakeWaits() throws Exception {
    AtomicInteger sent = new AtomicInteger();
    FakePrimary.Answerer flood =
        (q, reply) -> {
          Message m = big(q);
          for (int i = 0; i < RESPONSES; i++) {
            reply.send(m);
            sent.incrementAndGet();
          }
        };
    try (FakePrimary flooding = new FakePrimary(flood);
        FakePrimary healthy =
            KeepaliveIT.primary(
                3000, new AtomicInteger(), Collections.synchronizedList(new ArrayList<>()));
        PrimaryPool pool = new PrimaryPool(1, 4, (int) TIMEOUT.toMillis())) {
      PrimaryConnection c = pool.connection(ConnectionPolicy.of(flooding.tcp(), false));
      PrimaryConnection.Exchange x =
          c.send(Message.newQuery(Record.newRecord(ZONE, Type.AXFR, DClass.IN)));

      int stalledAt = awaitStall(sent);
      assertTrue(
          stalledAt < RESPONSES / 2,
          "the primary got " + stalledAt + " of " + RESPONSES + " out unread");

      TransferClient client = new TransferClient(pool, TIMEOUT, null, 1);
      assertEquals(
          7,
          client.soaSerial(KeepaliveIT.ZONE, healthy.tcp()),
          "another primary is served meanwhile");

      for (int i = 0; i < RESPONSES; i++) {
        assertEquals(
            ZONE,
            x.next(TIMEOUT).message().getSection(org.xbill.DNS.Section.ANSWER).get(0).getName());
      }
      // The primary counts a message after its write returns, which can be after we read it.
      await().atMost(TIMEOUT).until(() -> sent.get() == RESPONSES);
      x.done();
    }
  }

  /** How many the primary had sent when it stopped getting further for half a second. */
  static int awaitStall(AtomicInteger sent) {
    AtomicInteger last = new AtomicInteger(-1);
    return await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              int now = sent.get();
              return last.getAndSet(now) == now || now == RESPONSES ? now : null;
            },
            Objects::nonNull);
  }
}
