package org.cairndns.xfr.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.tls.PeerIdentity;
import org.cairndns.xfr.acl.TransferPolicy;
import org.cairndns.zone.ZoneSnapshot;
import org.cairndns.zone.master.ZoneFileReader;
import org.cairndns.zone.store.ZoneDiff;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

class TransferServiceTest {
  static final Name ZONE = Name.fromConstantString("x.test.");
  static final Requester LOCAL_TCP =
      Requester.of(new InetSocketAddress("127.0.0.1", 4000), Transport.TCP);

  static String zoneText(long serial, int hosts, String extra) {
    StringBuilder sb =
        new StringBuilder(
            "$TTL 300\n@ IN SOA ns hm "
                + serial
                + " 3600 600 86400 60\n@ IN NS ns\nns IN A 192.0.2.1\n");
    for (int i = 0; i < hosts; i++) {
      sb.append("h")
          .append(i)
          .append(" IN A 10.")
          .append(i >> 16)
          .append('.')
          .append((i >> 8) & 255)
          .append('.')
          .append(i & 255)
          .append('\n');
    }
    return sb.append(extra).toString();
  }

  static List<Record> parse(String text) throws Exception {
    return ZoneFileReader.parse(ZONE, text);
  }

  static TransferSettings settings(
      int size, int perMessage, int perAddress, TransferPolicy policy, Map<Name, TSIG> keys) {
    return new TransferSettings(
        size, perMessage, 10, perAddress, Duration.ofMillis(200), Map.of(ZONE, policy), keys);
  }

  static TransferPolicy allowLocal() {
    return new TransferPolicy(
        List.of(
            new TransferPolicy.Entry(TransferPolicy.Cidr.parse("127.0.0.0/8"), null, null, null)),
        Set.of(Transport.TCP, Transport.TLS));
  }

  static Message request(int type) throws Exception {
    return Message.newQuery(Record.newRecord(ZONE, type, DClass.IN));
  }

  static List<Message> drain(Iterator<byte[]> it) throws Exception {
    List<Message> out = new ArrayList<>();
    while (it.hasNext()) {
      out.add(new Message(it.next()));
    }
    return out;
  }

  static List<Record> answers(List<Message> messages) {
    List<Record> out = new ArrayList<>();
    messages.forEach(m -> out.addAll(m.getSection(Section.ANSWER)));
    return out;
  }

  @Test
  void axfrOfALargeZoneSplitsIntoMessagesWithinTheLimit() throws Exception {
    ZoneSnapshot snap = ZoneSnapshot.build(ZONE, parse(zoneText(5, 100_000, "")));
    TransferService service =
        new TransferService(
            n -> snap, (z, s) -> Optional.empty(), settings(16_000, 0, 2, allowLocal(), Map.of()));
    Message q = request(Type.AXFR);
    q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    Iterator<byte[]> it = service.respond(q, q.toWire(), LOCAL_TCP);
    List<Message> messages = new ArrayList<>();
    while (it.hasNext()) {
      byte[] wire = it.next();
      assertTrue(wire.length <= 16_000, "message of " + wire.length + " bytes");
      messages.add(new Message(wire));
    }
    assertTrue(messages.size() > 50);
    List<Record> records = answers(messages);
    assertEquals(Type.SOA, records.get(0).getType());
    assertEquals(Type.SOA, records.get(records.size() - 1).getType());
    assertEquals(snap.size() + 1, records.size());
    Set<String> unique = new HashSet<>();
    records
        .subList(0, records.size() - 1)
        .forEach(r -> assertTrue(unique.add(r.toString()), "twice: " + r));
    for (Message m : messages) {
      assertTrue(m.getOPT() != null, "OPT on every message when the request had it");
      assertEquals(q.getHeader().getID(), m.getHeader().getID());
    }
    assertEquals(1, messages.get(0).getSection(Section.QUESTION).size());
    assertEquals(0, messages.get(1).getSection(Section.QUESTION).size());
  }

