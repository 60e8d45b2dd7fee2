package org.cairndns.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.cairndns.server.interop.Peers;
import org.cairndns.tls.PemCredentials;
import org.cairndns.tls.SelfSignedCertificate;
import org.cairndns.tls.SpkiPin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** DNS-over-TLS (RFC 7858) against the real server: JDK TLS client, kdig and dig. */
class DnsOverTlsIT {
  @TempDir Path dir;
  CairnServer server;
  InetSocketAddress tls;

  @BeforeEach
  void start() throws Exception {
    SelfSignedCertificate.write(
        SelfSignedCertificate.generate("dot.test"),
        dir.resolve("cert.pem"),
        dir.resolve("key.pem"));
    server =
        ServerFixture.start(
            dir,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        tls-listen: [127.0.0.1:0]
        tls: {certificate: cert.pem, key: key.pem, min-version: TLSv1.2}
        limits: {tcp-idle-timeout: 3s, tls-handshake-timeout: 1s}
        zones: [{name: fx.test, file: fx.test.zone}]
        """);
    tls = server.transport().tlsAddresses().get(0);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static SSLSocket connect(InetSocketAddress address, X509Certificate[] seen) throws Exception {
    return ServerFixture.connectTls(ServerFixture.trustingTlsClient(c -> seen[0] = c), address);
  }

  static Message paddedQuery(String name) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    q.addRecord(
        new OPTRecord(
            1232,
            0,
            0,
            0,
            List.of(
                new GenericEDNSOption(11, new byte[0]), new GenericEDNSOption(12, new byte[16]))),
        Section.ADDITIONAL);
    return q;
  }

  @Test
  void tls13WithAlpnDotPaddingAndKeepalive() throws Exception {
    assertEquals(
        io.netty.handler.ssl.OpenSsl.isAvailable(),
        server.tls().engine() == io.netty.handler.ssl.SslProvider.OPENSSL,
        "auto picks OpenSSL when it loads");
    X509Certificate[] seen = new X509Certificate[1];
    try (SSLSocket s = connect(tls, seen)) {
      assertEquals("TLSv1.3", s.getSession().getProtocol());
      assertEquals("dot", s.getApplicationProtocol());
      assertEquals(server.tls().spkiPin(), SpkiPin.of(seen[0]));
      for (int i = 0; i < 3; i++) { // pipelined
        ServerFixture.writeFrame(s.getOutputStream(), paddedQuery("www.fx.test.").toWire());
      }
      for (int i = 0; i < 3; i++) {
        java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
        int len = in.readUnsignedShort();
        byte[] wire = new byte[len];
        in.readFully(wire);
        assertEquals(0, len % 468, "RFC 8467 block padding");
        Message r = new Message(wire);
        assertEquals("192.0.2.80", r.getSection(Section.ANSWER).get(0).rdataToString());
        byte[] keepalive = r.getOPT().getOptions(11).get(0).toWire();
        assertEquals(
            30,
            ((keepalive[4] & 0xFF) << 8) | (keepalive[5] & 0xFF),
            "3 s idle timeout in 100 ms units");
      }
    }
  }

  @Test
  void theJdkEngineServesTheSame() throws Exception {
    Path other = Files.createDirectories(dir.resolve("jdk"));
    Files.copy(dir.resolve("cert.pem"), other.resolve("cert.pem"));
    Files.copy(dir.resolve("key.pem"), other.resolve("key.pem"));
    try (CairnServer jdk =
        ServerFixture.start(
            other,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        tls-listen: [127.0.0.1:0]
        tls: {certificate: cert.pem, key: key.pem, engine: jdk}
        zones: [{name: fx.test, file: fx.test.zone}]
        """)) {
      X509Certificate[] seen = new X509Certificate[1];
      try (SSLSocket s = connect(jdk.transport().tlsAddresses().get(0), seen)) {
        assertEquals("TLSv1.3", s.getSession().getProtocol());
        assertEquals("dot", s.getApplicationProtocol());
        ServerFixture.writeFrame(s.getOutputStream(), paddedQuery("www.fx.test.").toWire());
        java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
        int len = in.readUnsignedShort();
        assertEquals(0, len % 468);
        byte[] wire = new byte[len];
        in.readFully(wire);
        assertEquals(
            "192.0.2.80", new Message(wire).getSection(Section.ANSWER).get(0).rdataToString());
      }
    }
  }

  @Test
  void sessionsAreResumed() throws Exception {
    SSLContext ctx = ServerFixture.trustingTlsClient(c -> {});
    long[] created = new long[2];
    for (int i = 0; i < 2; i++) {
      try (SSLSocket s =
          (SSLSocket) ctx.getSocketFactory().createSocket(tls.getAddress(), tls.getPort())) {
        s.setSoTimeout(10_000);
        ServerFixture.writeFrame(s.getOutputStream(), paddedQuery("www.fx.test.").toWire());
        assertEquals(
            1, ServerFixture.readFrame(s.getInputStream()).getSection(Section.ANSWER).size());
        created[i] = s.getSession().getCreationTime();
        if (i == 0) {
          // the ticket arrives with the answer; wait on the condition that the client stored it
          await()
              .atMost(java.time.Duration.ofSeconds(5))
              .until(() -> ctx.getClientSessionContext().getIds().hasMoreElements());
        }
      }
    }
    // The JDK keeps the original session's creation time when it resumes with a ticket (a full
    // handshake makes a new session).
    assertEquals(created[0], created[1], "second connection resumed the first session");
  }

  @Test
  void clientWithoutAlpnIsAccepted() throws Exception {
    SSLContext ctx = ServerFixture.trustingTlsClient(c -> {});
    try (SSLSocket s =
        (SSLSocket) ctx.getSocketFactory().createSocket(tls.getAddress(), tls.getPort())) {
      s.setSoTimeout(10_000);
      ServerFixture.writeFrame(s.getOutputStream(), paddedQuery("www.fx.test.").toWire());
      assertEquals(
          1, ServerFixture.readFrame(s.getInputStream()).getSection(Section.ANSWER).size());
    }
  }

  @Test
  void unfinishedHandshakeIsCutOff() throws Exception {
    try (Socket s = ServerFixture.connect(tls)) {
      long started = System.nanoTime();
      assertEquals(-1, s.getInputStream().read(), "server closes a client that never handshakes");
      assertTrue(System.nanoTime() - started < 5_000_000_000L);
    }
  }

  @Test
  void certificateReloadKeepsOpenConnections() throws Exception {
    X509Certificate[] first = new X509Certificate[1];
    try (SSLSocket old = connect(tls, first)) {
      PemCredentials next = SelfSignedCertificate.generate("dot2.test");
      SelfSignedCertificate.write(next, dir.resolve("cert.pem"), dir.resolve("key.pem"));
      server.tls().reload();
      X509Certificate[] second = new X509Certificate[1];
      try (SSLSocket fresh = connect(tls, second)) {
        assertEquals("TLSv1.3", fresh.getSession().getProtocol());
        assertEquals(SpkiPin.of(next.leaf()), SpkiPin.of(second[0]));
        assertNotEquals(SpkiPin.of(first[0]), SpkiPin.of(second[0]));
      }
      ServerFixture.writeFrame(old.getOutputStream(), paddedQuery("www.fx.test.").toWire());
      assertEquals(
          1, ServerFixture.readFrame(old.getInputStream()).getSection(Section.ANSWER).size());
    }
    Files.writeString(dir.resolve("key.pem"), "not a key");
    org.junit.jupiter.api.Assertions.assertThrows(
        org.cairndns.tls.TlsConfigException.class, () -> server.tls().reload());
    try (SSLSocket still = connect(tls, new X509Certificate[1])) {
      assertEquals(
          "TLSv1.3",
          still.getSession().getProtocol(),
          "bad files leave the old certificate serving");
    }
  }

  @Test
  void kdigAndDigOverTlsWithAndWithoutPin() throws Exception {
    String port = Integer.toString(tls.getPort());
    String pin = server.tls().spkiPin();
    String kdig =
        Peers.run(
            List.of(
                Peers.binary("kdig", "knot-dnsutils").toString(),
                "@127.0.0.1",
                "-p",
                port,
                "+tls",
                "www.fx.test",
                "A"));
    assertTrue(kdig.contains("192.0.2.80"), kdig);
    String pinned =
        Peers.run(
            List.of(
                Peers.binary("kdig", "knot-dnsutils").toString(),
                "@127.0.0.1",
                "-p",
                port,
                "+tls-pin=" + pin,
                "www.fx.test",
                "A"));
    assertTrue(pinned.contains("192.0.2.80"), pinned);
    String wrongPin =
        Peers.run(
            List.of(
                Peers.binary("kdig", "knot-dnsutils").toString(),
                "@127.0.0.1",
                "-p",
                port,
                "+tls-pin=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                "+retry=0",
                "www.fx.test",
                "A"));
    assertTrue(!wrongPin.contains("192.0.2.80"), "a wrong pin must fail: " + wrongPin);
    String dig =
        Peers.run(
            List.of(
                Peers.binary("dig", "bind9-dnsutils").toString(),
                "@127.0.0.1",
                "-p",
                port,
                "+tls",
                "+short",
                "www.fx.test",
                "A"));
    assertTrue(dig.contains("192.0.2.80"), dig);
  }
}
