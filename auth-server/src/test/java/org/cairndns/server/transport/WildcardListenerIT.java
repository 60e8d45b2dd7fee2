package org.cairndns.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.cairndns.server.CairnServer;
import org.cairndns.server.ServerFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * A listener on a wildcard address answers each query from the address it was sent to: clients send
 * from a connected UDP socket, which takes replies only from that address (as resolvers check), to
 * two loopback addresses (on Linux the whole of 127/8 is the host's). Both the fast path (a
 * ResponseCache hit) and the slow path (a miss, and a TC reply) are checked, and TCP too.
 */
class WildcardListenerIT {
  private static final int TIMEOUT_MILLIS = 3_000;

  @TempDir Path dir;

  @Test
  void ipv4WildcardAnswersFromEachLoopbackAddress() throws Exception {
    try (CairnServer server = start("0.0.0.0:0")) {
      int port = server.transport().udpAddresses().get(0).getPort();
      for (String to : new String[] {"127.0.0.1", "127.0.0.2"}) {
        answeredOverTcpFrom(new InetSocketAddress(InetAddress.getByName(to), port));
      }
      answeredOverUdpFrom(
          server, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), "at-1");
      assumeTrue(
          Epoll.isAvailable(),
          "without epoll a wildcard UDP listener replies from the address the kernel picks");
      answeredOverUdpFrom(
          server, new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port), "at-2");
    }
  }

  /**
   * A query to the loopback broadcast address (127.255.255.255; a LAN's broadcast is alike) reaches
   * the wildcard socket too. It is answered as before, from the address the kernel picks, and no
   * socket is bound on the broadcast address: it would send replies from a broadcast source.
   */
  @Test
  void aQueryToABroadcastAddressIsAnsweredFromTheWildcardSocket() throws Exception {
    try (CairnServer server = start("0.0.0.0:0")) {
      int port = server.transport().udpAddresses().get(0).getPort();
      InetAddress broadcast = InetAddress.getByName("127.255.255.255");
      try (DatagramSocket client = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
        client.setBroadcast(true);
        client.setSoTimeout(TIMEOUT_MILLIS);
        for (int i = 0; i < 3; i++) {
          byte[] query = query("www.fx.test.", Type.A).toWire();
          client.send(new DatagramPacket(query, query.length, broadcast, port));
          byte[] buf = new byte[4096];
          DatagramPacket received = new DatagramPacket(buf, buf.length);
          client.receive(received);
          assertEquals(Rcode.NOERROR, new Message(buf).getRcode());
          assertEquals(InetAddress.getByName("127.0.0.1"), received.getAddress());
        }
      }
    }
  }

  @Test
  void ipv6WildcardAnswersFromLoopback() throws Exception {
    InetAddress loopback = InetAddress.getByName("::1");
    assumeTrue(
        NetworkInterface.getByInetAddress(loopback) != null,
        "this host has no IPv6 loopback (::1): the [::] listener is not tested");
    try (CairnServer server = start("\"[::]:0\"")) {
      int port = server.transport().udpAddresses().get(0).getPort();
      answeredOverUdpFrom(server, new InetSocketAddress(loopback, port), "at-ipv6");
      answeredOverTcpFrom(new InetSocketAddress(loopback, port));
      // Epoll's [::] socket takes IPv4 too (dual stack); NIO's may not.
      if (Epoll.isAvailable()) {
        answeredOverUdpFrom(
            server, new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port), "at-ipv4");
      }
    }
  }

  /**
   * The host's other addresses (an interface's, not link-local), asked from the loopback address of
   * their family: from the wildcard socket the reply would leave from the loopback address, the
   * kernel's choice towards the client. These are the addresses bound at start; IPv6 ones are only
   * served right this way, as the destination of an IPv6 datagram is not read.
   */
  @Test
  void wildcardAnswersFromEachInterfaceAddress() throws Exception {
    assumeTrue(
        Epoll.isAvailable(), "without epoll replies leave from the address the kernel picks");
    List<InetAddress> others = new ArrayList<>();
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nif.isUp() && !nif.isLoopback()) {
        for (InetAddress address : Collections.list(nif.getInetAddresses())) {
          if (!address.isLinkLocalAddress()) {
            others.add(InetAddress.getByAddress(address.getAddress()));
          }
        }
      }
    }
    assumeTrue(!others.isEmpty(), "this host has no address but loopback and link-local ones");
    try (CairnServer server = start("\"[::]:0\"")) {
      int port = server.transport().udpAddresses().get(0).getPort();
      for (InetAddress address : others) {
        answeredOverUdpFrom(
            server, new InetSocketAddress(address, port), "at-" + address.getHostAddress());
      }
    }
  }

  /**
   * Queries to more addresses than a wildcard listener binds on demand are still answered; past the
   * bound from the address the kernel picks (127.0.0.1 here), as before.
   */
  @Test
  void addressesBoundOnDemandAreBounded() throws Exception {
    assumeTrue(Epoll.isAvailable(), "addresses are bound on demand on epoll");
    try (CairnServer server = start("0.0.0.0:0")) {
      int port = server.transport().udpAddresses().get(0).getPort();
      int beyond = 0;
      for (int i = 0; i < LocalAddressSockets.MAX_LEARNED + 8; i++) {
        InetAddress to = InetAddress.getByAddress(new byte[] {127, 0, 1, (byte) (i + 1)});
        byte[] reply = new byte[4096];
        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
          client.setSoTimeout(TIMEOUT_MILLIS);
          byte[] query = query("www.fx.test.", Type.A).toWire();
          client.send(new DatagramPacket(query, query.length, to, port));
          DatagramPacket received = new DatagramPacket(reply, reply.length);
          client.receive(received);
          assertEquals(Rcode.NOERROR, new Message(received.getData()).getRcode());
          if (!received.getAddress().equals(to)) {
            beyond++;
          }
        }
      }
      assertEquals(8, beyond, "answered from another address than asked");
    }
  }

  private CairnServer start(String listen) throws Exception {
    StringBuilder large = new StringBuilder();
    for (int i = 0; i < 8; i++) { // eight 200-byte TXT records: over 512 bytes, TC without EDNS
      large.append("large IN TXT \"").append(i).append("x".repeat(199)).append("\"\n");
    }
    Files.writeString(
        dir.resolve("fx.test.zone"),
        ServerFixture.ZONE + "$ORIGIN fx.test.\n* IN A 192.0.2.9\n" + large);
    return ServerFixture.startWith(
        dir,
        """
        database: db/cairn
        listen: [%s]
        zones: [{name: fx.test, file: fx.test.zone}]
        """
            .formatted(listen));
  }

  /**
   * {@code label} names a question of its own (the zone answers any name with a wildcard), so its
   * first asking is a cache miss.
   */
  private static void answeredOverUdpFrom(CairnServer server, InetSocketAddress to, String label)
      throws IOException {
    String name = label.replace('.', '-').replace(':', '-') + ".fx.test.";
    // From 127.0.0.1 (or ::1) to each address, as a resolver on the host would send.
    InetAddress from =
        InetAddress.getByName(to.getAddress() instanceof Inet6Address ? "::1" : "127.0.0.1");
    try (DatagramSocket client = new DatagramSocket(0, from)) {
      client.connect(to);
      client.setSoTimeout(TIMEOUT_MILLIS);
      long cacheBefore = server.queryProcessor().responseCacheBytes();
      Message miss = exchange(client, query(name, Type.A), to);
      assertEquals(Rcode.NOERROR, miss.getRcode(), to + ": " + miss);
      assertTrue(
          server.queryProcessor().responseCacheBytes() > cacheBefore, "the answer was cached");
      Message hit = exchange(client, query(name, Type.A), to);
      assertEquals(Rcode.NOERROR, hit.getRcode(), to + ": " + hit);
      assertEquals(1, hit.getSection(org.xbill.DNS.Section.ANSWER).size());
      Message truncated = exchange(client, query("large.fx.test.", Type.TXT), to);
      assertTrue(truncated.getHeader().getFlag(Flags.TC), to + ": " + truncated);
    }
  }

  /** A connected socket drops datagrams from other addresses: no reply is a timeout. */
  private static Message exchange(DatagramSocket client, Message query, InetSocketAddress to)
      throws IOException {
    byte[] wire = query.toWire();
    client.send(new DatagramPacket(wire, wire.length));
    byte[] buf = new byte[4096];
    DatagramPacket received = new DatagramPacket(buf, buf.length);
    try {
      client.receive(received);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no reply from " + to + " (a reply from another address?)", e);
    }
    assertEquals(to, received.getSocketAddress());
    Message reply = new Message(Arrays.copyOf(buf, received.getLength()));
    assertEquals(query.getHeader().getID(), reply.getHeader().getID());
    return reply;
  }

  private static void answeredOverTcpFrom(InetSocketAddress to) throws IOException {
    try (Socket s = ServerFixture.connect(to)) {
      assertEquals(to, s.getRemoteSocketAddress());
      ServerFixture.writeFrame(s.getOutputStream(), query("www.fx.test.", Type.A).toWire());
      assertEquals(Rcode.NOERROR, ServerFixture.readFrame(s.getInputStream()).getRcode());
    }
  }

  private static Message query(String name, int type) throws IOException {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }
}
