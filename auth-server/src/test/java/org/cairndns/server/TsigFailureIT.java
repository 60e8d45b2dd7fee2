package org.cairndns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.utils.base64;

/**
 * RFC 8945 §5.2 on every path that answers a signed request, over real sockets: a forged MAC
 * (BADSIG) or an unknown key (BADKEY) gets NOTAUTH with an unsigned TSIG, never a response signed
 * with the real key (the signing oracle a forged UDP IXFR used to get); a correct MAC with an old
 * time gets NOTAUTH with BADTIME, signed.
 */
class TsigFailureIT {
  static final String SECRET = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
  static final Name KEY_NAME = Name.fromConstantString("xfr-key.");
  static final TSIG KEY = key(KEY_NAME, SECRET, Clock.systemUTC());
  static final TSIG FORGED = key(KEY_NAME, "Zm9yZ2VkZm9yZ2VkZm9yZ2VkZm9yZ2Vk", Clock.systemUTC());
  static final TSIG UNKNOWN =
      key(Name.fromConstantString("nobody-key."), SECRET, Clock.systemUTC());

  /** The real key on a clock an hour behind: the MAC is right, the time is not. */
  static final TSIG LATE =
      key(KEY_NAME, SECRET, Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)));

  static final Name ZONE = Name.fromConstantString("fx.test.");

  @TempDir static Path dir;
  static CairnServer server; // one server for every path and case
  static SSLContext tlsClient;

  /** The paths a signed request can take. */
  enum Route {
    QUERY_UDP,
    NOTIFY_UDP,
    IXFR_UDP,
    AXFR_TCP,
    IXFR_TCP,
    AXFR_TLS,
    QUERY_TLS
  }

  static TSIG key(Name name, String secret, Clock clock) {
    return new TSIG(
        TSIG.HMAC_SHA256, name, new SecretKeySpec(base64.fromString(secret), "HmacSHA256"), clock);
  }

  @BeforeAll
  static void start() throws Exception {
    server =
        ServerFixture.start(
            dir,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        tls-listen: [127.0.0.1:0]
        tsig-keys: [{name: xfr-key, secret: "%s"}]
        zones: [{name: fx.test, file: fx.test.zone, allow-transfer: [{key: xfr-key}], transfer-transports: [tcp, tls]}]
        """
                .formatted(SECRET));
    tlsClient = ServerFixture.trustingTlsClient(c -> {});
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest
  @EnumSource(Route.class)
  void forgedMacGetsUnsignedBadsig(Route path) throws Exception {
    Message query = request(path);
    Sent sent = signed(query, FORGED);
    assertUnsignedFailure(sent, exchange(path, sent), Rcode.BADSIG);
  }

  @ParameterizedTest
  @EnumSource(Route.class)
  void unknownKeyGetsUnsignedBadkey(Route path) throws Exception {
    Message query = request(path);
    Sent sent = signed(query, UNKNOWN);
    assertUnsignedFailure(sent, exchange(path, sent), Rcode.BADKEY);
  }

  @ParameterizedTest
  @EnumSource(Route.class)
  void oldTimeWithRightMacGetsSignedBadtime(Route path) throws Exception {
    Message query = request(path);
    Sent sent = signed(query, LATE);
    byte[] wire = exchange(path, sent);
    Message response = new Message(wire);
    assertEquals(Rcode.NOTAUTH, response.getRcode());
    TSIGRecord tsig = response.getTSIG();
    assertNotNull(tsig, "a TSIG RR with the error");
    assertEquals(Rcode.BADTIME, tsig.getError());
    assertTrue(tsig.getSignature().length > 0, "BADTIME is answered signed");
    // The client whose clock is off verifies the signature over the time it sent.
    assertEquals(Rcode.NOERROR, LATE.verify(response, wire, sent.tsig()));
  }

  /**
   * The same paths with the right key are answered and signed: the failures above are not the
   * default.
   */
  @ParameterizedTest
  @EnumSource(Route.class)
  void rightKeyIsAnsweredSigned(Route path) throws Exception {
    Message query = request(path);
    Sent sent = signed(query, KEY);
    byte[] wire = exchange(path, sent);
    Message response = new Message(wire);
    assertNotNull(response.getTSIG());
    assertEquals(Rcode.NOERROR, KEY.verify(response, wire, sent.tsig()));
  }

  /**
   * The request as sent, parsed back, so that its TSIG record is at hand to verify the response
   * with.
   */
  static Sent signed(Message query, TSIG key) throws Exception {
    query.setTSIG(key);
    byte[] wire = query.toWire(65535);
    return new Sent(wire, new Message(wire).getTSIG());
  }

  record Sent(byte[] wire, TSIGRecord tsig) {}

  static void assertUnsignedFailure(Sent sent, byte[] wire, int tsigError) throws Exception {
    Message response = new Message(wire);
    assertEquals(Rcode.NOTAUTH, response.getRcode());
    TSIGRecord tsig = response.getTSIG();
    assertNotNull(tsig, "an unsigned TSIG RR with the error (RFC 8945 §5.2)");
    assertEquals(tsigError, tsig.getError(), Rcode.TSIGstring(tsig.getError()));
    assertEquals(0, tsig.getSignature().length, "no MAC");
    assertNotEquals(
        Rcode.NOERROR, KEY.verify(response, wire, sent.tsig()), "not signed with the real key");
    assertTrue(response.getSection(Section.ANSWER).isEmpty());
  }

  static Message request(Route path) {
    return switch (path) {
      case QUERY_UDP, QUERY_TLS -> Message.newQuery(Record.newRecord(ZONE, Type.SOA, DClass.IN));
      case NOTIFY_UDP -> {
        Message m = Message.newQuery(Record.newRecord(ZONE, Type.SOA, DClass.IN));
        m.getHeader().setOpcode(Opcode.NOTIFY);
        m.getHeader().unsetFlag(org.xbill.DNS.Flags.RD);
        yield m;
      }
      case AXFR_TCP, AXFR_TLS -> Message.newQuery(Record.newRecord(ZONE, Type.AXFR, DClass.IN));
      case IXFR_UDP, IXFR_TCP -> {
        Message m = Message.newQuery(Record.newRecord(ZONE, Type.IXFR, DClass.IN));
        m.addRecord(
            new SOARecord(
                ZONE,
                DClass.IN,
                300,
                Name.fromConstantString("ns1.fx.test."),
                Name.fromConstantString("hm.fx.test."),
                0,
                1,
                1,
                1,
                1),
            Section.AUTHORITY);
        yield m;
      }
    };
  }

  /** Sends one request on the path's transport and returns the first response message. */
  static byte[] exchange(Route path, Sent sent) throws Exception {
    byte[] request = sent.wire();
    switch (path) {
      case QUERY_UDP, NOTIFY_UDP, IXFR_UDP -> {
        try (DatagramSocket s = new DatagramSocket()) {
          s.setSoTimeout(5000);
          s.send(
              new DatagramPacket(
                  request, request.length, server.transport().udpAddresses().get(0)));
          byte[] buf = new byte[65535];
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          s.receive(p);
          return Arrays.copyOf(buf, p.getLength());
        }
      }
      case AXFR_TCP, IXFR_TCP -> {
        try (Socket s = ServerFixture.connect(server.transport().tcpAddresses().get(0))) {
          ServerFixture.writeFrame(s.getOutputStream(), request);
          return ServerFixture.readFrameWire(s.getInputStream());
        }
      }
      default -> {
        InetSocketAddress tls = server.transport().tlsAddresses().get(0);
        try (Socket s = ServerFixture.connectTls(tlsClient, tls)) {
          ServerFixture.writeFrame(s.getOutputStream(), request);
          return ServerFixture.readFrameWire(s.getInputStream());
        }
      }
    }
  }
}
