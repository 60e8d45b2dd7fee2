package org.cairndns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;

/**
 * Outgoing NOTIFY as configured ({@code zones[].notify} in both forms, {@code notify-key}), seen by
 * receivers in the test that check the TSIG signature with dnsjava. Retries and reply checks are
 * tested in xfr's NotifySenderIT.
 */
class NotifyIT {
  static final String SECRET = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
  static final TSIG KEY = new TSIG("hmac-sha256", "notify-key.", SECRET);

  @TempDir Path dir;

  /**
   * The zone's NOTIFY goes to a UDP and a TCP secondary, signed with the zone's key, and both
   * acknowledge.
   */
  @Test
  @SuppressWarnings("try") // the primary only has to run while its NOTIFYs are read
  void notifyIsSignedWithTheZonesKeyOverUdpAndTcp() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (DatagramSocket udp = new DatagramSocket(0, loopback);
        ServerSocket tcp = new ServerSocket(0, 5, loopback)) {
      udp.setSoTimeout(10_000);
      tcp.setSoTimeout(10_000);
      try (CairnServer primary =
          ServerFixture.start(
              dir,
              """
          database: db/cairn
          listen: [127.0.0.1:0]
          tsig-keys: [{name: notify-key, secret: "%s"}]
          zones:
            - name: fx.test
              file: fx.test.zone
              notify: ["127.0.0.1:%d", {address: "127.0.0.1:%d", transport: tcp}]
              notify-key: notify-key
          """
                  .formatted(SECRET, udp.getLocalPort(), tcp.getLocalPort()))) {
        byte[] buf = new byte[4096];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        udp.receive(packet); // the first version published at start is notified
        byte[] udpWire = Arrays.copyOf(buf, packet.getLength());
        assertSignedNotifyOfSerial1(udpWire);
        byte[] ack = acknowledgement(new Message(udpWire));
        udp.send(new DatagramPacket(ack, ack.length, packet.getSocketAddress()));

        try (Socket c = tcp.accept()) {
          c.setSoTimeout(10_000);
          byte[] tcpWire = ServerFixture.readFrameWire(c.getInputStream());
          assertSignedNotifyOfSerial1(tcpWire);
          ServerFixture.writeFrame(c.getOutputStream(), acknowledgement(new Message(tcpWire)));
        }
      }
    }
  }

  /**
   * NOTIFYs from a stranger for a secondary zone are refused, and 10,000 of them (spoofable over
   * UDP) cost a few log lines, not one each; queries are answered throughout.
   */
  @Test
  void notifiesFromAStrangerAreRefusedWithRateLimitedLogLines() throws Exception {
    int primaryPort = ServerFixture.freePort(); // nothing listens: the zone stays not ready
    try (CairnServer secondary =
        ServerFixture.start(
            dir,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        zones:
          - {name: fx.test, file: fx.test.zone}
          - {name: sec.test, primaries: [{address: "127.0.0.2:%d", transport: tcp}]}
        """
                .formatted(primaryPort))) {
      java.net.InetSocketAddress udp = secondary.transport().udpAddresses().get(0);
      Message notify =
          Message.newQuery(
              org.xbill.DNS.Record.newRecord(
                  org.xbill.DNS.Name.fromString("sec.test."),
                  org.xbill.DNS.Type.SOA,
                  org.xbill.DNS.DClass.IN));
      notify.getHeader().setOpcode(Opcode.NOTIFY);
      byte[] wire = notify.toWire();
      ch.qos.logback.classic.Logger cairn =
          (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.cairndns");
      ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
          new ch.qos.logback.core.read.ListAppender<>();
      lines.start();
      cairn.addAppender(lines);
      int refused = 0;
      try (DatagramSocket stranger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        stranger.setSoTimeout(2000);
        byte[] buf = new byte[512];
        for (int batch = 0; batch < 200; batch++) {
          for (int i = 0; i < 50; i++) {
            stranger.send(new DatagramPacket(wire, wire.length, udp));
          }
          try {
            for (int i = 0; i < 50; i++) {
              stranger.receive(new DatagramPacket(buf, buf.length));
              assertEquals(Rcode.REFUSED, buf[3] & 0xF);
              refused++;
            }
          } catch (java.net.SocketTimeoutException lostOnLoopback) {
            // a full socket buffer may drop a datagram; the count below allows for it
          }
          if (batch % 40 == 0) {
            assertEquals(
                1, ServerFixture.soaSerial(udp, "fx.test."), "queries answered during the flood");
          }
        }
      } finally {
        cairn.detachAppender(lines);
      }
      assertTrue(refused >= 9_000, refused + " refused");
      long aboutNotify =
          lines.list.stream().filter(e -> e.getFormattedMessage().contains("notify")).count();
      assertTrue(
          aboutNotify <= org.cairndns.log.RateLimitedLog.DEFAULT_LINES + 1,
          aboutNotify + " lines about NOTIFYs");
    }
  }

  static void assertSignedNotifyOfSerial1(byte[] wire) throws Exception {
    Message notify = new Message(wire);
    assertEquals(Opcode.NOTIFY, notify.getHeader().getOpcode());
    assertEquals(1, ((SOARecord) notify.getSection(Section.ANSWER).get(0)).getSerial());
    assertNotNull(notify.getTSIG(), "signed");
    assertEquals(Rcode.NOERROR, KEY.verify(notify, wire, null), "signed with notify-key");
  }

  static byte[] acknowledgement(Message notify) {
    Message ack = new Message(notify.getHeader().getID());
    ack.getHeader().setOpcode(Opcode.NOTIFY);
    ack.getHeader().setFlag(Flags.QR);
    ack.setTSIG(KEY, Rcode.NOERROR, notify.getTSIG());
    return ack.toWire(512);
  }
}
