package org.cairndns.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The real server on ephemeral ports, queried over real UDP and TCP sockets with dnsjava. */
class CairnServerIT {
  @TempDir Path dir;
  CairnServer server;
  InetSocketAddress udp;
  InetSocketAddress tcp;

  @BeforeEach
  void start() throws Exception {
    StringBuilder big =
        new StringBuilder(
            "$ORIGIN big.test.\n$TTL 300\n@ IN SOA ns hm 1 3600 600 86400 60\n@ IN NS ns\nns IN A 192.0.2.1\n");
    for (int i = 0; i < 3000; i++) {
      big.append("h")
          .append(i)
          .append(" IN A 10.0.")
          .append(i / 256)
          .append('.')
          .append(i % 256)
          .append('\n');
    }
    Files.writeString(dir.resolve("big.test.zone"), big);
    server =
        ServerFixture.start(
            dir,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        store-poll-interval: 100ms
        limits: {tcp-idle-timeout: 1s, tcp-connections-per-address: 3}
        zones:
          - {name: fx.test, file: fx.test.zone, allow-transfer: [{address: 127.0.0.1}]}
          - {name: big.test, file: big.test.zone, allow-transfer: [{address: 127.0.0.0/8}]}
        """);
    udp = server.transport().udpAddresses().get(0);
    tcp = server.transport().tcpAddresses().get(0);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static Message query(String name, int type) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  @Test
  void answersOverUdpAndTcp() throws Exception {
    SimpleResolver r = new SimpleResolver(udp);
    Message udpAnswer = r.send(query("www.fx.test.", Type.A));
    assertEquals("192.0.2.80", udpAnswer.getSection(Section.ANSWER).get(0).rdataToString());
    r.setTCP(true);
    assertEquals(Rcode.NXDOMAIN, r.send(query("nope.fx.test.", Type.A)).getRcode());
  }

  @Test
  void pipelinedQueriesOnOneConnectionAreAllAnswered() throws Exception {
    try (Socket s = ServerFixture.connect(tcp)) {
      Set<Integer> sent = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        Message q = query(i % 2 == 0 ? "www.fx.test." : "nope.fx.test.", Type.A);
        sent.add(q.getHeader().getID());
        ServerFixture.writeFrame(s.getOutputStream(), q.toWire());
      }
      Set<Integer> answered = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        answered.add(ServerFixture.readFrame(s.getInputStream()).getHeader().getID());
      }
      assertEquals(sent, answered);
    }
  }

  @Test
  void transfersOnOneConnectionAreContiguousAndInOrder() throws Exception {
    try (Socket s = ServerFixture.connect(tcp)) {
      Message axfrBig = query("big.test.", Type.AXFR);
      Message between = query("www.fx.test.", Type.A);
      Message axfrSmall = query("fx.test.", Type.AXFR);
      for (Message m : List.of(axfrBig, between, axfrSmall)) {
        ServerFixture.writeFrame(s.getOutputStream(), m.toWire());
      }
      List<Integer> ids = new ArrayList<>();
      int soas = 0;
      int records = 0;
      while (soas < 4 || ids.size() < 3 || !ids.contains(between.getHeader().getID())) {
        Message m = ServerFixture.readFrame(s.getInputStream());
        ids.add(m.getHeader().getID());
        for (Record r : m.getSection(Section.ANSWER)) {
          records++;
          if (r.getType() == Type.SOA) {
            soas++;
          }
        }
      }
      assertEquals(
          3003 + 1 + 1 + 4 + 1, records, "both zones whole (with closing SOAs) plus the answer");
      // Each response's messages form one run, and the two transfers come in the order asked.
      List<Integer> runs = new ArrayList<>(new LinkedHashSet<>(ids));
      int changes = 0;
      for (int i = 1; i < ids.size(); i++) {
        if (!ids.get(i).equals(ids.get(i - 1))) {
          changes++;
        }
      }
      assertEquals(runs.size() - 1, changes, "no response interleaved with another: " + ids);
      assertTrue(
          runs.indexOf(axfrBig.getHeader().getID()) < runs.indexOf(axfrSmall.getHeader().getID()));
      assertTrue(
          ids.stream().filter(id -> id == axfrBig.getHeader().getID()).count() > 1,
          "big zone spans messages");
    }
  }

  @Test
  void idleConnectionsAreClosed() throws Exception {
    try (Socket s = ServerFixture.connect(tcp)) {
      long started = System.nanoTime();
      assertEquals(-1, s.getInputStream().read(), "server closed the idle connection");
      assertTrue(System.nanoTime() - started < 5_000_000_000L);
    }
  }

  @Test
  void perAddressConnectionLimitIsEnforced() throws Exception {
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open.add(ServerFixture.connect(tcp));
      }
      for (Socket s : open) { // the first three work
        Message q = query("www.fx.test.", Type.A);
        ServerFixture.writeFrame(s.getOutputStream(), q.toWire());
        assertEquals(
            q.getHeader().getID(), ServerFixture.readFrame(s.getInputStream()).getHeader().getID());
      }
      try (Socket fourth = ServerFixture.connect(tcp)) {
        InputStream in = fourth.getInputStream();
        assertEquals(-1, in.read(), "over the per-address limit: closed at once");
      }
    } finally {
      for (Socket s : open) {
        s.close();
      }
    }
  }

  @Test
  void garbageGetsFormerrOrNothingAndServingGoesOn() throws Exception {
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(5000);
      byte[] garbage = {
        0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 'x'
      };
      socket.send(new DatagramPacket(garbage, garbage.length, udp));
      byte[] buf = new byte[512];
      DatagramPacket reply = new DatagramPacket(buf, buf.length);
      socket.receive(reply);
      assertEquals(Rcode.FORMERR, buf[3] & 0xF);
      assertEquals(0x12, buf[0]);
      byte[] tiny = {1, 2, 3};
      socket.send(new DatagramPacket(tiny, tiny.length, udp)); // dropped
    }
    assertEquals(
        Rcode.NOERROR, new SimpleResolver(udp).send(query("www.fx.test.", Type.A)).getRcode());
  }

  /**
   * 10,000 copies of the 42-byte query with TC=1 and a cut-short additional section (from a
   * spoofable UDP source) get FORMERR each, and cost a few log lines in all rather than a stack
   * trace each; a legitimate client is answered throughout.
   */
  @Test
  void aFloodOfMalformedQueriesGetsFormerrWithoutALogLinePerPacket() throws Exception {
    Message q = query("www.fx.test.", Type.A);
    q.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    byte[] packet =
        java.util.Arrays.copyOf(q.toWire(), 42); // the OPT, then 2 bytes of a second record
    packet[2] |= 0x02; // TC
    packet[11] = 2; // ARCOUNT
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.cairndns");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    root.addAppender(lines);
    SimpleResolver legitimate = new SimpleResolver(udp);
    int formerr = 0;
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(2000);
      byte[] buf = new byte[512];
      for (int batch = 0; batch < 200; batch++) {
        for (int i = 0; i < 50; i++) {
          socket.send(new DatagramPacket(packet, packet.length, udp));
        }
        try {
          for (int i = 0; i < 50; i++) {
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            socket.receive(reply);
            assertEquals(Rcode.FORMERR, buf[3] & 0xF);
            formerr++;
          }
        } catch (java.net.SocketTimeoutException lostOnLoopback) {
          // a full socket buffer may drop a datagram; the count below allows for it
        }
        if (batch % 20 == 0) {
          assertEquals(Rcode.NOERROR, legitimate.send(query("www.fx.test.", Type.A)).getRcode());
        }
      }
    } finally {
      root.detachAppender(lines);
    }
    assertTrue(formerr >= 9_000, formerr + " FORMERR replies");
    assertTrue(
        lines.list.size() <= 3,
        lines.list.size() + " log lines, e.g. " + lines.list.stream().limit(3).toList());
  }

  @Test
  void aNewStoredVersionIsServedWithoutRestart() throws Exception {
    List<Record> v2 =
        ServerFixture.parse(
            "fx.test.",
            ServerFixture.ZONE.replace(" 1 3600", " 2 3600").replace("192.0.2.80", "192.0.2.81"));
    server.store().load(Name.fromString("fx.test."), v2, "test", false);
    SimpleResolver r = new SimpleResolver(udp);
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions() // until the new version is published
        .until(
            () ->
                r.send(query("www.fx.test.", Type.A))
                    .getSection(Section.ANSWER)
                    .get(0)
                    .rdataToString(),
            "192.0.2.81"::equals);
  }

  @Test
  void aPortInUseIsAClearError() throws Exception {
    java.io.IOException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.io.IOException.class,
            () ->
                org.cairndns.server.transport.DnsServer.start(
                    org.cairndns.server.transport.ListenerSettings.of(List.of(tcp)),
                    (req, who) -> null,
                    null));
    assertTrue(
        e.getMessage().startsWith("cannot listen on tcp 127.0.0.1:" + tcp.getPort() + ": "),
        e.getMessage());
  }

  @Test
  void aBadZoneFileAtStartKeepsTheStoredVersion() throws Exception {
    server.close();
    Files.writeString(
        dir.resolve("fx.test.zone"), ServerFixture.ZONE + "broken IN A not-an-address\n");
    CairnServer again =
        CairnServer.start(org.cairndns.server.config.ConfigLoader.load(dir.resolve("cairn.yaml")));
    try {
      InetSocketAddress a = again.transport().udpAddresses().get(0);
      Message m = new SimpleResolver(a).send(query("www.fx.test.", Type.A));
      assertEquals("192.0.2.80", m.getSection(Section.ANSWER).get(0).rdataToString());
    } finally {
      again.close();
    }
    server =
        ServerFixture.start(dir, Files.readString(dir.resolve("cairn.yaml"))); // for @AfterEach
  }
}
