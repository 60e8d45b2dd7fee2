package org.cairndns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * {@code allow-query} over real sockets: clients on two loopback addresses (127.0.0.1 allowed,
 * 127.0.0.2 not), a zone with its own list, and a TSIG key that lets a client in from anywhere. A
 * cached answer never reaches a client the list refuses, and a refusal never reaches one it allows.
 */
class QueryAccessIT {
  static final String SECRET = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAxMjM=";
  static final InetAddress ALLOWED = loopback(1);
  static final InetAddress REFUSED = loopback(2);

  @TempDir Path dir;
  CairnServer server;
  InetSocketAddress udp;

  @BeforeEach
  void start() throws Exception {
    java.nio.file.Files.writeString(
        dir.resolve("open.test.zone"),
        """
        $ORIGIN open.test.
        $TTL 300
        @ IN SOA ns hm 1 3600 600 86400 60
        @ IN NS ns
        ns IN A 192.0.2.1
        www IN A 192.0.2.9
        """);
    server =
        ServerFixture.start(
            dir,
            """
            database: db/cairn
            listen: [127.0.0.1:0]
            tsig-keys: [{name: reader, secret: %s}]
            allow-query: [{address: 127.0.0.1}, {key: reader}]
            zones:
              - {name: fx.test, file: fx.test.zone}
              - name: open.test
                file: open.test.zone
                allow-query: [{address: 127.0.0.0/8}]
            """
                .formatted(SECRET));
    udp = server.transport().udpAddresses().get(0);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aCachedAnswerIsNotServedToARefusedClient() throws Exception {
    Message allowed = ask(ALLOWED, null);
    assertEquals(Rcode.NOERROR, allowed.getRcode());
    assertEquals(1, allowed.getSection(org.xbill.DNS.Section.ANSWER).size());
    assertTrue(server.queryProcessor().responseCacheBytes() > 0, "the answer was cached");
    Message refused = ask(REFUSED, null);
    assertProhibited(refused);
    assertEquals(Rcode.NOERROR, ask(ALLOWED, null).getRcode(), "allowed again, from the cache");
  }

  @Test
  void aRefusalIsNotServedToAnAllowedClient() throws Exception {
    assertProhibited(ask(REFUSED, null));
    assertProhibited(ask(REFUSED, null));
    assertEquals(Rcode.NOERROR, ask(ALLOWED, null).getRcode());
  }

  @Test
  void aSignedQueryIsAllowedFromAnyAddressButAWrongKeyIsNot() throws Exception {
    Message signed = ask(REFUSED, new TSIG(TSIG.HMAC_SHA256, "reader.", SECRET));
    assertEquals(Rcode.NOERROR, signed.getRcode());
    assertTrue(signed.isSigned() && signed.isVerified(), "answered signed");
    Message badKey =
        ask(REFUSED, new TSIG(TSIG.HMAC_SHA256, "reader.", "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA=="));
    assertEquals(Rcode.NOTAUTH, badKey.getRcode());
  }

  @Test
  void aZoneListReplacesTheGlobalOneAndQuestionsOutsideZonesAreRefused() throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString("www.open.test."), Type.A, 1));
    assertEquals(Rcode.NOERROR, resolver(REFUSED, null).send(q).getRcode());
    Message outside =
        resolver(REFUSED, null)
            .send(Message.newQuery(Record.newRecord(Name.fromString("x.other."), Type.A, 1)));
    assertProhibited(outside);
  }

  @Test
  void overTcpTheSameHolds() throws Exception {
    SimpleResolver tcp = resolver(REFUSED, null);
    tcp.setTCP(true);
    assertProhibited(tcp.send(query()));
    SimpleResolver allowedTcp = resolver(ALLOWED, null);
    allowedTcp.setTCP(true);
    assertEquals(Rcode.NOERROR, allowedTcp.send(query()).getRcode());
  }

  private static void assertProhibited(Message r) {
    assertEquals(Rcode.REFUSED, r.getRcode(), r.toString());
    OPTRecord opt = r.getOPT();
    List<EDNSOption> ede = opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR);
    assertEquals(1, ede.size(), r.toString());
    assertEquals(
        ExtendedErrorCodeOption.PROHIBITED, ((ExtendedErrorCodeOption) ede.get(0)).getErrorCode());
    assertTrue(r.getSection(org.xbill.DNS.Section.ANSWER).isEmpty());
  }

  /** www.fx.test A with a bare OPT: the shape the response cache serves. */
  private static Message query() throws Exception {
    Message q =
        Message.newQuery(Record.newRecord(Name.fromString("www.fx.test."), Type.A, DClass.IN));
    q.addRecord(new OPTRecord(1232, 0, 0), org.xbill.DNS.Section.ADDITIONAL);
    return q;
  }

  private Message ask(InetAddress from, TSIG key) throws Exception {
    return resolver(from, key).send(query());
  }

  private SimpleResolver resolver(InetAddress from, TSIG key) {
    SimpleResolver r = new SimpleResolver(udp);
    r.setLocalAddress(new InetSocketAddress(from, 0));
    r.setTimeout(Duration.ofSeconds(5));
    if (key != null) {
      r.setTSIGKey(key);
    }
    return r;
  }

  private static InetAddress loopback(int last) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
