package org.cairndns.xfr.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.xfr.notify.NotifySender;
import org.cairndns.xfr.secondary.FakePrimary;
import org.cairndns.xfr.secondary.PrimaryPool;
import org.cairndns.xfr.secondary.PrimarySettings;
import org.cairndns.xfr.secondary.TransferClient;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.master.ZoneFileReader;
import org.cairndns.zone.master.ZoneValidator;
import org.cairndns.zone.store.ZoneStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Zone owners over a real store: what the store poll, a zone file and NOTIFY do to a zone, one
 * event at a time.
 */
class ZoneOwnersIT {
  static final Name ZONE = Name.fromConstantString("owned.test.");
  static final String VERSION =
      "$TTL 300\n@ IN SOA ns hm %d 3600 60 7200 60\n@ IN NS ns\nns IN A 192.0.2.1\n";
  @TempDir Path dir;
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final ch.qos.logback.classic.Logger ownerLog =
      (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(ZoneOwner.class);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

  @BeforeEach
  void recordLog() {
    lines.start();
    ownerLog.addAppender(lines);
  }

  @AfterEach
  void stop() {
    ownerLog.detachAppender(lines);
    pool.shutdownNow();
  }

  private static List<Record> version(long serial) throws Exception {
    return ZoneFileReader.parse(ZONE, VERSION.formatted(serial));
  }

  /** The serials of the "published" lines logged, in order. */
  private List<String> published() {
    return lines.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains("event=published"))
        .map(m -> m.replaceAll(".* serial=(\\d+) .*", "$1"))
        .toList();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void theStorePollPublishesEachStoredVersionOnceAndWaitsForTheZonesRunningEvent()
      throws Exception {
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ZoneSet zones = new ZoneSet();
      ZoneOwners owners = new ZoneOwners(store, zones, pool, true);
      store.load(ZONE, version(1), "t", false);
      owners.poll().get(10, TimeUnit.SECONDS);
      assertEquals(
          1, zones.get(ZONE).serial(), "a zone new in the store gets an owner and is served");
      assertEquals(1, owners.status(ZONE).serial());

      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      ZoneOwner owner = owners.owner(ZONE);
      owner
          .events()
          .submit(
              pool,
              () -> { // as a secondary's check holds the zone while it transfers
                held.countDown();
                await(release);
              });
      assertTrue(held.await(5, TimeUnit.SECONDS));
      store.load(ZONE, version(2), "t", false);
      CompletableFuture<Void> first = owners.poll();
      store.load(ZONE, version(3), "t", false);
      CompletableFuture<Void> second = owners.poll();
      assertEquals(
          1, owner.events().waiting(), "polls while one reconciliation waits are that one");
      assertEquals(1, zones.get(ZONE).serial(), "nothing changes the zone while its event runs");
      release.countDown();
      first.get(10, TimeUnit.SECONDS);
      second.get(10, TimeUnit.SECONDS);
      assertEquals(3, zones.get(ZONE).serial());
      assertEquals(List.of("1", "3"), published(), "each version published (and NOTIFY sent) once");

      owners.poll().get(10, TimeUnit.SECONDS);
      assertEquals(List.of("1", "3"), published(), "an unchanged store costs nothing");
      store.delete(ZONE);
      owners.poll().get(10, TimeUnit.SECONDS);
      assertNull(zones.get(ZONE), "gone from the store, no longer served");
      assertEquals(-1, owners.status(ZONE).serial());
    }
  }

