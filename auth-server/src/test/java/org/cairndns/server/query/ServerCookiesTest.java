package org.cairndns.server.query;

import static org.cairndns.server.query.ZoneAnswererTest.ZONES;
import static org.cairndns.server.query.ZoneAnswererTest.ZONE_TEXT;
import static org.cairndns.server.query.ZoneAnswererTest.parse;
import static org.cairndns.server.query.ZoneAnswererTest.query;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.server.config.CairnConfig;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.ZoneSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** RFC 9018 server cookies: the construction, their lifetime, secrets, and require-cookie. */
class ServerCookiesTest {
  // RFC 9018 Appendix A.
  static final String SECRET = "e5e973e5a6b2a43f48e7dc849e37bfcf";
  static final byte[] CLIENT = hex("2464c4abcf10c957");
  static final long T1 = 1559731985;
  static final byte[] SERVER_T1 = hex("010000005cf79f111f8130c3eee29480");
  static final Requester UDP = from("198.51.100.100", Transport.UDP);

  final AtomicLong now = new AtomicLong(T1);

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  static Requester from(String address, Transport transport) {
    return Requester.of(new InetSocketAddress(address, 5353), transport);
  }

  ServerCookies cookies(boolean require, String secret) {
    return new ServerCookies(new CairnConfig.Cookies(true, require, secret), now::get);
  }

  static OPTRecord opt(EDNSOption... options) {
    return new OPTRecord(1232, 0, 0, 0, List.of(options));
  }

  /**
   * The server cookie of the response {@code r}'s COOKIE option, after checking its client part.
   */
  static byte[] serverCookieOf(Message r, byte[] client) {
    CookieOption c = (CookieOption) r.getOPT().getOptions(EDNSOption.Code.COOKIE).get(0);
    assertArrayEquals(client, c.getClientCookie());
    return c.getServerCookie().orElseThrow();
  }

  @ParameterizedTest
  @CsvSource({
    "2464c4abcf10c957, 198.51.100.100, 1559731985, 010000005cf79f111f8130c3eee29480",
    "2464c4abcf10c957, 198.51.100.100, 1559734385, 010000005cf7a871d4a564a1442aca77",
    "fc93fc62807ddb86, 203.0.113.203, 1559734700, 010000005cf7a9acf73a7810aca2381e",
  })
  void theRfc9018TestVectors(String client, String address, long at, String server)
      throws Exception {
    byte[] ip = java.net.InetAddress.getByName(address).getAddress();
    assertEquals(
        server, HexFormat.of().formatHex(ServerCookies.make(hex(SECRET), hex(client), ip, at)));
  }

  @Test
  void aClientCookieAloneGetsAFreshServerCookie() {
    Message r = new Message();
    assertEquals(
        ServerCookies.Status.CLIENT_ONLY,
        cookies(false, SECRET).answer(opt(new CookieOption(CLIENT)), UDP, r));
    assertArrayEquals(SERVER_T1, serverCookieOf(r, CLIENT));
  }

  /** RFC 9018 §4.3: valid from an hour back to five minutes ahead, renewed past half an hour. */
  @ParameterizedTest
  @CsvSource({
    "0, VALID, false",
    "1800, VALID, false",
    "1801, VALID, true",
    "2400, VALID, true", // A.2
    "3600, VALID, true",
    "3601, CLIENT_ONLY, true",
    "-300, VALID, false",
    "-301, CLIENT_ONLY, true",
    "2000000000, CLIENT_ONLY, true", // far off either way in 32-bit serial arithmetic
  })
  void aServerCookieIsValidWithinItsLifetime(
      long age, ServerCookies.Status expected, boolean renewed) {
    now.set(T1 + age);
    Message r = new Message();
    assertEquals(
        expected, cookies(false, SECRET).answer(opt(new CookieOption(CLIENT, SERVER_T1)), UDP, r));
    byte[] echoed = serverCookieOf(r, CLIENT);
    assertEquals(!renewed, Arrays.equals(SERVER_T1, echoed));
    if (renewed) {
      assertArrayEquals(
          ServerCookies.make(
              hex(SECRET), CLIENT, UDP.address().getAddress().getAddress(), T1 + age),
          echoed);
    }
  }

