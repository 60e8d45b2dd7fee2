package org.cairndns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

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
 * unit-tested in xfr's NotifySenderTest.
 */
class NotifyIT {
  static final String SECRET = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
  static final TSIG KEY = new TSIG("hmac-sha256", "notify-key.", SECRET);

  @TempDir Path dir;

  /** The zone's NOTIFY goes to a UDP and a TCP secondary, signed with the zone's key, and both acknowledge. */
  @Test
  void notifyIsSignedWithTheZonesKeyOverUdpAndTcp() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (DatagramSocket udp = new DatagramSocket(0, loopback); ServerSocket tcp = new ServerSocket(0, 5, loopback)) {
      udp.setSoTimeout(10_000);
      tcp.setSoTimeout(10_000);
      try (CairnServer primary = ServerFixture.start(dir, """
          database: db/cairn
          listen: [127.0.0.1:0]
          tsig-keys: [{name: notify-key, secret: "%s"}]
          zones:
            - name: fx.test
              file: fx.test.zone
              notify: ["127.0.0.1:%d", {address: "127.0.0.1:%d", transport: tcp}]
              notify-key: notify-key
          """.formatted(SECRET, udp.getLocalPort(), tcp.getLocalPort()))) {
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
