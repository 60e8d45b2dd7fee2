package org.cairndns.server.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.xfr.acl.TransferPolicy;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * The cache's hit path: what a client asking for one large answer over and over costs us per query,
 * and whom an entry of a zone with an {@code allow-query} list is served to.
 */
class ResponseCacheTest {
  private static final Requester CLIENT =
      Requester.of(new InetSocketAddress("192.0.2.1", 5353), Transport.TCP);

  @Test
  void aHitOfALargeAnswerCopiesOnlyItsHead() throws Exception {
    Name big = Name.fromString("big.test.");
    Message query = Message.newQuery(Record.newRecord(big, Type.TXT, DClass.IN));
    query.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    Message response = new Message(query.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    response.addRecord(query.getQuestion(), Section.QUESTION);
    for (int i = 0; i < 100; i++) { // the attack benchmark's ~31 KB answer
      List<String> strings = List.of(i + "x".repeat(250), "y".repeat(50));
      response.addRecord(new TXTRecord(big, DClass.IN, 300, strings), Section.ANSWER);
    }
    response.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    byte[] answer = response.toWire();
    byte[] request = query.toWire();
    ResponseCache cache = new ResponseCache(64 << 20);
    cache.store(ResponseCache.keyFor(request, Transport.TCP, 1232), 1, answer, null);

    request[0] ^= 0x5A; // another ID, and "Big"
    request[13] = 'B';
    ResponseCache.Key key = ResponseCache.keyFor(request, Transport.TCP, 1232);
    byte[] expected = answer.clone();
    expected[0] = request[0];
    expected[13] = 'B';
    assertArrayEquals(expected, cache.lookup(key, 1, request, CLIENT).wire());

    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 20_000; i++) {
      assertNotNull(cache.lookup(key, 1, request, CLIENT)); // compiled before it is measured
    }
    int hits = 1000;
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < hits; i++) {
      assertNotNull(cache.lookup(key, 1, request, CLIENT));
    }
    long perHit = (threads.getCurrentThreadAllocatedBytes() - before) / hits;
    assertTrue(
        perHit < 1024, perHit + " bytes allocated per hit of a " + answer.length + "-byte answer");
  }

  @Test
  void anEntryIsServedOnlyToRequestersItsZoneListAllows() throws Exception {
    Message query =
        Message.newQuery(Record.newRecord(Name.fromString("www.acl.test."), Type.A, DClass.IN));
    byte[] request = query.toWire();
    Message response = new Message(query.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    response.addRecord(query.getQuestion(), Section.QUESTION);
    ResponseCache.Key key = ResponseCache.keyFor(request, Transport.UDP, 1232);
    TransferPolicy onlyDocNet =
        new TransferPolicy(
            List.of(
                new TransferPolicy.Entry(
                    TransferPolicy.Cidr.parse("192.0.2.0/24"), null, null, null)),
            Set.of(Transport.UDP, Transport.TCP));
    ResponseCache cache = new ResponseCache(1 << 20);
    cache.store(key, 1, response.toWire(), onlyDocNet);
    assertNotNull(cache.lookup(key, 1, request, CLIENT));
    assertNull(
        cache.lookup(
            key,
            1,
            request,
            Requester.of(new InetSocketAddress("198.51.100.1", 53), Transport.UDP)),
        "another network takes the full path, which refuses it");
  }
}