  /**
   * The daily reminder reads the expiry found at publish: silent while far, a WARN within the
   * zone's signature-warning, an ERROR once expired; an unsigned zone never logs. The time is
   * passed in, as the server's daily task passes its clock's.
   */
  @Test
  void signaturesCloseToExpiryAreLoggedAgainByTheDailyCheck() throws Exception {
    Name unsigned = Name.fromConstantString("plain.test.");
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      List<Record> signed = new ArrayList<>(version(1));
      signed.addAll(
          ZoneFileReader.parse(
              ZONE,
              """
              @ 300 IN RRSIG SOA 13 2 300 20300101000000 20200101000000 4711 owned.test. AAAA
              ns 300 IN RRSIG A 13 3 300 20290615120000 20200101000000 4711 owned.test. AAAA
              """));
      store.load(ZONE, signed, "t", false);
      store.load(unsigned, ZoneFileReader.parse(unsigned, VERSION.formatted(1)), "t", false);
      ZoneOwners owners = new ZoneOwners(store, new ZoneSet(), pool, false);
      owners.add(
          ZONE, null, new ZoneValidator.Checks(false, Duration.ofDays(10)), NotifyOut.none(), null);
      owners.add(unsigned, null, ZoneValidator.Checks.LENIENT, NotifyOut.none(), null);
      owners.start();
      Instant expires = Instant.parse("2029-06-15T12:00:00Z");
      assertEquals(expires, owners.status(ZONE).earliestSignature().expires());
      assertNull(owners.status(unsigned).earliestSignature());
      lines.list.clear();

      owners.warnOfExpiringSignatures(expires.minus(Duration.ofDays(11)));
      assertEquals(List.of(), lines.list, "not within 10 days yet");
      owners.warnOfExpiringSignatures(expires.minus(Duration.ofDays(9)));
      owners.warnOfExpiringSignatures(expires.plusSeconds(1));
      assertEquals(
          List.of(
              "WARN zone=owned.test. event=signature-expiry-close expires=2029-06-15T12:00:00Z"
                  + " owner=ns.owned.test. type=A within=PT240H",
              "ERROR zone=owned.test. event=signatures-expired expires=2029-06-15T12:00:00Z"
                  + " owner=ns.owned.test. type=A (validators fail the zone until it is re-signed)"),
          lines.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList());
    }
  }

  /**
   * A secondary's check is one of its zone's events: a version loaded into the store while the
   * check transfers waits for it, and the transfer's newer version is what gets published, once.
   */
  @Test
  void aStoreChangeDuringATransferWaitsForItAndEachVersionIsPublishedOnce() throws Exception {
    List<Record> atPrimary = version(2);
    CountDownLatch asked = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    ScheduledExecutorService checks = Executors.newScheduledThreadPool(2);
    try (FakePrimary primary =
            new FakePrimary(
                (q, reply) -> {
                  if (q.getQuestion().getType() == Type.SOA) {
                    reply.send(FakePrimary.response(q, atPrimary.get(0)));
                  } else {
                    asked.countDown();
                    answer.await(); // holds the transfer, and so the zone's event, until the test
                    // says
                    List<Record> axfr = new ArrayList<>(atPrimary);
                    axfr.add(atPrimary.get(0));
                    reply.send(FakePrimary.response(q, axfr.toArray(new Record[0])));
                  }
                });
        ZoneStore store = ZoneStore.open(dir.resolve("db"));
        PrimaryPool primaries = new PrimaryPool(1, 4, 2000)) {
      ZoneSet zones = new ZoneSet();
      ZoneOwners owners = new ZoneOwners(store, zones, pool, false);
      owners.add(
          ZONE,
          null,
          ZoneValidator.Checks.LENIENT,
          NotifyOut.none(),
          new ZoneOwner.Secondary(
              List.of(primary.tcp()),
              new TransferClient(primaries, Duration.ofSeconds(5), null, 2),
              checks,
              Clock.systemUTC()));
      owners.start();
      assertTrue(asked.await(10, TimeUnit.SECONDS), "the first check transfers");
      store.load(ZONE, version(1), "cli", false); // cairn zone load, meanwhile
      CompletableFuture<Void> reconciled = owners.poll();
      assertEquals(
          1, owners.owner(ZONE).events().waiting(), "the store's version waits for the transfer");
      assertEquals(-1, owners.status(ZONE).serial());
      answer.countDown();
      reconciled.get(10, TimeUnit.SECONDS);
      assertEquals(2, zones.get(ZONE).serial());
      assertEquals(2, store.soa(ZONE).orElseThrow().getSerial());
      assertEquals(
          List.of("2"), published(), "the transfer's version, published once; version 1 never was");
      assertEquals("full", owners.status(ZONE).lastTransfer());
      assertNull(owners.status(ZONE).lastError());
      assertTrue(owners.status(ZONE).lastCheck() != null);
      assertEquals(
          org.cairndns.xfr.secondary.ZoneRefresher.Event.REFRESH,
          owners.status(ZONE).next().event(),
          "then the next check after SOA REFRESH");
      owners.stop();
    } finally {
      checks.shutdownNow();
    }
  }

  @Test
  void theZoneFileIsLoadedAtStartAndABadOneLeavesTheStoredVersionServing() throws Exception {
    Path file = dir.resolve("owned.zone");
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      Files.writeString(file, VERSION.formatted(7));
      ZoneSet zones = new ZoneSet();
      ZoneOwners owners = new ZoneOwners(store, zones, pool, false);
      owners.add(ZONE, file, ZoneValidator.Checks.LENIENT, NotifyOut.none(), null);
      owners.start();
      assertEquals(7, zones.get(ZONE).serial());
      assertNull(owners.status(ZONE).lastError());
      assertEquals(
          7,
          store.soa(ZONE).orElseThrow().getSerial(),
          "loaded into the store like cairn zone load");
    }
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      Files.writeString(file, VERSION.formatted(8) + "bad IN A not-an-address\n");
      ZoneSet zones = new ZoneSet();
      ZoneOwners owners = new ZoneOwners(store, zones, pool, false);
      owners.add(ZONE, file, ZoneValidator.Checks.LENIENT, NotifyOut.none(), null);
      owners.start();
      assertEquals(7, zones.get(ZONE).serial(), "the stored version serves");
      assertTrue(
          owners.status(ZONE).lastError() != null, "the file's error is the zone's last error");
      assertEquals(
          org.cairndns.xfr.secondary.ZoneRefresher.State.OK,
          owners.status(ZONE).state(),
          "nothing to refresh");
    }
  }

  /** Holds {@code owner}'s queue with an event until the returned latch is counted down. */
  private CountDownLatch hold(ZoneOwner owner) throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    owner
        .events()
        .submit(
            pool,
            () -> {
              held.countDown();
              await(release);
            });
    assertTrue(held.await(5, TimeUnit.SECONDS));
    return release;
  }

  /**
   * A reload that removes a zone: it stops being served at once, and what its owner was running
   * (here a store version waiting behind a held event) publishes nothing when it ends. The store
   * keeps it.
   */
  @Test
  void aZoneRemovedStopsServingAtOnceAndNothingStillRunningServesItAgain() throws Exception {
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ZoneSet zones = new ZoneSet();
      ZoneOwners owners = new ZoneOwners(store, zones, pool, false);
      store.load(ZONE, version(1), "t", false);
      owners.add(ZONE, null, ZoneValidator.Checks.LENIENT, NotifyOut.none(), null);
      owners.start();
      assertEquals(1, zones.get(ZONE).serial());

      CountDownLatch release = hold(owners.owner(ZONE));
      store.load(ZONE, version(2), "t", false);
      CompletableFuture<Void> reconciled = owners.poll();
      assertTrue(owners.remove(ZONE));
      assertNull(zones.get(ZONE), "withdrawn at once, not after the running event");
      assertNull(owners.status(ZONE));
      release.countDown();
      reconciled.get(10, TimeUnit.SECONDS);
      assertNull(zones.get(ZONE), "the version the owner was about to publish is not served");
      assertEquals(2, store.soa(ZONE).orElseThrow().getSerial(), "the store keeps the zone");
      assertTrue(
          lines.list.stream()
              .anyMatch(e -> e.getFormattedMessage().contains("event=publish-skipped")));
      assertFalse(owners.remove(ZONE), "removed once");
    }
  }

  /**
   * A reload that changes a zone: the new owner's start waits for the old owner's running event,
   * the served version stays published meanwhile, and then the new file is loaded. A reload that
   * keeps the zone reads its file again.
   */
  @Test
  void aChangedZoneIsTakenOverBehindTheOldOwnersEventsAndKeepsServing() throws Exception {
    Path first = dir.resolve("first.zone");
    Path second = dir.resolve("second.zone");
    Files.writeString(first, VERSION.formatted(1));
    Files.writeString(second, VERSION.formatted(2));
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ZoneSet zones = new ZoneSet();
      ZoneOwners owners = new ZoneOwners(store, zones, pool, false);
      owners.add(ZONE, first, ZoneValidator.Checks.LENIENT, NotifyOut.none(), null);
      owners.start();
      assertEquals(1, zones.get(ZONE).serial());

      ZoneOwner old = owners.owner(ZONE);
      CountDownLatch release = hold(old);
      owners.replace(ZONE, second, ZoneValidator.Checks.LENIENT, NotifyOut.none(), null);
      assertNotSame(old, owners.owner(ZONE));
      assertEquals(1, old.events().waiting(), "the new owner's start waits behind the old event");
      assertEquals(1, zones.get(ZONE).serial(), "still served meanwhile");
      release.countDown();
      awaitSerial(zones, 2);

      Files.writeString(second, VERSION.formatted(3));
      owners.rereadFile(ZONE);
      awaitSerial(zones, 3);
    }
  }

  private static void awaitSerial(ZoneSet zones, long serial) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> zones.get(ZONE).serial() == serial);
  }

  /**
   * The zone's file checks reach the file load: TTLs differing inside an RRset warn, or with strict
   * refuse it.
   */
  @Test
  void theZoneFileIsJudgedByTheZonesChecks() throws Exception {
    Path file = dir.resolve("owned.zone");
    Files.writeString(file, VERSION.formatted(7) + "ns 60 IN A 192.0.2.2\n");
    try (ZoneStore store = ZoneStore.open(dir.resolve("strict"))) {
      ZoneOwners owners = new ZoneOwners(store, new ZoneSet(), pool, false);
      owners.add(
          ZONE, file, new ZoneValidator.Checks(true, Duration.ofDays(7)), NotifyOut.none(), null);
      owners.start();
      assertTrue(store.soa(ZONE).isEmpty(), "strict refuses the file");
      assertTrue(
          owners.status(ZONE).lastError().contains("TTL 60 differs from TTL 300"),
          owners.status(ZONE).lastError());
    }
    try (ZoneStore store = ZoneStore.open(dir.resolve("lenient"))) {
      ZoneSet zones = new ZoneSet();
      ZoneOwners owners = new ZoneOwners(store, zones, pool, false);
      owners.add(ZONE, file, ZoneValidator.Checks.LENIENT, NotifyOut.none(), null);
      owners.start();
      assertEquals(
          List.of(300L, 300L),
          zones.get(ZONE).rrset(Name.fromConstantString("ns.owned.test."), Type.A).rrs().stream()
              .map(Record::getTTL)
              .toList(),
          "the first TTL is kept");
      assertTrue(
          lines.list.stream()
              .map(ILoggingEvent::getFormattedMessage)
              .anyMatch(m -> m.contains("event=file-warning") && m.contains("TTL 300 is used")),
          "warned");
    }
  }

  @Test
  void aFileBehindTheStoreIsNotAnErrorAndUnloadedEditsAreAWarning() throws Exception {
    Path file = dir.resolve("owned.zone");
    Files.writeString(file, VERSION.formatted(7));
    ch.qos.logback.classic.Logger driftLog =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(FileDrift.class);
    ListAppender<ILoggingEvent> drift = new ListAppender<>();
    drift.start();
    driftLog.addAppender(drift);
    try {
      long bumped;
      try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
        store.load(ZONE, version(7), "file:" + file, false);
        List<Record> changed = new ArrayList<>(version(7));
        changed.add(ZoneFileReader.parse(ZONE, "$TTL 300\nwww IN A 192.0.2.80\n").get(0));
        bumped = store.load(ZONE, changed, "cli", true).serial(); // cairn zone load --bump-serial
      }
      for (int start = 0; start < 2; start++) { // the same on every restart: INFO, never an error
        try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
          ZoneSet zones = new ZoneSet();
          ZoneOwners owners = new ZoneOwners(store, zones, pool, false);
          owners.add(ZONE, file, ZoneValidator.Checks.LENIENT, NotifyOut.none(), null);
          owners.start();
          assertEquals(bumped, zones.get(ZONE).serial(), "the store's newer version serves");
          assertNull(owners.status(ZONE).lastError());
        }
      }
      assertTrue(
          lines.list.stream().noneMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR),
          lines.list.toString());
      assertEquals(
          2,
          drift.list.stream()
              .filter(
                  e ->
                      e.getLevel() == ch.qos.logback.classic.Level.INFO
                          && e.getFormattedMessage().contains("event=file-behind-store"))
              .count(),
          drift.list.toString());

      // Edited, but with a serial still below the stored one: the edit is not served, and that is
      // said.
      Files.writeString(file, VERSION.formatted(8) + "mail IN A 192.0.2.25\n");
      try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
        ZoneSet zones = new ZoneSet();
        ZoneOwners owners = new ZoneOwners(store, zones, pool, false);
        owners.add(ZONE, file, ZoneValidator.Checks.LENIENT, NotifyOut.none(), null);
        owners.start();
        assertEquals(bumped, zones.get(ZONE).serial());
        assertTrue(
            owners.status(ZONE).lastError().contains("give the file a serial above " + bumped),
            owners.status(ZONE).lastError());
      }
      assertTrue(
          drift.list.stream()
              .anyMatch(
                  e ->
                      e.getLevel() == ch.qos.logback.classic.Level.WARN
                          && e.getFormattedMessage().contains("event=file-not-loaded")),
          drift.list.toString());
    } finally {
      driftLog.detachAppender(drift);
    }
  }

  /** An unexpected failure is logged with its stack (it was one line with the message only). */
  @Test
  void anUnexpectedFailureWhilePublishingIsLoggedWithItsStack() throws Exception {
    ScheduledExecutorService closed = Executors.newSingleThreadScheduledExecutor();
    closed.shutdown(); // NOTIFY out cannot start: a failure nobody expects
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ZoneOwners owners = new ZoneOwners(store, new ZoneSet(), pool, false);
      owners.add(
          ZONE,
          null,
          ZoneValidator.Checks.LENIENT,
          new NotifyOut(
              new NotifySender(closed, Duration.ofSeconds(1), 1),
              List.of(NotifySender.Target.udp(new InetSocketAddress("127.0.0.1", 9))),
              false,
              null),
          null);
      store.load(ZONE, version(1), "t", false);
      owners.start();
      ILoggingEvent failed =
          lines.list.stream()
              .filter(e -> e.getFormattedMessage().contains("event=publish-failed"))
              .findFirst()
              .orElseThrow();
      assertEquals(
          java.util.concurrent.RejectedExecutionException.class.getName(),
          failed.getThrowableProxy().getClassName(),
          failed.getFormattedMessage());
      assertTrue(
          owners.status(ZONE).lastError().startsWith("unexpected"),
          owners.status(ZONE).lastError());
    }
  }

  @Test
  void aNotifyChecksASecondaryWhenItComesFromOneOfItsPrimariesOnly() throws Exception {
    Name secondaryZone = Name.fromConstantString("secondary.test.");
    ScheduledExecutorService checks = Executors.newScheduledThreadPool(1);
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"));
        PrimaryPool primaries = new PrimaryPool(1, 4, 2000)) {
      ZoneOwners owners = new ZoneOwners(store, new ZoneSet(), pool, false);
      owners.add(ZONE, null, ZoneValidator.Checks.LENIENT, NotifyOut.none(), null);
      PrimarySettings primary = PrimarySettings.tcp(new InetSocketAddress("127.0.0.1", 9), null);
      owners.add(
          secondaryZone,
          null,
          ZoneValidator.Checks.LENIENT,
          NotifyOut.none(),
          new ZoneOwner.Secondary(
              List.of(primary),
              new TransferClient(primaries, Duration.ofSeconds(2), null, 2),
              checks,
              Clock.systemUTC()));
      Requester fromPrimary = Requester.of(new InetSocketAddress("127.0.0.1", 5353), Transport.UDP);
      Requester fromStranger =
          Requester.of(new InetSocketAddress("127.0.0.2", 5353), Transport.UDP);
      ch.qos.logback.classic.Logger ownersLog =
          (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(ZoneOwners.class);
      ListAppender<ILoggingEvent> received = new ListAppender<>();
      received.start();
      ownersLog.addAppender(received);
      try {
        assertEquals(Rcode.NOERROR, owners.onNotify(notify(secondaryZone), fromPrimary));
        Message announcing = notify(secondaryZone);
        announcing.addRecord(
            ZoneFileReader.parse(secondaryZone, VERSION.formatted(7)).get(0), Section.ANSWER);
        assertEquals(Rcode.NOERROR, owners.onNotify(announcing, fromPrimary));
        assertEquals(Rcode.REFUSED, owners.onNotify(notify(secondaryZone), fromStranger));
      } finally {
        ownersLog.detachAppender(received);
      }
      assertEquals(
          List.of(
              "zone=secondary.test. event=notify-received from=127.0.0.1 serial=none",
              "zone=secondary.test. event=notify-received from=127.0.0.1 serial=7"),
          received.list.stream().map(ILoggingEvent::getFormattedMessage).toList(),
          "one line for each NOTIFY from a primary, none for the stranger's");
      assertEquals(
          Rcode.NOTAUTH, owners.onNotify(notify(ZONE), fromPrimary), "a primary zone here");
      assertEquals(
          Rcode.NOTAUTH,
          owners.onNotify(notify(Name.fromConstantString("elsewhere.test.")), fromPrimary));
      assertTrue(owners.status(secondaryZone).secondary());
      assertTrue(owners.status(secondaryZone).next() != null, "the NOTIFY scheduled a check");
      owners.stop();
    } finally {
      checks.shutdownNow();
    }
  }

  private static Message notify(Name zone) {
    Message m = Message.newQuery(Record.newRecord(zone, Type.SOA, org.xbill.DNS.DClass.IN));
    m.getHeader().setOpcode(org.xbill.DNS.Opcode.NOTIFY);
    return m;
  }
}
