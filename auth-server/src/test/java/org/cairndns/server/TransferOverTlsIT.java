package org.cairndns.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.cairndns.zone.ZoneSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * XoT (RFC 9103) as primary, end to end: AXFR and IXFR over the real TLS listener, pipelined on one
 * connection and over a resumed TLS session. The transfer logic itself is unit-tested in xfr's
 * TransferServiceTest; plain-TCP pipelining of different zones in CairnServerIT.
 */
class TransferOverTlsIT {
  static final Name ZONE = Name.fromConstantString("xt.test.");

  @TempDir Path dir;
  CairnServer server;
  InetSocketAddress tls;
  SSLContext client;
  AtomicInteger certificatesChecked = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("xt.test.zone"), version(1, "gone IN A 192.0.2.7\n"));
    server =
        ServerFixture.startWith(
            dir,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        tls-listen: [127.0.0.1:0]
        xfr: {message-size: 4096}
        zones: [{name: xt.test, file: xt.test.zone, allow-transfer: [{address: 127.0.0.1}], transfer-transports: [tls]}]
        """);
    tls = server.transport().tlsAddresses().get(0);
    client = ServerFixture.trustingTlsClient(c -> certificatesChecked.incrementAndGet());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** 1,000 hosts: with 4 KB messages a full transfer spans several messages. */
  static String version(long serial, String extra) {
    return ServerFixture.hostsZone("xt.test", serial, 1000, extra);
  }

  /** Serial 1 (from the file) → 2 → 3: the journal holds 1→2 and 2→3. */
  ZoneSnapshot loadVersions2And3() throws Exception {
    server
        .store()
        .load(
            ZONE,
            ServerFixture.parse("xt.test.", version(2, "new1 IN A 192.0.2.8\n")),
            "v2",
            false);
    server
        .store()
        .load(
            ZONE,
            ServerFixture.parse(
                "xt.test.", version(3, "new1 IN A 192.0.2.8\nnew2 IN A 192.0.2.9\n")),
            "v3",
            false);
    server.refreshNow();
    ZoneSnapshot current = server.zones().get(ZONE);
    assertEquals(3, current.serial());
    return current;
  }

  static Message axfr() {
    return Message.newQuery(Record.newRecord(ZONE, Type.AXFR, DClass.IN));
  }

  static Message ixfr(long fromSerial) {
    Message q = Message.newQuery(Record.newRecord(ZONE, Type.IXFR, DClass.IN));
    q.addRecord(
        new SOARecord(
            ZONE,
            DClass.IN,
            300,
            Name.fromConstantString("ns.xt.test."),
            Name.fromConstantString("hm.xt.test."),
            fromSerial,
            1,
            1,
            1,
            1),
        Section.AUTHORITY);
    return q;
  }

  /**
   * Reads one transfer's messages up to its final SOA. After the first SOA, SOAs alternate between
   * the start of a difference sequence and its additions (RFC 1995 §4); an SOA with the first
   * serial where a sequence would start ends the transfer (for AXFR that is the closing SOA).
   */
  static List<Message> readTransfer(InputStream in, Message request) throws IOException {
    List<Message> messages = new ArrayList<>();
    long serial = -1;
    boolean atSequenceStart = true;
    while (true) {
      Message m = ServerFixture.readFrame(in);
      messages.add(m);
      assertEquals(
          request.getHeader().getID(),
          m.getHeader().getID(),
          "a message of another response inside this one");
      assertEquals(Rcode.NOERROR, m.getRcode());
      List<Record> answers = m.getSection(Section.ANSWER);
      for (int i = 0; i < answers.size(); i++) {
        if (!(answers.get(i) instanceof SOARecord soa)) {
          assertTrue(serial >= 0, "the transfer starts with the SOA");
          continue;
        }
        if (serial < 0) {
          serial = soa.getSerial();
        } else if (atSequenceStart && soa.getSerial() == serial) {
          assertEquals(answers.size() - 1, i, "nothing after the final SOA");
          return messages;
        } else {
          atSequenceStart = !atSequenceStart;
        }
      }
    }
  }

  static List<Record> answers(List<Message> messages) {
    List<Record> out = new ArrayList<>();
    messages.forEach(m -> out.addAll(m.getSection(Section.ANSWER)));
    return out;
  }

  /** A whole zone, AXFR-style: its SOA, every record once, the SOA again. */
  static void assertWholeZone(ZoneSnapshot zone, List<Record> records) {
    assertEquals(zone.soa(), records.get(0));
    assertEquals(zone.soa(), records.get(records.size() - 1));
    List<Record> body = records.subList(0, records.size() - 1);
    assertEquals(zone.size(), body.size());
    assertEquals(Set.copyOf(zone.records()), Set.copyOf(body));
  }

  /** 1→3 condensed into one difference sequence: −gone, +new1 +new2. */
  static void assertCondensedFrom1To3(List<Record> records) {
    List<String> shape =
        records.stream()
            .map(
                r ->
                    r instanceof SOARecord s
                        ? "SOA" + s.getSerial()
                        : r.getName() + " " + r.rdataToString())
            .toList();
    assertEquals(List.of("SOA3", "SOA1", "gone.xt.test. 192.0.2.7"), shape.subList(0, 3));
    assertEquals("SOA3", shape.get(3));
    assertEquals(
        Set.of("new1.xt.test. 192.0.2.8", "new2.xt.test. 192.0.2.9"),
        Set.copyOf(shape.subList(4, 6)));
    assertEquals(List.of("SOA3"), shape.subList(6, shape.size()));
  }

  @Test
  void theSameZoneTwiceAndThenIncrementallyPipelinedOnOneConnection() throws Exception {
    ZoneSnapshot zone = loadVersions2And3();
    try (SSLSocket s = ServerFixture.connectTls(client, tls)) {
      List<Message> requests = List.of(axfr(), axfr(), ixfr(1));
      for (Message q : requests) { // all written before any answer is read
        ServerFixture.writeFrame(s.getOutputStream(), q.toWire());
      }
      List<Message> first = readTransfer(s.getInputStream(), requests.get(0));
      List<Message> second = readTransfer(s.getInputStream(), requests.get(1));
      List<Message> incremental = readTransfer(s.getInputStream(), requests.get(2));

      assertTrue(
          first.size() > 3, "the zone spans messages, so interleaving would show: " + first.size());
      assertWholeZone(zone, answers(first));
      assertWholeZone(zone, answers(second));
      assertCondensedFrom1To3(answers(incremental));
      assertEquals(1, certificatesChecked.get(), "one connection, one handshake");
    }
  }

  @Test
  void ixfrIsCondensedFromTheJournalAndAnUnknownSerialGetsTheWholeZone() throws Exception {
    ZoneSnapshot zone = loadVersions2And3();
    try (SSLSocket s = ServerFixture.connectTls(client, tls)) {
      Message fromOne = ixfr(1);
      ServerFixture.writeFrame(s.getOutputStream(), fromOne.toWire());
      assertCondensedFrom1To3(answers(readTransfer(s.getInputStream(), fromOne)));

      Message unknown = ixfr(0); // older than anything in the journal
      ServerFixture.writeFrame(s.getOutputStream(), unknown.toWire());
      List<Record> whole = answers(readTransfer(s.getInputStream(), unknown));
      assertWholeZone(zone, whole);
      assertTrue(
          whole.stream().noneMatch(r -> r instanceof SOARecord soa && soa.getSerial() != 3),
          "AXFR-style, no sequences");
    }
  }

  @Test
  void aResumedTlsSessionCarriesACompleteTransfer() throws Exception {
    ZoneSnapshot zone = server.zones().get(ZONE);
    long firstCreated;
    try (SSLSocket s = ServerFixture.connectTls(client, tls)) {
      Message q = axfr();
      ServerFixture.writeFrame(s.getOutputStream(), q.toWire());
      assertWholeZone(zone, answers(readTransfer(s.getInputStream(), q)));
      firstCreated = s.getSession().getCreationTime();
    }
    // TLS 1.3 tickets arrive after the handshake; the client must have stored one to resume.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> client.getClientSessionContext().getIds().hasMoreElements());
    try (SSLSocket s = ServerFixture.connectTls(client, tls)) {
      // A resumed handshake carries no certificate, so the trust manager is not asked again; the
      // JDK
      // keeps the resumed session's creation time (a full handshake makes a new session). The
      // session ID cannot tell: TLS 1.3 sends a random legacy ID on every connection.
      assertEquals(1, certificatesChecked.get(), "second handshake resumed the session");
      assertEquals(firstCreated, s.getSession().getCreationTime());
      assertEquals("TLSv1.3", s.getSession().getProtocol());
      Message q = axfr();
      ServerFixture.writeFrame(s.getOutputStream(), q.toWire());
      assertWholeZone(zone, answers(readTransfer(s.getInputStream(), q)));
    }
  }
}
