package org.cairndns.tools;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.cairndns.server.CairnServer;
import org.cairndns.xfr.secondary.RetransferRequests;
import org.cairndns.zone.store.ZoneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The control channel of real running servers, through the real `cairn` commands: a primary, and a
 * secondary of it with one zone served, one expired and one whose primary never answers.
 */
class ControlChannelIT {
  @TempDir Path dir;

  static CliRun cairn(String... args) {
    return CliRun.cairn(args);
  }

  /** A zone: refresh an hour, retry 1s, expire {@code expire} seconds. */
  static String zone(String origin, long serial, long expire) {
    return "$ORIGIN "
        + origin
        + ".\n$TTL 300\n@ IN SOA ns hm "
        + serial
        + " 3600 1 "
        + expire
        + " 60\n@ IN NS ns\n"
        + "ns IN A 192.0.2.1\nwww IN A 192.0.2.80\n";
  }

  CairnServer primary(String extra) throws Exception {
    Path p = Files.createDirectories(dir.resolve("primary"));
    Files.writeString(p.resolve("ctl.zone"), zone("ctl.test", 100, 86400));
    Files.writeString(p.resolve("exp.zone"), zone("exp.test", 7, 2));
    return ZoneRetransferIT.start(
        p,
        """
        database: db/cairn
        listen: [127.0.0.1:0]
        zones:
          - {name: ctl.test, file: ctl.zone, allow-transfer: [{address: 127.0.0.1}]%s}
          - {name: exp.test, file: exp.zone, allow-transfer: [{address: 127.0.0.1}]}
        """
            .formatted(extra));
  }

  CairnServer secondary(CairnServer primary, String extra) throws Exception {
    Path s = Files.createDirectories(dir.resolve("secondary"));
    String from =
        "[{address: \"127.0.0.1:"
            + primary.transport().tcpAddresses().get(0).getPort()
            + "\", transport: tcp}]";
    return ZoneRetransferIT.start(
        s,
        """
        database: db/cairn
        listen: [127.0.0.1:0]
        zones:
          - {name: ctl.test, primaries: %s}
          - {name: exp.test, primaries: %s}
          - {name: gone.test, primaries: [{address: "127.0.0.1:1", transport: tcp}]}
        %s
        """
            .formatted(from, from, extra));
  }

  String primaryDb() {
    return dir.resolve("primary/db/cairn").toString();
  }

  String secondaryDb() {
    return dir.resolve("secondary/db/cairn").toString();
  }

  /** The table row of {@code zone}, its cells split on runs of spaces. */
  static List<String> row(String table, String zone) {
    return Arrays.stream(table.split("\n"))
        .filter(l -> l.startsWith(zone + " "))
        .findFirst()
        .map(l -> List.of(l.split(" {2,}")))
        .orElseThrow(() -> new AssertionError("no row for " + zone + " in\n" + table));
  }