  @Test
  void recordsPerMessageCap() throws Exception {
    ZoneSnapshot snap = ZoneSnapshot.build(ZONE, parse(zoneText(5, 10, "")));
    TransferService service =
        new TransferService(
            n -> snap, (z, s) -> Optional.empty(), settings(65_000, 1, 2, allowLocal(), Map.of()));
    Message q = request(Type.AXFR);
    List<Message> messages = drain(service.respond(q, q.toWire(), LOCAL_TCP));
    assertEquals(snap.size() + 1, messages.size());
  }

  /**
   * A journal failing unexpectedly still gets the whole zone sent, and is logged with its stack.
   */
  @Test
  void anUnexpectedJournalFailureSendsTheWholeZoneAndIsLoggedWithItsStack() throws Exception {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(TransferService.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      ZoneSnapshot snap = ZoneSnapshot.build(ZONE, parse(zoneText(3, 20, "")));
      TransferService service =
          new TransferService(
              n -> snap,
              (z, s) -> {
                throw new IllegalStateException("a bug in the journal");
              },
              settings(65_000, 0, 2, allowLocal(), Map.of()));
      List<Record> answers =
          answers(
              drain(
                  service.respond(
                      TransferServiceJournalIT.ixfr(1),
                      TransferServiceJournalIT.ixfr(1).toWire(),
                      LOCAL_TCP)));
      assertEquals(snap.size() + 1, answers.size(), "the whole zone");
      ch.qos.logback.classic.spi.ILoggingEvent failed =
          lines.list.stream()
              .filter(e -> e.getFormattedMessage().contains("event=journal-read-failed"))
              .findFirst()
              .orElseThrow();
      assertEquals(
          "a bug in the journal",
          failed.getThrowableProxy().getMessage(),
          failed.getFormattedMessage());
    } finally {
      logger.detachAppender(lines);
    }
  }

  /**
   * A difference with more records than the zone (a re-signing replaces every RRSIG) goes as the
   * whole zone, as BIND's max-ixfr-ratio 100% does; one of at most the zone's size stays
   * incremental.
   */
  @Test
  void ixfrLargerThanTheZoneIsSentAsTheWholeZone() throws Exception {
    List<Record> before = parse(zoneText(1, 20, ""));
    String changedText = zoneText(2, 0, "");
    for (int i = 0; i < 20; i++) {
      changedText += "h" + i + " IN A 10.9.0." + i + "\n";
    }
    List<Record> changed = parse(changedText);
    ZoneSnapshot snap = ZoneSnapshot.build(ZONE, changed);
    ZoneDiff everything = ZoneDiff.between((SOARecord) before.get(0), before, snap.soa(), changed);
    assertEquals(40, everything.deleted().size() + everything.added().size());
    TransferService whole =
        new TransferService(
            n -> snap,
            (z, s) -> Optional.of(List.of(everything)),
            settings(65_000, 0, 2, allowLocal(), Map.of()));
    Message q = TransferServiceJournalIT.ixfr(1);
    List<Record> answers = answers(drain(whole.respond(q, q.toWire(), LOCAL_TCP)));
    assertEquals(snap.size() + 1, answers.size(), "40 changes to a 23-record zone: the zone");

    List<Record> half = new ArrayList<>(before.subList(0, before.size() - 10));
    half.set(0, snap.soa());
    half.addAll(changed.subList(changed.size() - 10, changed.size()));
    ZoneSnapshot halfSnap = ZoneSnapshot.build(ZONE, half);
    ZoneDiff some = ZoneDiff.between((SOARecord) before.get(0), before, snap.soa(), half);
    assertEquals(20, some.deleted().size() + some.added().size());
    TransferService incremental =
        new TransferService(
            n -> halfSnap,
            (z, s) -> Optional.of(List.of(some)),
            settings(65_000, 0, 2, allowLocal(), Map.of()));
    List<Record> diff = answers(drain(incremental.respond(q, q.toWire(), LOCAL_TCP)));
    assertEquals(20 + 4, diff.size(), "20 changes to a 23-record zone: incremental");
  }

