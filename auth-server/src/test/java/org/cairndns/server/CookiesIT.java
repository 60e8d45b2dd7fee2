package org.cairndns.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cairndns.server.interop.Peers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * DNS cookies against the real server over real sockets: dnsjava round trips (client cookie, then
 * the server cookie it got back; forged cookies; require-cookie's BADCOOKIE, TC and TCP), and dig
 * and kdig learning a server cookie and having it accepted on their next query.
 */
class CookiesIT {
  static final byte[] CLIENT = {1, 2, 3, 4, 5, 6, 7, 8};
  static final Pattern DIG_COOKIE =
      Pattern.compile("COOKIE: ([0-9a-f]{48})", Pattern.CASE_INSENSITIVE);

  @TempDir Path dir;
  CairnServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  CairnServer start(String cookies) throws Exception {
    server =
        ServerFixture.start(
            dir,
            """
            database: db/cairn
            listen: [127.0.0.1:0]
            cookies: %s
            zones: [{name: fx.test, file: fx.test.zone}]
            """
                .formatted(cookies));
    return server;
  }

  static Message query(EDNSOption... options) throws Exception {
    Message q =
        Message.newQuery(Record.newRecord(Name.fromString("www.fx.test."), Type.A, DClass.IN));
    if (options != null) {
      q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(options)), Section.ADDITIONAL);
    }
    return q;
  }

  Message udp(Message q) throws Exception {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(5000);
      byte[] wire = q.toWire();
      s.send(new DatagramPacket(wire, wire.length, server.transport().udpAddresses().get(0)));
      DatagramPacket in = new DatagramPacket(new byte[65535], 65535);
      s.receive(in);
      Message r = new Message(Arrays.copyOf(in.getData(), in.getLength()));
      assertEquals(q.getHeader().getID(), r.getHeader().getID());
      return r;
    }
  }

  Message tcp(Message q) throws Exception {
    InetSocketAddress address = server.transport().tcpAddresses().get(0);
    try (Socket s = ServerFixture.connect(address)) {
      ServerFixture.writeFrame(s.getOutputStream(), q.toWire());
      return ServerFixture.readFrame(s.getInputStream());
    }
  }

  static byte[] serverCookie(Message r) {
    List<EDNSOption> options = r.getOPT().getOptions(EDNSOption.Code.COOKIE);
    assertEquals(1, options.size(), r.toString());
    CookieOption c = (CookieOption) options.get(0);
    assertArrayEquals(CLIENT, c.getClientCookie());
    return c.getServerCookie().orElseThrow();
  }

  @Test
  void aClientCookieGetsAServerCookieThatIsAcceptedNextTime() throws Exception {
    start("{}");
    Message first = udp(query(new CookieOption(CLIENT)));
    assertEquals(Rcode.NOERROR, first.getRcode());
    byte[] server = serverCookie(first);
    assertEquals(16, server.length);
    assertEquals(1, server[0], "RFC 9018 version 1");
    Message second = udp(query(new CookieOption(CLIENT, server)));
    assertEquals(Rcode.NOERROR, second.getRcode());
    assertEquals(1, second.getSection(Section.ANSWER).size());
    assertArrayEquals(server, serverCookie(second), "a young valid cookie is echoed as it is");

    byte[] forged = server.clone();
    forged[12] ^= 0x40;
    Message third = udp(query(new CookieOption(CLIENT, forged)));
    assertEquals(Rcode.NOERROR, third.getRcode(), "without require a bad cookie is just replaced");
    assertFalse(Arrays.equals(forged, serverCookie(third)));
  }

  @Test
  void requireCookieBadcookieThenAcceptedTcOtherwiseAndTcpAlwaysAnswered() throws Exception {
    start("{require: true}");
    Message bad = udp(query(new CookieOption(CLIENT)));
    assertEquals(Rcode.BADCOOKIE, bad.getRcode());
    assertTrue(bad.getSection(Section.ANSWER).isEmpty());
    byte[] server = serverCookie(bad);
    Message good = udp(query(new CookieOption(CLIENT, server)));
    assertEquals(Rcode.NOERROR, good.getRcode());
    assertEquals(1, good.getSection(Section.ANSWER).size());

    byte[] old = server.clone(); // a cookie two hours old, hash and all, is no longer valid
    int stamp =
        ((old[4] & 0xFF) << 24 | (old[5] & 0xFF) << 16 | (old[6] & 0xFF) << 8 | (old[7] & 0xFF))
            - 7200;
    old[4] = (byte) (stamp >>> 24);
    old[5] = (byte) (stamp >>> 16);
    old[6] = (byte) (stamp >>> 8);
    old[7] = (byte) stamp;
    assertEquals(Rcode.BADCOOKIE, udp(query(new CookieOption(CLIENT, old))).getRcode());

    for (Message noCookie : List.of(query((EDNSOption[]) null), query())) {
      Message truncated = udp(noCookie);
      assertTrue(truncated.getHeader().getFlag(Flags.TC), truncated.toString());
      assertTrue(truncated.getSection(Section.ANSWER).isEmpty());
      Message overTcp = tcp(noCookie);
      assertEquals(Rcode.NOERROR, overTcp.getRcode());
      assertEquals(1, overTcp.getSection(Section.ANSWER).size());
    }
  }

  static String lastCookie(String output) {
    Matcher m = DIG_COOKIE.matcher(output);
    String found = null;
    while (m.find()) {
      found = m.group(1);
    }
    assertTrue(found != null, "no 24-byte COOKIE in: " + output);
    return found.toLowerCase(Locale.ROOT); // kdig writes upper case, dig lower
  }

  List<String> tool(String name, String... args) {
    List<String> command = new ArrayList<>();
    command.add(
        Peers.binary(name, name.equals("dig") ? "bind9-dnsutils" : "knot-dnsutils").toString());
    command.add("@127.0.0.1");
    command.add("-p");
    command.add(Integer.toString(server.transport().udpAddresses().get(0).getPort()));
    command.addAll(List.of(args));
    command.add("www.fx.test");
    command.add("A");
    return command;
  }

  @ParameterizedTest
  @ValueSource(strings = {"dig", "kdig"})
  void theToolLearnsTheServerCookieAndHasItAccepted(String name) throws Exception {
    start("{require: true}");
    String first = Peers.run(tool(name, "+cookie", "+retry=0", "+notcp"));
    assertTrue(first.contains("BADCOOKIE"), name + ": " + first);
    String cookie = lastCookie(first);
    String second = Peers.run(tool(name, "+cookie=" + cookie, "+retry=0", "+notcp"));
    // Answered the first time: no BADCOOKIE, and no retry (kdig retries with a new cookie, dig
    // over TCP).
    assertTrue(second.contains("status: NOERROR"), name + ": " + second);
    assertFalse(second.contains("BADCOOKIE"), name + ": " + second);
    assertFalse(second.toLowerCase(Locale.ROOT).contains("retrying"), name + ": " + second);
    assertFalse(second.contains("(TCP)"), name + ": " + second);
    assertTrue(second.contains("192.0.2.80"), name + ": " + second);
    // Its server cookie, still young, comes back as it is.
    assertTrue(
        second.toLowerCase(Locale.ROOT).contains(cookie.substring(16)), name + ": " + second);
  }

  @Test
  void digWithoutACookieIsTruncatedAndRetriesOverTcp() throws Exception {
    start("{require: true}");
    String noCookie = Peers.run(tool("dig", "+nocookie", "+retry=0"));
    assertTrue(noCookie.contains("Truncated, retrying in TCP mode"), noCookie);
    assertTrue(noCookie.contains("192.0.2.80"), noCookie);
  }
}
