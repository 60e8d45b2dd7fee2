package org.cairndns.xfr.secondary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.cairndns.zone.LookupResult;
import org.cairndns.zone.master.ZoneFileReader;
import org.cairndns.zone.store.ZoneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * A primary over a real socket sends zones that break the zone rules, whole or as an IXFR step: the
 * secondary refuses each with the rule named and keeps serving (and storing) the version it had; a
 * signed zone, RRSIGs beside every kind of RRset, transfers and serves with its signatures.
 */
class TransferValidationIT {
  static final Name ZONE = Name.fromConstantString("v.test.");
  static final String VALID = "@ IN NS ns\nns IN A 192.0.2.1\nwww IN A 192.0.2.80\n";
  @TempDir Path dir;

  static List<Record> zone(long serial, String body) throws Exception {
    return ZoneFileReader.parse(
        ZONE, "$TTL 300\n@ IN SOA ns hm " + serial + " 3600 60 7200 60\n" + body);
  }

  /**
   * Answers SOA with {@code whole}'s SOA; IXFR with {@code incremental} when set, else like AXFR:
   * the whole zone and its SOA again, three records a message.
   */
  static FakePrimary primary(
      AtomicReference<List<Record>> whole, AtomicReference<List<Record>> incremental)
      throws Exception {
    return new FakePrimary(
        (q, reply) -> {
          List<Record> zone = whole.get();
          int type = q.getQuestion().getType();
          if (type == Type.SOA) {
            reply.send(FakePrimary.response(q, zone.get(0)));
            return;
          }
          boolean axfrStyle = type != Type.IXFR || incremental.get() == null;
          List<Record> answer = new ArrayList<>(axfrStyle ? zone : incremental.get());
          if (axfrStyle) {
            answer.add(zone.get(0));
          }
          List<Message> messages = new ArrayList<>();
          for (int i = 0; i < answer.size(); i += 3) {
            messages.add(
                FakePrimary.response(
                    q, answer.subList(i, Math.min(i + 3, answer.size())).toArray(Record[]::new)));
          }
          reply.send(messages.toArray(Message[]::new));
        });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no NS at the apex    | ns IN A 192.0.2.1 ;; www IN A 192.0.2.80                       | no NS records at the apex",
        "CNAME and A at a name | @ IN NS ns ;; ns IN A 192.0.2.1 ;; www IN CNAME ns ;; www IN A 192.0.2.80 | CNAME at www.v.test. has other data",
        "out-of-zone owner    | @ IN NS ns ;; ns IN A 192.0.2.1 ;; www.other.test. IN A 192.0.2.9 | outside",
        "two SOAs             | @ IN NS ns ;; ns IN A 192.0.2.1 ;; sub IN SOA ns hm 2 3600 60 7200 60 | not at the apex",
        "data below a cut     | @ IN NS ns ;; ns IN A 192.0.2.1 ;; sub IN NS ns.sub ;; x.sub IN TXT hidden | below the delegation",
      })
  void aBrokenZoneIsRefusedAndTheOldVersionServed(String rule, String body, String reason)
      throws Exception {
    AtomicReference<List<Record>> whole = new AtomicReference<>(zone(1, VALID));
    try (FakePrimary fake = primary(whole, new AtomicReference<>());
        PrimaryPool pool = new PrimaryPool(1, 4, 2000);
        ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ZoneRefresherIT.ServingPublisher publisher = new ZoneRefresherIT.ServingPublisher();
      ZoneRefresher refresher = refresher(fake, pool, store, publisher);
      refresher.handle(ZoneRefresher.Event.REFRESH);
      assertEquals(1, publisher.served.serial());

      whole.set(zone(2, body.replace(" ;; ", "\n").trim() + "\n"));
      refresher.handle(ZoneRefresher.Event.REFRESH);
      assertTrue(
          refresher.lastError() != null && refresher.lastError().contains(reason),
          rule + ": " + refresher.lastError());
      assertEquals(1, publisher.served.serial(), rule + ": the old version is still served");
      assertEquals(1, store.soa(ZONE).orElseThrow().getSerial(), rule + ": and still stored");
      assertInstanceOf(
          LookupResult.Answer.class,
          publisher.served.lookup(Name.fromString("www.v.test."), Type.A));

      whole.set(zone(3, VALID + "new IN A 192.0.2.3\n"));
      refresher.handle(ZoneRefresher.Event.REFRESH);
      assertNull(refresher.lastError(), "a valid zone still transfers afterwards");
      assertEquals(3, publisher.served.serial());
    }
  }

  @Test
  void anIncrementalStepThatLeavesABrokenZoneIsRefused() throws Exception {
    AtomicReference<List<Record>> whole = new AtomicReference<>(zone(1, VALID));
    AtomicReference<List<Record>> incremental = new AtomicReference<>();
    try (FakePrimary fake = primary(whole, incremental);
        PrimaryPool pool = new PrimaryPool(1, 4, 2000);
        ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ZoneRefresherIT.ServingPublisher publisher = new ZoneRefresherIT.ServingPublisher();
      ZoneRefresher refresher = refresher(fake, pool, store, publisher);
      refresher.handle(ZoneRefresher.Event.REFRESH);
      List<Record> v1 = whole.get();
      List<Record> v2 = zone(2, VALID);
      whole.set(v2);
      // RFC 1995: serial 2, then (serial 1, deleted: the apex NS, serial 2, added: a CNAME beside
      // an A), serial 2
      incremental.set(
          List.of(
              v2.get(0),
              v1.get(0),
              v1.get(1),
              v2.get(0),
              zone(2, "www IN CNAME ns\n").get(1),
              v2.get(0)));
      refresher.handle(ZoneRefresher.Event.REFRESH);
      assertTrue(
          refresher.lastError() != null
              && refresher.lastError().contains("no NS records at the apex"),
          String.valueOf(refresher.lastError()));
      assertTrue(
          refresher.lastError().contains("CNAME at www.v.test. has other data"),
          refresher.lastError());
      assertEquals(1, publisher.served.serial(), "the old version is still served");
      assertEquals(1, store.soa(ZONE).orElseThrow().getSerial(), "and still stored");

      incremental.set(
          List.of(
              v2.get(0), v1.get(0), v2.get(0), zone(2, "new IN A 192.0.2.3\n").get(1), v2.get(0)));
      refresher.handle(ZoneRefresher.Event.REFRESH);
      assertNull(refresher.lastError(), "a valid step still applies");
      assertEquals("incremental", refresher.lastTransfer());
      assertEquals(2, publisher.served.serial());
    }
  }

  @Test
  void aSignedZoneTransfersAndServesItsSignatures() throws Exception {
    String sig = " 13 2 %d 20300101000000 20200101000000 4711 v.test. AAAA";
    String signed =
        """
        @ 3600 IN RRSIG SOA%1$s
        @ 3600 IN NS ns
        @ 3600 IN RRSIG NS%1$s
        @ IN DNSKEY 257 3 13 AAAA
        @ IN RRSIG DNSKEY%2$s
        @ IN NSEC alias.v.test. NS SOA RRSIG NSEC DNSKEY
        @ IN RRSIG NSEC%2$s
        alias IN CNAME www
        alias IN RRSIG CNAME%2$s
        alias IN NSEC ns.v.test. CNAME RRSIG NSEC
        alias IN RRSIG NSEC%2$s
        ns IN A 192.0.2.1
        ns IN RRSIG A%2$s
        sub IN NS ns.sub
        sub IN DS 4711 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
        sub IN RRSIG DS%2$s
        sub IN NSEC www.v.test. NS DS RRSIG NSEC
        sub IN RRSIG NSEC%2$s
        ns.sub IN A 192.0.2.53
        www IN A 192.0.2.80
        www IN RRSIG A%2$s
        """
            .formatted(sig.formatted(3600), sig.formatted(300));
    List<Record> records =
        ZoneFileReader.parse(ZONE, "$TTL 300\n@ 3600 IN SOA ns hm 5 3600 60 7200 60\n" + signed);
    try (FakePrimary fake = primary(new AtomicReference<>(records), new AtomicReference<>());
        PrimaryPool pool = new PrimaryPool(1, 4, 2000);
        ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ZoneRefresherIT.ServingPublisher publisher = new ZoneRefresherIT.ServingPublisher();
      ZoneRefresher refresher = refresher(fake, pool, store, publisher);
      refresher.handle(ZoneRefresher.Event.REFRESH);
      assertNull(refresher.lastError());
      assertEquals(5, publisher.served.serial());
      assertEquals(records.size(), publisher.served.size());
      RRset ns = publisher.served.rrset(ZONE, Type.NS);
      assertEquals(1, ns.sigs().size(), "RRSIG(NS) served with the NS RRset");
      LookupResult.Cname alias =
          assertInstanceOf(
              LookupResult.Cname.class,
              publisher.served.lookup(Name.fromString("alias.v.test."), Type.A));
      assertEquals("www.v.test.", alias.cname().getTarget().toString());
      RRset ds = publisher.served.rrset(Name.fromString("sub.v.test."), Type.DS);
      assertEquals(1, ds.sigs().size(), "RRSIG(DS) at the cut");
      assertFalse(publisher.served.rrset(Name.fromString("www.v.test."), Type.A).sigs().isEmpty());
    }
  }

  private static ZoneRefresher refresher(
      FakePrimary fake,
      PrimaryPool pool,
      ZoneStore store,
      ZoneRefresherIT.ServingPublisher publisher) {
    return new ZoneRefresher(
        ZONE,
        List.of(fake.tcp()),
        new TransferClient(pool, Duration.ofSeconds(5), null, 2),
        store,
        new ZoneRefresherIT.ManualScheduler(),
        Runnable::run,
        Clock.systemUTC(),
        publisher,
        expired -> {});
  }
}