  @Test
  void aForgedOrMisdirectedServerCookieIsTreatedAsNone() {
    byte[] flipped = SERVER_T1.clone();
    flipped[15] ^= 1;
    byte[] version2 = SERVER_T1.clone();
    version2[0] = 2;
    byte[] otherClient = hex("fc93fc62807ddb86");
    ServerCookies cookies = cookies(false, SECRET);
    for (CookieOption forged :
        List.of(
            new CookieOption(CLIENT, flipped),
            new CookieOption(CLIENT, version2),
            new CookieOption(CLIENT, Arrays.copyOf(SERVER_T1, 8)), // shortest server cookie
            new CookieOption(CLIENT, Arrays.copyOf(SERVER_T1, 32)), // longest
            new CookieOption(otherClient, SERVER_T1))) { // made for another client cookie
      Message r = new Message();
      assertEquals(
          ServerCookies.Status.CLIENT_ONLY, cookies.answer(opt(forged), UDP, r), forged.toString());
      assertArrayEquals(
          ServerCookies.make(
              hex(SECRET), forged.getClientCookie(), UDP.address().getAddress().getAddress(), T1),
          serverCookieOf(r, forged.getClientCookie()));
    }
    assertEquals(
        ServerCookies.Status.CLIENT_ONLY,
        cookies.answer(
            opt(new CookieOption(CLIENT, SERVER_T1)),
            from("198.51.100.101", Transport.UDP),
            new Message()),
        "made for another address");
    assertEquals(
        ServerCookies.Status.CLIENT_ONLY,
        cookies(false, "00000000000000000000000000000000")
            .answer(opt(new CookieOption(CLIENT, SERVER_T1)), UDP, new Message()),
        "made with another secret");
  }

  @Test
  void aGeneratedSecretIsReplacedAndThePreviousOneStillAccepted() {
    ServerCookies cookies = cookies(false, null);
    now.set(T1 + ServerCookies.ROTATION - 60);
    Message before = new Message();
    cookies.answer(opt(new CookieOption(CLIENT)), UDP, before);
    byte[] old = serverCookieOf(before, CLIENT);
    assertEquals(
        ServerCookies.Status.VALID,
        cookies.answer(opt(new CookieOption(CLIENT, old)), UDP, new Message()));

    now.set(T1 + ServerCookies.ROTATION + 60); // rotated: made with the previous secret
    Message after = new Message();
    assertEquals(
        ServerCookies.Status.VALID, cookies.answer(opt(new CookieOption(CLIENT, old)), UDP, after));
    byte[] renewed = serverCookieOf(after, CLIENT);
    assertFalse(Arrays.equals(old, renewed), "renewed with the new secret");
    assertEquals(
        ServerCookies.Status.VALID,
        cookies.answer(opt(new CookieOption(CLIENT, renewed)), UDP, new Message()));

    now.set(T1 + 2 * ServerCookies.ROTATION + 60); // rotated twice: an old but in-window cookie
    Message young = new Message();
    cookies.answer(opt(new CookieOption(CLIENT)), UDP, young);
    assertEquals(
        ServerCookies.Status.VALID,
        cookies.answer(
            opt(new CookieOption(CLIENT, serverCookieOf(young, CLIENT))), UDP, new Message()));
  }

  @Test
  void aConfiguredSecretIsNeverReplaced() {
    ServerCookies cookies = cookies(false, SECRET);
    now.set(T1 + 10 * ServerCookies.ROTATION);
    Message r = new Message();
    cookies.answer(opt(new CookieOption(CLIENT)), UDP, r);
    assertArrayEquals(
        ServerCookies.make(hex(SECRET), CLIENT, UDP.address().getAddress().getAddress(), now.get()),
        serverCookieOf(r, CLIENT));
  }

  @Test
  void offOrWithoutACookieNothingIsAdded() {
    Message r = new Message();
    assertEquals(
        ServerCookies.Status.NONE,
        new ServerCookies(new CairnConfig.Cookies(false, false, null), now::get)
            .answer(opt(new CookieOption(CLIENT)), UDP, r));
    assertNull(r.getOPT());
    assertEquals(ServerCookies.Status.NONE, cookies(false, SECRET).answer(opt(), UDP, r));
    assertEquals(ServerCookies.Status.NONE, cookies(false, SECRET).answer(null, UDP, r));
    assertNull(r.getOPT());
  }

  @Test
  void requireTurnsAwayUdpWithoutAValidServerCookieButNeverStreams() {
    ServerCookies cookies = cookies(true, SECRET);
    Message none = new Message();
    assertEquals(ServerCookies.Status.REFUSED, cookies.answer(null, UDP, none));
    assertTrue(none.getHeader().getFlag(Flags.TC));
    Message clientOnly = new Message();
    assertEquals(
        ServerCookies.Status.REFUSED,
        cookies.answer(opt(new CookieOption(CLIENT)), UDP, clientOnly));
    assertEquals(Rcode.BADCOOKIE & 0xF, clientOnly.getHeader().getRcode());
    assertEquals(Rcode.BADCOOKIE >>> 4, clientOnly.getOPT().getExtendedRcode());
    assertArrayEquals(SERVER_T1, serverCookieOf(clientOnly, CLIENT));
    assertEquals(
        ServerCookies.Status.VALID,
        cookies.answer(opt(new CookieOption(CLIENT, SERVER_T1)), UDP, new Message()));
    Message notify = new Message();
    notify.getHeader().setOpcode(Opcode.NOTIFY);
    assertEquals(ServerCookies.Status.NONE, cookies.answer(null, UDP, notify), "NOTIFY is exempt");
    assertEquals(
        ServerCookies.Status.CLIENT_ONLY,
        cookies.answer(opt(new CookieOption(CLIENT)), UDP, notify));
    assertEquals(Rcode.NOERROR, notify.getHeader().getRcode());
    for (Transport stream : List.of(Transport.TCP, Transport.TLS)) {
      Requester r = from("198.51.100.100", stream);
      assertEquals(ServerCookies.Status.NONE, cookies.answer(null, r, new Message()));
      assertEquals(
          ServerCookies.Status.CLIENT_ONLY,
          cookies.answer(opt(new CookieOption(CLIENT)), r, new Message()));
    }
  }