  /**
   * Two SOAs in AUTHORITY: the first is the client's serial, as for IXFR over UDP (IxfrRequest).
   */
  @Test
  void ixfrWithTwoSoasReadsTheFirstAsTheClientSerial() throws Exception {
    ZoneSnapshot snap = ZoneSnapshot.build(ZONE, parse(zoneText(5, 20, "")));
    TransferService service =
        new TransferService(
            n -> snap, (z, s) -> Optional.empty(), settings(65_000, 0, 2, allowLocal(), Map.of()));
    Message q = TransferServiceJournalIT.ixfr(5);
    q.addRecord(IxfrRequestTest.soa(1), Section.AUTHORITY);
    List<Record> answers = answers(drain(service.respond(q, q.toWire(), LOCAL_TCP)));
    assertEquals(
        List.of(snap.soa()),
        answers,
        "current at serial 5: the single SOA, not the whole zone for serial 1");
  }

  @Test
  void aTransferKeepsTheSnapshotItStartedWith() throws Exception {
    AtomicReference<ZoneSnapshot> live =
        new AtomicReference<>(ZoneSnapshot.build(ZONE, parse(zoneText(1, 1000, ""))));
    TransferService service =
        new TransferService(
            n -> live.get(),
            (z, s) -> Optional.empty(),
            settings(4_000, 0, 2, allowLocal(), Map.of()));
    Message q = request(Type.AXFR);
    Iterator<byte[]> it = service.respond(q, q.toWire(), LOCAL_TCP);
    Message first = new Message(it.next());
    live.set(ZoneSnapshot.build(ZONE, parse(zoneText(2, 10, ""))));
    List<Message> rest = drain(it);
    List<Record> all = answers(List.of(first));
    all.addAll(answers(rest));
    assertEquals(1003 + 1, all.size());
    assertEquals(1, ((SOARecord) all.get(all.size() - 1)).getSerial());
  }

  @Test
  void accessControlByAddressTransportAndTlsIdentity() throws Exception {
    ZoneSnapshot snap = ZoneSnapshot.build(ZONE, parse(zoneText(1, 3, "")));
    PeerIdentity secondary = new PeerIdentity("CN=secondary", "pin=");
    TransferPolicy tlsOnly =
        new TransferPolicy(
            List.of(new TransferPolicy.Entry(null, null, "CN=secondary", null)),
            Set.of(Transport.TLS, Transport.TCP));
    TransferService service =
        new TransferService(
            n -> snap, (z, s) -> Optional.empty(), settings(65_000, 0, 2, tlsOnly, Map.of()));
    Message q = request(Type.AXFR);
    q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    InetSocketAddress client = new InetSocketAddress("127.0.0.1", 5000);
    // The identity entry is never satisfied in the clear, even from the same address.
    Message overTcp =
        drain(
                service.respond(
                    q, q.toWire(), new Requester(client, Transport.TCP, Optional.of(secondary))))
            .get(0);
    assertEquals(Rcode.REFUSED, overTcp.getRcode());
    assertEquals(
        ExtendedErrorCodeOption.PROHIBITED,
        ((ExtendedErrorCodeOption) overTcp.getOPT().getOptions(15).get(0)).getErrorCode());
    Message wrongCert =
        drain(
                service.respond(
                    q,
                    q.toWire(),
                    new Requester(
                        client, Transport.TLS, Optional.of(new PeerIdentity("CN=other", "x")))))
            .get(0);
    assertEquals(Rcode.REFUSED, wrongCert.getRcode());
    List<Message> ok =
        drain(
            service.respond(
                q, q.toWire(), new Requester(client, Transport.TLS, Optional.of(secondary))));
    assertEquals(Rcode.NOERROR, ok.get(0).getRcode());

    TransferPolicy xotOnly = new TransferPolicy(allowLocal().entries(), Set.of(Transport.TLS));
    TransferService xot =
        new TransferService(
            n -> snap, (z, s) -> Optional.empty(), settings(65_000, 0, 2, xotOnly, Map.of()));
    Message clear = drain(xot.respond(q, q.toWire(), LOCAL_TCP)).get(0);
    assertEquals(Rcode.REFUSED, clear.getRcode());
    assertEquals(
        ExtendedErrorCodeOption.NOT_SUPPORTED,
        ((ExtendedErrorCodeOption) clear.getOPT().getOptions(15).get(0)).getErrorCode());

    TransferService nobody =
        new TransferService(
            n -> snap,
            (z, s) -> Optional.empty(),
            settings(65_000, 0, 2, TransferPolicy.denyAll(), Map.of()));
    assertEquals(Rcode.REFUSED, drain(nobody.respond(q, q.toWire(), LOCAL_TCP)).get(0).getRcode());
    TransferService unknownZone =
        new TransferService(
            n -> null, (z, s) -> Optional.empty(), settings(65_000, 0, 2, allowLocal(), Map.of()));
    assertEquals(
        Rcode.NOTAUTH, drain(unknownZone.respond(q, q.toWire(), LOCAL_TCP)).get(0).getRcode());
  }

