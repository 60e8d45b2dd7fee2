package org.cairndns.xfr.secondary;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cairndns.zone.master.ZoneFileReader;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * secondary.transfers-in-per-primary against a primary that holds AXFR answers until the test
 * releases them: the connection pool would carry every transfer at once, the limit lets through
 * only so many, across zones, with the IXFR-then-AXFR fallback counting as one transfer.
 */
class TransfersPerPrimaryIT {
  static final Duration DEADLINE = Duration.ofSeconds(20);

  static List<Record> zone(Name name, long serial) throws Exception {
    return ZoneFileReader.parse(
        name,
        "$TTL 300\n@ IN SOA ns hm "
            + serial
            + " 3600 600 86400 60\n@ IN NS ns\nns IN A 192.0.2.1\n");
  }

  /**
   * Answers SOA queries at once with serial 2 and IXFR with REFUSED (the secondary falls back to
   * AXFR); holds AXFR answers until {@link #release}. A zone's transfer is in flight from its first
   * IXFR/AXFR request until its AXFR answer is sent.
   */
  static final class HoldingPrimary implements FakePrimary.Answerer {
    private final Set<Name> inFlight = new HashSet<>();
    private final List<Runnable> held = new ArrayList<>();
    private final Set<Name> refused;
    private int maxInFlight;
    private int axfrsAnswered;
    private boolean released;

    HoldingPrimary(Set<Name> refused) {
      this.refused = refused;
    }

    @Override
    public void answer(Message q, FakePrimary.Reply reply) throws Exception {
      Name zone = q.getQuestion().getName();
      switch (q.getQuestion().getType()) {
        case Type.SOA -> reply.send(FakePrimary.response(q, zone(zone, 2).get(0)));
        case Type.IXFR -> {
          started(zone);
          Message refusedIxfr = FakePrimary.response(q);
          refusedIxfr.getHeader().setRcode(Rcode.REFUSED);
          reply.send(refusedIxfr);
        }
        case Type.AXFR -> {
          started(zone);
          Runnable answer =
              () -> {
                try {
                  Message m = FakePrimary.response(q);
                  if (refused.contains(zone)) {
                    m.getHeader().setRcode(Rcode.REFUSED);
                  } else {
                    List<Record> records = zone(zone, 2);
                    records.forEach(rr -> m.addRecord(rr, org.xbill.DNS.Section.ANSWER));
                    m.addRecord(records.get(0), org.xbill.DNS.Section.ANSWER); // closing SOA
                  }
                  finished(zone); // before the answer leaves, so the secondary cannot start another
                  // first
                  reply.send(m);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              };
          synchronized (this) {
            if (!released) {
              held.add(answer);
              return;
            }
          }
          answer.run();
        }
        default -> throw new IllegalArgumentException("unexpected " + q.getQuestion());
      }
    }

    private synchronized void started(Name zone) {
      inFlight.add(zone);
      maxInFlight = Math.max(maxInFlight, inFlight.size());
    }

    private synchronized void finished(Name zone) {
      inFlight.remove(zone);
      axfrsAnswered++;
    }

    synchronized int held() {
      return held.size();
    }

    synchronized int maxInFlight() {
      return maxInFlight;
    }

    synchronized int axfrsAnswered() {
      return axfrsAnswered;
    }

    /** Answers the held AXFRs and every later one at once. */
    void release() {
      List<Runnable> now;
      synchronized (this) {
        released = true;
        now = List.copyOf(held);
        held.clear();
      }
      now.forEach(Runnable::run);
    }
  }

  /**
   * Four zones refreshed at once (SOA check, then transfer) through one client; zones 0 and 2 have
   * a version, so they try IXFR first. Returns the most transfers the primary saw in flight.
   */
  int mostInFlight(int perPrimary) throws Exception {
    HoldingPrimary answers = new HoldingPrimary(Set.of());
    ExecutorService refreshers = Executors.newFixedThreadPool(4);
    try (FakePrimary primary = new FakePrimary(answers);
        PrimaryPool pool = new PrimaryPool(2, 4, 5000)) {
      TransferClient client = new TransferClient(pool, DEADLINE, null, perPrimary);
      PrimarySettings p = primary.tcp();
      List<Future<TransferReader.Result>> transfers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Name zone = Name.fromString("z" + i + ".limit.test.");
        SOARecord ours = i % 2 == 0 ? (SOARecord) zone(zone, 1).get(0) : null;
        transfers.add(
            refreshers.submit(
                () -> {
                  assertEquals(2, client.soaSerial(zone, p));
                  return client.transfer(zone, ours == null ? -1 : 1, ours, p);
                }));
      }
      await()
          .atMost(DEADLINE)
          .untilAsserted(
              () -> {
                assertEquals(perPrimary, answers.held(), "transfers the primary holds");
                assertEquals(
                    4 - perPrimary,
                    client.waitingForSlot(p.address()),
                    "transfers waiting for a slot");
              });
      answers.release();
      for (Future<TransferReader.Result> t : transfers) {
        TransferReader.Result.Full full =
            assertInstanceOf(
                TransferReader.Result.Full.class, t.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        assertEquals(2, full.serial());
        assertEquals(3, full.snapshot().size());
      }
      assertEquals(4, answers.axfrsAnswered());
      assertEquals(0, client.waitingForSlot(p.address()));
      assertTrue(pool.connectionsOpened() <= 2, "the pool's limits held too");
      return answers.maxInFlight();
    } finally {
      refreshers.shutdownNow();
    }
  }

  @Test
  void oneAtATimeFromOnePrimaryAcrossZones() throws Exception {
    assertEquals(1, mostInFlight(1));
  }

  @Test
  void twoAtATimeWhenTheLimitIsTwo() throws Exception {
    assertEquals(2, mostInFlight(2));
  }

  @Test
  void aFailedTransferFreesItsSlot() throws Exception {
    Name bad = Name.fromString("refused.limit.test.");
    Name good = Name.fromString("ok.limit.test.");
    HoldingPrimary answers = new HoldingPrimary(Set.of(bad));
    answers.release();
    try (FakePrimary primary = new FakePrimary(answers);
        PrimaryPool pool = new PrimaryPool(1, 1, 5000)) {
      TransferClient client = new TransferClient(pool, DEADLINE, null, 1);
      PrimarySettings p = primary.tcp();
      for (int i = 0; i < 2; i++) {
        TransferFailure f =
            assertThrows(TransferFailure.class, () -> client.transfer(bad, -1, null, p));
        assertTrue(
            f.getMessage().contains("REFUSED"),
            f.getMessage()); // not "transfer slots ... stayed busy"
      }
      assertEquals(2, ((TransferReader.Result.Full) client.transfer(good, -1, null, p)).serial());

      InetSocketAddress closed;
      try (java.net.ServerSocket s =
          new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        closed = new InetSocketAddress(s.getInetAddress(), s.getLocalPort());
      }
      PrimarySettings gone = PrimarySettings.tcp(closed, null);
      for (int i = 0; i < 2; i++) {
        TransferFailure f =
            assertThrows(TransferFailure.class, () -> client.transfer(good, -1, null, gone));
        assertTrue(f.getMessage().contains("cannot connect"), f.getMessage());
      }
    }
  }
}