  // Through the processor: the wire form, FORMERR, and the response cache.

  static QueryProcessor processor(ZoneSet zones, boolean require) {
    return new QueryProcessor(
        zones,
        null,
        null,
        new QueryConfig(
            1232,
            Duration.ofSeconds(10),
            null,
            1 << 20,
            new CairnConfig.Cookies(true, require, null),
            QueryAccess.EVERYONE,
            null));
  }

  static Message ask(QueryProcessor p, Message query, Requester from) throws Exception {
    return new Message(
        assertInstanceOf(Outcome.Reply.class, p.handle(query.toWire(), from)).wire());
  }

  static Message withCookie(Message q, EDNSOption... options) {
    q.addRecord(opt(options), Section.ADDITIONAL);
    return q;
  }

  @Test
  void aMalformedCookieOptionIsFormerr() throws Exception {
    QueryProcessor p = processor(ZONES, false);
    for (int length : new int[] {0, 7, 9, 15, 41}) {
      Message r =
          ask(
              p,
              withCookie(
                  query("www.q.test.", Type.A),
                  new GenericEDNSOption(EDNSOption.Code.COOKIE, new byte[length])),
              UDP);
      assertEquals(Rcode.FORMERR, r.getRcode(), "length " + length);
    }
    assertEquals(5, p.malformedRequests());
  }

  @Test
  void cookieQueriesAreAnsweredInFullWithTheirOwnCookie() throws Exception {
    QueryProcessor p = processor(ZONES, false);
    Message first = ask(p, withCookie(query("www.q.test.", Type.A), new CookieOption(CLIENT)), UDP);
    assertEquals(Rcode.NOERROR, first.getRcode());
    assertEquals(1, first.getSection(Section.ANSWER).size());
    byte[] server = serverCookieOf(first, CLIENT);
    byte[] other = hex("fc93fc62807ddb86");
    Message second = ask(p, withCookie(query("www.q.test.", Type.A), new CookieOption(other)), UDP);
    assertFalse(Arrays.equals(server, serverCookieOf(second, other)), "never from the cache");
    Message plain = ask(p, withCookie(query("www.q.test.", Type.A)), UDP);
    assertTrue(plain.getOPT().getOptions(EDNSOption.Code.COOKIE).isEmpty());
  }

  @Test
  void requireOverTheWireWithTheCacheInFront() throws Exception {
    QueryProcessor p = processor(ZONES, true);
    for (int i = 0; i < 2; i++) { // the second from the cache
      Message bare = ask(p, query("www.q.test.", Type.A), UDP);
      assertTrue(bare.getHeader().getFlag(Flags.TC));
      assertTrue(bare.getSection(Section.ANSWER).isEmpty());
      Message edns = ask(p, withCookie(query("www.q.test.", Type.A)), UDP);
      assertTrue(edns.getHeader().getFlag(Flags.TC));
    }
    Message tcp = ask(p, query("www.q.test.", Type.A), from("198.51.100.100", Transport.TCP));
    assertFalse(tcp.getHeader().getFlag(Flags.TC));
    assertEquals(1, tcp.getSection(Section.ANSWER).size());

    Message bad = ask(p, withCookie(query("www.q.test.", Type.A), new CookieOption(CLIENT)), UDP);
    assertEquals(Rcode.BADCOOKIE, bad.getRcode());
    assertTrue(bad.getSection(Section.ANSWER).isEmpty());
    byte[] server = serverCookieOf(bad, CLIENT);
    Message good =
        ask(p, withCookie(query("www.q.test.", Type.A), new CookieOption(CLIENT, server)), UDP);
    assertEquals(Rcode.NOERROR, good.getRcode());
    assertEquals(1, good.getSection(Section.ANSWER).size());
    assertArrayEquals(server, serverCookieOf(good, CLIENT), "young: echoed as it is");
  }

  @Test
  void anExtendedErrorAndTheCookieShareTheOpt() throws Exception {
    ZoneSet zones = new ZoneSet();
    zones.publish(ZoneSnapshot.build(Name.fromString("q.test."), parse("q.test.", ZONE_TEXT)));
    zones.markNotReady(Name.fromString("sec.q.test."));
    Message r =
        ask(
            processor(zones, false),
            withCookie(query("www.sec.q.test.", Type.A), new CookieOption(CLIENT)),
            UDP);
    assertEquals(Rcode.SERVFAIL, r.getRcode());
    assertNotNull(serverCookieOf(r, CLIENT));
    assertEquals(
        ExtendedErrorCodeOption.NOT_READY,
        ((ExtendedErrorCodeOption)
                r.getOPT().getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR).get(0))
            .getErrorCode());
  }
}
