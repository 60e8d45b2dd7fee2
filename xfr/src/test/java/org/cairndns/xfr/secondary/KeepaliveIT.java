package org.cairndns.xfr.secondary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

/** The primary's EDNS keepalive decides whether the secondary reuses its connection. */
class KeepaliveIT {
  static final Name ZONE = Name.fromConstantString("k.test.");

  /** A primary answering SOA queries with the given keepalive (in 100 ms units) on every connection. */
  static Thread primary(ServerSocket server, int keepaliveUnits, AtomicInteger asked, List<Boolean> askedForKeepalive) {
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket c = server.accept();
          Thread conn = new Thread(() -> {
            try (c) {
              DataInputStream in = new DataInputStream(c.getInputStream());
              DataOutputStream out = new DataOutputStream(c.getOutputStream());
              while (true) {
                byte[] req = new byte[in.readUnsignedShort()];
                in.readFully(req);
                Message q = new Message(req);
                asked.incrementAndGet();
                askedForKeepalive.add(q.getOPT() != null && !q.getOPT().getOptions(11).isEmpty());
                Message r = new Message(q.getHeader().getID());
                r.getHeader().setFlag(Flags.QR);
                r.getHeader().setFlag(Flags.AA);
                r.addRecord(q.getQuestion(), Section.QUESTION);
                r.addRecord(new SOARecord(ZONE, DClass.IN, 60, Name.fromString("ns", ZONE), Name.fromString("hm", ZONE), 7, 1, 1, 1, 1), Section.ANSWER);
                r.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new GenericEDNSOption(11,
                    new byte[] {(byte) (keepaliveUnits >> 8), (byte) keepaliveUnits}))), Section.ADDITIONAL);
                byte[] w = r.toWire();
                out.writeShort(w.length);
                out.write(w);
                out.flush();
              }
            } catch (Exception closed) {
              // connection ended
            }
          });
          conn.setDaemon(true);
          conn.start();
        } catch (Exception stopped) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  int connectionsFor(int keepaliveUnits) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
        PrimaryPool pool = new PrimaryPool(2, 16, 2000)) {
      AtomicInteger asked = new AtomicInteger();
      List<Boolean> keepaliveAsked = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      primary(server, keepaliveUnits, asked, keepaliveAsked);
      TransferClient client = new TransferClient(pool, Duration.ofSeconds(5), null);
      PrimarySettings p = PrimarySettings.tcp(new InetSocketAddress("127.0.0.1", server.getLocalPort()), null);
      for (int i = 0; i < 3; i++) {
        assertEquals(7, client.soaSerial(ZONE, p));
      }
      assertEquals(3, asked.get());
      assertTrue(keepaliveAsked.stream().allMatch(b -> b), "every request asks for the keepalive");
      return pool.connectionsOpened();
    }
  }

  @Test
  void aLongKeepaliveKeepsOneConnection() throws Exception {
    assertEquals(1, connectionsFor(3000));
  }

  @Test
  void aZeroKeepaliveMeansANewConnectionEachTime() throws Exception {
    assertEquals(3, connectionsFor(0));
  }
}