  @Test
  void statusAndZoneStatusOfAPrimaryAndASecondary() throws Exception {
    try (CairnServer primary = primary("");
        CairnServer secondary = secondary(primary, "")) {
      InetSocketAddress sec = secondary.transport().udpAddresses().get(0);
      await("ctl.test transferred")
          .atMost(Duration.ofSeconds(30))
          .until(() -> secondary.zoneStatus(Name.fromString("ctl.test.")).serial() == 100);

      CliRun status = cairn("status", "--db", secondaryDb());
      assertEquals(0, status.exit(), status.err());
      assertTrue(status.out().contains("127.0.0.1:" + sec.getPort()), status.out());
      assertTrue(
          status.out().contains(Path.of(secondaryDb()).toAbsolutePath().toString()), status.out());
      assertTrue(status.out().matches("(?s).*zones served\\s+[12].*"), status.out());
      CliRun json = cairn("status", "--db", secondaryDb(), "--json");
      assertTrue(
          json.out().contains("\"listeners\":{\"udp\":[\"127.0.0.1:" + sec.getPort() + "\"]"),
          json.out());
      assertTrue(json.out().contains("\"tls\":null"), json.out());

      await("exp.test expires 2s after its transfer")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  row(cairn("zone", "status", "--db", secondaryDb()).out(), "exp.test.")
                      .get(2)
                      .equals("expired"));
      String table = cairn("zone", "status", "--db", secondaryDb()).out();
      List<String> ctl = row(table, "ctl.test.");
      assertEquals(
          List.of("ctl.test.", "secondary", "served", "100", "100"), ctl.subList(0, 5), table);
      assertTrue(
          ctl.contains("127.0.0.1:" + primary.transport().tcpAddresses().get(0).getPort()), table);
      assertTrue(ctl.contains("TCP"), table);
      List<String> gone = row(table, "gone.test.");
      assertEquals(
          List.of("gone.test.", "secondary", "not transferred yet", "-", "-"),
          gone.subList(0, 5),
          table);
      assertTrue(
          gone.get(gone.size() - 1).contains("127.0.0.1:1"),
          "its last error names the primary: " + table);

      String one = cairn("zone", "status", "ctl.test", "--db", secondaryDb(), "--json").out();
      assertTrue(
          one.contains(
              "\"zone\":\"ctl.test.\",\"role\":\"secondary\",\"state\":\"served\",\"serial_served\":100"),
          one);
      assertTrue(one.contains("\"expires\":\"20"), "a served secondary has an expiry time: " + one);
      assertFalse(one.contains("exp.test"), one);

      List<String> primaryRow =
          row(cairn("zone", "status", "--db", primaryDb()).out(), "ctl.test.");
      assertEquals(
          List.of("ctl.test.", "primary", "served", "100", "100"), primaryRow.subList(0, 5));

      CliRun unknown = cairn("zone", "status", "nothere.test", "--db", secondaryDb());
      assertEquals(1, unknown.exit());
      assertTrue(unknown.err().contains("zone nothere.test. is not served here"), unknown.err());
    }
  }

  @Test
  void refreshChecksNowAndRetransferAndNotifyStart() throws Exception {
    try (DatagramSocket notified = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      notified.setSoTimeout(15_000);
      String notify = ", notify: [\"127.0.0.1:" + notified.getLocalPort() + "\"]";
      try (CairnServer primary = primary(notify);
          CairnServer secondary = secondary(primary, "")) {
        assertEquals(
            100,
            receiveAndAnswerNotify(notified),
            "the primary's first version is announced at start");
        await("ctl.test transferred")
            .atMost(Duration.ofSeconds(30))
            .until(() -> secondary.zoneStatus(Name.fromString("ctl.test.")).serial() == 100);

        CliRun sent = cairn("zone", "notify", "ctl.test", "--db", primaryDb());
        assertEquals(0, sent.exit(), sent.err());
        assertEquals(
            100,
            receiveAndAnswerNotify(notified),
            "cairn zone notify announces the version served");
        CliRun nothing = cairn("zone", "notify", "exp.test", "--db", primaryDb());
        assertEquals(1, nothing.exit());
        assertTrue(nothing.err().contains("no notify targets"), nothing.err());

        // A new version on the primary, which tells nobody but the test's socket: the secondary,
        // an hour from its next check, takes it because it is asked to check now.
        Path v101 = dir.resolve("primary/ctl101.zone");
        Files.writeString(v101, zone("ctl.test", 101, 86400));
        assertEquals(
            0,
            cairn("zone", "load", "--db", primaryDb(), "--origin", "ctl.test", v101.toString())
                .exit());
        primary.refreshNow();
        assertEquals(101, receiveAndAnswerNotify(notified));
        assertEquals(100, secondary.zoneStatus(Name.fromString("ctl.test.")).serial());
        CliRun refresh = cairn("zone", "refresh", "ctl.test", "--db", secondaryDb());
        assertEquals(0, refresh.exit(), refresh.err());
        assertTrue(refresh.out().contains("SOA check started"), refresh.out());
        await("refreshed to 101")
            .atMost(Duration.ofSeconds(30))
            .until(() -> secondary.zoneStatus(Name.fromString("ctl.test.")).serial() == 101);
        assertEquals(
            "incremental", secondary.zoneStatus(Name.fromString("ctl.test.")).lastTransfer());

        CliRun retransfer = cairn("zone", "retransfer", "ctl.test", "--db", secondaryDb());
        assertEquals(0, retransfer.exit(), retransfer.err());
        assertTrue(retransfer.out().contains("full transfer started"), retransfer.out());
        await("a full transfer at the same serial")
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    "full"
                        .equals(secondary.zoneStatus(Name.fromString("ctl.test.")).lastTransfer()));

        CliRun ofPrimary = cairn("zone", "refresh", "ctl.test", "--db", primaryDb());
        assertEquals(1, ofPrimary.exit());
        assertTrue(ofPrimary.err().contains("is a primary here"), ofPrimary.err());
      }
    }
  }

  static long servedSerial(InetSocketAddress server, String zone) throws Exception {
    Message r =
        new SimpleResolver(server)
            .send(Message.newQuery(Record.newRecord(Name.fromString(zone), Type.SOA, DClass.IN)));
    return r.getRcode() == Rcode.NOERROR
        ? ((SOARecord) r.getSection(Section.ANSWER).get(0)).getSerial()
        : -1;
  }

  /**
   * Receives one NOTIFY, answers it (so it is not sent again) and returns the serial it announced.
   */
  static long receiveAndAnswerNotify(DatagramSocket socket) throws Exception {
    DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
    socket.receive(packet);
    Message notify = new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
    assertEquals(Opcode.NOTIFY, notify.getHeader().getOpcode());
    Message answer = new Message(notify.getHeader().getID());
    answer.getHeader().setOpcode(Opcode.NOTIFY);
    answer.getHeader().setFlag(Flags.QR);
    answer.addRecord(notify.getQuestion(), Section.QUESTION);
    byte[] wire = answer.toWire();
    socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
    return ((SOARecord) notify.getSection(Section.ANSWER).get(0)).getSerial();
  }

  @Test
  void theSocketIsTheOwnersAloneAndAnOversizedRequestIsRefused() throws Exception {
    try (CairnServer primary = primary("")) {
      Path socket = Path.of(primaryDb() + ".ctl");
      assertEquals(socket.toAbsolutePath(), primary.control().path());
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(
              Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)));
      assertEquals(
          Epoll.isAvailable(), !Files.isRegularFile(socket), "a socket where epoll is available");
      if (Epoll.isAvailable()) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
          c.connect(UnixDomainSocketAddress.of(socket));
          byte[] big = new byte[4000];
          Arrays.fill(big, (byte) 'a');
          c.write(ByteBuffer.wrap(big));
          ByteBuffer reply = ByteBuffer.allocate(4096);
          while (c.read(reply) >= 0) {
            // to the end: the server closes after its one reply
          }
          String text = new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8);
          assertTrue(text.contains("\"error\":\"request longer than 1024 bytes\""), text);
        }
      }
      CliRun after = cairn("status", "--db", primaryDb());
      assertEquals(0, after.exit(), "the server keeps serving: " + after.err());
      assertEquals(100, servedSerial(primary.transport().udpAddresses().get(0), "ctl.test."));
    }
    assertFalse(Files.exists(Path.of(primaryDb() + ".ctl")), "removed when the server stops");
  }

  @Test
  void aSocketLeftByACrashedServerIsReplacedAndOneALiveServerAnswersOnIsNot() throws Exception {
    assumeTrue(Epoll.isAvailable(), "the Unix-domain socket needs epoll");
    Path socket = Path.of(primaryDb() + ".ctl");
    Files.createDirectories(socket.getParent());
    try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      live.bind(UnixDomainSocketAddress.of(socket));
      Exception refused = assertThrows(Exception.class, () -> primary("").close());
      assertTrue(
          refused.getMessage().contains("is answered by a running server"), refused.getMessage());
    }
    assertTrue(Files.exists(socket), "closing a Java socket leaves its file, as a crash does");
    try (CairnServer primary = primary("")) {
      assertEquals(socket.toAbsolutePath(), primary.control().path());
      CliRun status = cairn("status", "--db", primaryDb());
      assertEquals(0, status.exit(), status.err());
    }
  }

  @Test
  void overLoopbackTcpTheTokenFileIsOwnerOnlyAndAWrongTokenIsRefused() throws Exception {
    try (CairnServer primary = primary("");
        CairnServer secondary = secondary(primary, "control: {listen: \"127.0.0.1:0\"}")) {
      Path tokenFile = Path.of(secondaryDb() + ".ctl");
      assertEquals(tokenFile.toAbsolutePath(), secondary.control().path());
      assertTrue(Files.isRegularFile(tokenFile));
      assertEquals(
          "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
      String[] fields = Files.readString(tokenFile).strip().split(" ");
      assertEquals("tcp", fields[0]);
      CliRun status = cairn("zone", "status", "--db", secondaryDb());
      assertEquals(0, status.exit(), status.err());
      assertEquals("secondary", row(status.out(), "ctl.test.").get(1));
      String host = fields[1].substring(0, fields[1].lastIndexOf(':'));
      int port = Integer.parseInt(fields[1].substring(fields[1].lastIndexOf(':') + 1));
      try (SocketChannel c = SocketChannel.open(new InetSocketAddress(host, port))) {
        String wrong = (fields[2].charAt(0) == '0' ? "1" : "0") + fields[2].substring(1);
        c.write(ByteBuffer.wrap((wrong + " status\n").getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer reply = ByteBuffer.allocate(4096);
        while (c.read(reply) >= 0) {
          // to the end
        }
        String text = new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8);
        assertEquals("{\"error\":\"bad token\"}\n", text);
      }
    }
  }

  @Test
  void withNoServerTheCommandsSaySoAndRetransferLeavesItsRequestInTheStore() throws Exception {
    String db = dir.resolve("idle/cairn").toString();
    CliRun status = cairn("status", "--db", db);
    assertEquals(1, status.exit());
    assertTrue(status.err().contains("no server is running on store " + db), status.err());
    CliRun zoneStatus = cairn("zone", "status", "--db", db);
    assertEquals(1, zoneStatus.exit());
    assertTrue(zoneStatus.err().contains("no server is running"), zoneStatus.err());

    CliRun retransfer = cairn("zone", "retransfer", "some.test", "--db", db);
    assertEquals(0, retransfer.exit(), retransfer.err());
    assertTrue(retransfer.out().contains("no server answered"), retransfer.out());
    assertTrue(
        retransfer
            .err()
            .contains("cairn: no server is running on store " + Path.of(db).toAbsolutePath()),
        retransfer.err());
    try (ZoneStore store = ZoneStore.open(Path.of(db))) {
      assertEquals(
          List.of(Name.fromString("some.test.")),
          List.copyOf(new RetransferRequests(store.database()).take()));
    }
  }
}
