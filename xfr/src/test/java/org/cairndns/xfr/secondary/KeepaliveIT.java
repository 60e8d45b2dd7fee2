package org.cairndns.xfr.secondary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

/** The primary's EDNS keepalive decides whether the secondary reuses its connection. */
class KeepaliveIT {
  static final Name ZONE = Name.fromConstantString("k.test.");

  /**
   * A primary answering SOA queries with the given keepalive (in 100 ms units) on every connection.
   */
  static FakePrimary primary(
      int keepaliveUnits, AtomicInteger asked, List<Boolean> askedForKeepalive) throws Exception {
    return new FakePrimary(
        (q, reply) -> {
          asked.incrementAndGet();
          askedForKeepalive.add(q.getOPT() != null && !q.getOPT().getOptions(11).isEmpty());
          Message r =
              FakePrimary.response(
                  q,
                  new SOARecord(
                      ZONE,
                      DClass.IN,
                      60,
                      Name.fromString("ns", ZONE),
                      Name.fromString("hm", ZONE),
                      7,
                      1,
                      1,
                      1,
                      1));
          r.addRecord(
              new OPTRecord(
                  1232,
                  0,
                  0,
                  0,
                  List.of(
                      new GenericEDNSOption(
                          11, new byte[] {(byte) (keepaliveUnits >> 8), (byte) keepaliveUnits}))),
              Section.ADDITIONAL);
          reply.send(r);
        });
  }

  int connectionsFor(int keepaliveUnits) throws Exception {
    AtomicInteger asked = new AtomicInteger();
    List<Boolean> keepaliveAsked =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    try (FakePrimary primary = primary(keepaliveUnits, asked, keepaliveAsked);
        PrimaryPool pool = new PrimaryPool(2, 16, 2000)) {
      TransferClient client = new TransferClient(pool, Duration.ofSeconds(5), null, 2);
      for (int i = 0; i < 3; i++) {
        assertEquals(7, client.soaSerial(ZONE, primary.tcp()));
      }
      assertEquals(3, asked.get());
      assertTrue(keepaliveAsked.stream().allMatch(b -> b), "every request asks for the keepalive");
      return pool.connectionsOpened();
    }
  }

  @Test
  void aLongKeepaliveKeepsOneConnection() throws Exception {
    assertEquals(1, connectionsFor(3000));
  }

  @Test
  void aZeroKeepaliveMeansANewConnectionEachTime() throws Exception {
    assertEquals(3, connectionsFor(0));
  }
}
