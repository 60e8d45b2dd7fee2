package org.cairndns.xfr.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

class NotifySenderTest {
  @Test
  void nsTargetsAreTheInZoneAddressesOfTheNameServersButTheSoaMname() throws Exception {
    org.cairndns.zone.ZoneSnapshot zone = org.cairndns.zone.ZoneSnapshot.build(Name.fromString("n.test."),
        org.cairndns.zone.master.ZoneFileReader.parse(Name.fromString("n.test."), """
            $TTL 300
            @ IN SOA ns1 hm 1 1 1 1 1
            @ IN NS ns1
            @ IN NS ns2
            @ IN NS ns.elsewhere.test.
            ns1 IN A 192.0.2.1
            ns2 IN A 192.0.2.2
            ns2 IN AAAA 2001:db8::2
            """));
    assertEquals(List.of(new InetSocketAddress("192.0.2.2", 53), new InetSocketAddress("2001:db8::2", 53)),
        NotifySender.nsTargets(zone));
  }

  @Test
  void retriesUntilTheSecondaryAcknowledges() throws Exception {
    SOARecord soa = new SOARecord(Name.fromString("n.test."), DClass.IN, 300, Name.fromString("ns.n.test."),
        Name.fromString("hm.n.test."), 7, 1, 1, 1, 1);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (DatagramSocket secondary = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      secondary.setSoTimeout(10_000);
      new NotifySender(scheduler, Duration.ofMillis(100), 5)
          .notifyAll(soa, List.of((InetSocketAddress) secondary.getLocalSocketAddress()), null);
      List<Message> received = new ArrayList<>();
      byte[] buf = new byte[512];
      for (int i = 0; i < 2; i++) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        secondary.receive(p);
        Message m = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
        received.add(m);
        if (i == 1) { // ignore the first, acknowledge the second
          Message ack = new Message(m.getHeader().getID());
          ack.getHeader().setOpcode(Opcode.NOTIFY);
          ack.getHeader().setFlag(Flags.QR);
          ack.getHeader().setFlag(Flags.AA);
          byte[] w = ack.toWire();
          secondary.send(new DatagramPacket(w, w.length, p.getSocketAddress()));
        }
      }
      for (Message m : received) {
        assertEquals(Opcode.NOTIFY, m.getHeader().getOpcode());
        assertTrue(m.getHeader().getFlag(Flags.AA));
        assertEquals(7, ((SOARecord) m.getSection(Section.ANSWER).get(0)).getSerial());
      }
      secondary.setSoTimeout(700);
      boolean more = true;
      try {
        secondary.receive(new DatagramPacket(buf, buf.length));
      } catch (java.net.SocketTimeoutException expected) {
        more = false;
      }
      assertTrue(!more, "no NOTIFY after the acknowledgement");
    } finally {
      scheduler.shutdownNow();
    }
  }
}