  @Test
  void tsigSignedRequestsGetEverySignedMessageAndBadSignaturesNotauth() throws Exception {
    ZoneSnapshot snap = ZoneSnapshot.build(ZONE, parse(zoneText(1, 3000, "")));
    TSIG key = new TSIG("hmac-sha256", "xfr-key.", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0");
    TransferPolicy byKey =
        new TransferPolicy(
            List.of(new TransferPolicy.Entry(null, Name.fromString("xfr-key."), null, null)),
            Set.of(Transport.TCP));
    TransferService service =
        new TransferService(
            n -> snap,
            (z, s) -> Optional.empty(),
            settings(8_000, 0, 2, byKey, Map.of(Name.fromString("xfr-key."), key)));
    Message q = request(Type.AXFR);
    q.setTSIG(key);
    byte[] wire = q.toWire(65_535); // dnsjava signs in toWire(maxLength)
    Message signed = new Message(wire);
    TSIG.StreamVerifier verifier = new TSIG.StreamVerifier(key, signed.getTSIG());
    Iterator<byte[]> it = service.respond(signed, wire, LOCAL_TCP);
    int messages = 0;
    while (it.hasNext()) {
      byte[] m = it.next();
      Message parsed = new Message(m);
      assertTrue(parsed.getTSIG() != null, "signed: " + parsed);
      assertEquals(Rcode.NOERROR, verifier.verify(parsed, m), "message " + messages);
      messages++;
    }
    assertTrue(messages > 3);
    TSIG wrong = new TSIG("hmac-sha256", "xfr-key.", "d3Jvbmd3cm9uZ3dyb25nd3Jvbmd3cm9uZ3dyb25n");
    Message forged = request(Type.AXFR);
    forged.setTSIG(wrong);
    byte[] fw = forged.toWire(65_535);
    Message notauth = drain(service.respond(new Message(fw), fw, LOCAL_TCP)).get(0);
    assertEquals(Rcode.NOTAUTH, notauth.getRcode());
    Message unsigned = request(Type.AXFR);
    assertEquals(
        Rcode.REFUSED,
        drain(service.respond(unsigned, unsigned.toWire(), LOCAL_TCP)).get(0).getRcode());
  }

  @Test
  void overTheLimitWaitsThenServfailAndClosingReleases() throws Exception {
    ZoneSnapshot snap = ZoneSnapshot.build(ZONE, parse(zoneText(1, 3000, "")));
    TransferService service =
        new TransferService(
            n -> snap, (z, s) -> Optional.empty(), settings(4_000, 0, 1, allowLocal(), Map.of()));
    Message q = request(Type.AXFR);
    Iterator<byte[]> first = service.respond(q, q.toWire(), LOCAL_TCP);
    first.next(); // holds the only per-address slot
    long started = System.nanoTime();
    Message refused = drain(service.respond(q, q.toWire(), LOCAL_TCP)).get(0);
    assertEquals(Rcode.SERVFAIL, refused.getRcode());
    assertTrue(System.nanoTime() - started >= 150_000_000L, "waited for a slot first");
    ((AutoCloseable) first).close(); // a dropped connection releases its slot
    List<Message> after = drain(service.respond(q, q.toWire(), LOCAL_TCP));
    assertEquals(Rcode.NOERROR, after.get(0).getRcode());
    Requester other = Requester.of(new InetSocketAddress("127.0.0.2", 4000), Transport.TCP);
    assertEquals(Rcode.NOERROR, drain(service.respond(q, q.toWire(), other)).get(0).getRcode());
  }

  /** 40,000 refused requests for names and from addresses of the requester's choosing. */
  @Test
  void denialsRememberedAsLoggedStayBounded() throws Exception {
    ZoneSnapshot snap = ZoneSnapshot.build(ZONE, parse(zoneText(1, 10, "")));
    TSIG key = new TSIG("hmac-sha256", "xfr-key.", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0");
    TSIG forged = new TSIG("hmac-sha256", "xfr-key.", "d3Jvbmd3cm9uZ3dyb25nd3Jvbmd3cm9uZ3dyb25n");
    TransferService service =
        new TransferService(
            n -> snap,
            (z, s) -> Optional.empty(),
            settings(4_000, 0, 2, allowLocal(), Map.of(Name.fromString("xfr-key."), key)));
    for (int i = 0; i < 40_000; i++) {
      Message q =
          Message.newQuery(
              Record.newRecord(
                  Name.fromString("n" + i + ".attacker-chosen.test."), Type.AXFR, DClass.IN));
      q.setTSIG(forged);
      byte[] wire = q.toWire(65_535);
      Requester from =
          Requester.of(
              new InetSocketAddress("10.0." + (i >> 8 & 255) + "." + (i & 255), 4000),
              Transport.TCP);
      assertEquals(
          Rcode.NOTAUTH, drain(service.respond(new Message(wire), wire, from)).get(0).getRcode());
    }
    assertTrue(
        service.denialsRemembered() <= TransferService.DENIALS_REMEMBERED,
        service.denialsRemembered() + " remembered");
  }

  /** Transfers to many client addresses leave no per-address entry behind once they end. */
  @Test
  void perAddressSlotsOfFinishedTransfersAreForgotten() throws Exception {
    ZoneSnapshot snap = ZoneSnapshot.build(ZONE, parse(zoneText(1, 10, "")));
    TransferPolicy anyone =
        new TransferPolicy(
            List.of(
                new TransferPolicy.Entry(
                    TransferPolicy.Cidr.parse("10.0.0.0/8"), null, null, null)),
            Set.of(Transport.TCP));
    TransferService service =
        new TransferService(
            n -> snap, (z, s) -> Optional.empty(), settings(4_000, 0, 2, anyone, Map.of()));
    Message q = request(Type.AXFR);
    Iterator<byte[]> held =
        service.respond(
            q, q.toWire(), Requester.of(new InetSocketAddress("10.1.0.1", 4000), Transport.TCP));
    held.next();
    for (int i = 0; i < 5_000; i++) {
      Requester from =
          Requester.of(
              new InetSocketAddress("10.0." + (i >> 8 & 255) + "." + (i & 255), 4000),
              Transport.TCP);
      Iterator<byte[]> transfer = service.respond(q, q.toWire(), from);
      assertEquals(Rcode.NOERROR, drain(transfer).get(0).getRcode());
      ((AutoCloseable) transfer).close();
    }
    assertEquals(1, service.addressesTracked(), "only the transfer still running");
    ((AutoCloseable) held).close();
    assertEquals(0, service.addressesTracked());
  }
}
