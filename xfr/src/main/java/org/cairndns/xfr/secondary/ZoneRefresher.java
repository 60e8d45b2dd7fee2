package org.cairndns.xfr.secondary;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.cairndns.zone.StructureChecker;
import org.cairndns.zone.ZoneSnapshot;
import org.cairndns.zone.store.EncodedRecords;
import org.cairndns.zone.store.LoadOutcome;
import org.cairndns.zone.store.Serials;
import org.cairndns.zone.store.ZoneDiff;
import org.cairndns.zone.store.ZoneStore;
import org.cairndns.zone.store.ZoneStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

/**
 * Keeps one secondary zone fresh (RFC 1035 §4.3.5, RFC 1996): a SOA check every REFRESH seconds,
 * every RETRY after a failure, the zone EXPIRED (no longer served) when no check has succeeded for
 * EXPIRE; a NOTIFY from one of the zone's primaries brings the next check forward. A newer serial
 * starts IXFR (AXFR when needed); the result is stored whole through the zone store, or discarded
 * whole. Like NSD's xfrd: states ok, refreshing, expired; one handler per event.
 */
public final class ZoneRefresher {
  private static final Logger log = LoggerFactory.getLogger(ZoneRefresher.class);
  static final Duration FIRST_RETRY = Duration.ofSeconds(10);

  public enum State {
    OK,
    REFRESHING,
    EXPIRED
  }

  /** The timer events; each has one handler. */
  enum Event {
    REFRESH,
    RETRY,
    NOTIFY,
    EXPIRE
  }

  private final Name zone;
  private final List<PrimarySettings> primaries;
  private final TransferClient client;
  private final ZoneStore store;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final VersionPublisher publisher;
  private final Consumer<Boolean> onExpired;
  private volatile State state = State.REFRESHING;
  private volatile String lastError;
  private volatile String lastTransfer;
  private final Object checking = new Object();
  private Instant lastSuccess;
  private ScheduledFuture<?> nextCheck;
  private ScheduledFuture<?> expiry;

  public ZoneRefresher(Name zone, List<PrimarySettings> primaries, TransferClient client, ZoneStore store,
      ScheduledExecutorService scheduler, Clock clock, VersionPublisher publisher, Consumer<Boolean> onExpired) {
    this.zone = zone;
    this.primaries = List.copyOf(primaries);
    this.client = client;
    this.store = store;
    this.scheduler = scheduler;
    this.clock = clock;
    this.publisher = publisher;
    this.onExpired = onExpired;
  }

  public Name zone() {
    return zone;
  }

  public State state() {
    return state;
  }

  /** "full" or "incremental" for the last stored transfer, or null before the first. */
  public String lastTransfer() {
    return lastTransfer;
  }

  /** Why the last check failed, or null when it succeeded. */
  public String lastError() {
    return lastError;
  }

  /** Checks at once; a zone already in the store is served meanwhile (its expiry counts from now). */
  public synchronized void start() {
    lastSuccess = clock.instant();
    currentSoa().ifPresent(soa -> armExpiry(Duration.ofSeconds(soa.getExpire())));
    schedule(Event.REFRESH, Duration.ZERO);
  }

  /** A NOTIFY for this zone: honoured only from one of its primaries' addresses. */
  public boolean onNotify(InetAddress from) {
    for (PrimarySettings p : primaries) {
      if (p.address().getAddress().equals(from)) {
        schedule(Event.NOTIFY, Duration.ZERO);
        return true;
      }
    }
    log.info("zone={} event=notify-ignored from={} reason=\"not a primary of this zone\"", zone, from.getHostAddress());
    return false;
  }

  public synchronized void stop() {
    if (nextCheck != null) {
      nextCheck.cancel(false);
    }
    if (expiry != null) {
      expiry.cancel(false);
    }
  }

  private synchronized void schedule(Event event, Duration delay) {
    if (nextCheck != null) {
      nextCheck.cancel(false);
    }
    nextCheck = scheduler.schedule(() -> handle(event), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  void handle(Event event) {
    switch (event) {
      case REFRESH, RETRY, NOTIFY -> {
        synchronized (checking) { // one check at a time per zone; a NOTIFY during one waits for it
          check(event);
        }
      }
      case EXPIRE -> expire();
    }
  }

  private void check(Event why) {
    Optional<SOARecord> ours = currentSoa();
    if (state != State.EXPIRED) {
      state = State.REFRESHING;
    }
    String lastError = "no primaries";
    for (PrimarySettings p : primaries) {
      try {
        long theirs = client.soaSerial(zone, p);
        if (ours.isEmpty() || Serials.isNewer(theirs, ours.get().getSerial())) {
          long started = System.nanoTime();
          TransferReader.Result result = client.transfer(zone, ours.map(SOARecord::getSerial).orElse(-1L), ours.orElse(null), p);
          store(result, p, (System.nanoTime() - started) / 1_000_000);
        }
        succeeded();
        return;
      } catch (TransferFailure | ZoneStoreException | RuntimeException e) {
        lastError = p.address() + ": " + e.getMessage();
        log.info("zone={} event=refresh-failed trigger={} primary={} error=\"{}\"", zone, why, p.address(), e.getMessage());
      }
    }
    this.lastError = lastError;
    if (state != State.EXPIRED) {
      state = State.OK; // still serving the previous version until expiry
    }
    Duration retry = currentSoa().map(s -> Duration.ofSeconds(s.getRetry())).orElse(FIRST_RETRY);
    log.warn("zone={} event=refresh-retry in={}s error=\"{}\"", zone, retry.toSeconds(), lastError);
    schedule(Event.RETRY, retry);
  }

  /**
   * Commits the transfer's result and serves it. A full transfer arrives with its snapshot already
   * built (as it streamed in); an incremental one is applied to the version served now. The new
   * version is published only once the commit succeeded, so a failed commit leaves the previous
   * version serving.
   */
  private void store(TransferReader.Result result, PrimarySettings p, long transferMillis) throws ZoneStoreException {
    if (result instanceof TransferReader.Result.UpToDate) {
      return;
    }
    long storeStarted = System.nanoTime();
    String source = "xfr:" + p.address().getAddress().getHostAddress() + ":" + p.address().getPort();
    TransferReader.Result.Full full = result instanceof TransferReader.Result.Full f ? f : null;
    publisher.storing(zone);
    boolean published = false;
    LoadOutcome outcome;
    long storedMillis;
    try {
      ZoneSnapshot next;
      if (full != null) {
        next = full.snapshot();
        outcome = storeWhole(next, full.encoded(), source);
      } else {
        List<ZoneDiff> steps = ((TransferReader.Result.Incremental) result).steps();
        next = applied(steps);
        EncodedRecords encoded = new EncodedRecords(next.soa());
        next.forEachRecordAfterSoa(encoded);
        outcome = store.applyDiff(zone, steps, encoded, source);
      }
      storedMillis = transferMillis + (System.nanoTime() - storeStarted) / 1_000_000;
      publisher.publish(next);
      published = true;
    } finally {
      if (!published) {
        publisher.abandoned(zone); // the store alone says what is current again
      }
    }
    lastTransfer = full != null ? "full" : "incremental";
    log.info("zone={} event=transferred kind={} serial={} records={} primary={} transfer_ms={} stored_ms={} served_ms={}",
        zone, lastTransfer, outcome.serial(), outcome.records(), p.address(), transferMillis, storedMillis,
        transferMillis + (System.nanoTime() - storeStarted) / 1_000_000);
  }

  /**
   * Stores a whole zone. When the version served now is the stored one, the journal's step is its
   * difference from that version, compared as bytes owner by owner; otherwise the store works it
   * out from the version it holds.
   */
  private LoadOutcome storeWhole(ZoneSnapshot next, EncodedRecords encoded, String source) throws ZoneStoreException {
    ZoneSnapshot served = publisher.serving(zone);
    if (served == null || currentSoa().map(SOARecord::getSerial).orElse(-1L) != served.serial()) {
      return store.load(zone, encoded, next::records, source);
    }
    List<Record> deleted = new ArrayList<>();
    List<Record> added = new ArrayList<>();
    next.differences(served, deleted::add, added::add);
    return store.applyDiff(zone, List.of(new ZoneDiff(served.soa(), next.soa(), deleted, added)), encoded, source);
  }

  /** The version {@code steps} lead to from the one served now (or the stored one, before any is served). */
  private ZoneSnapshot applied(List<ZoneDiff> steps) throws ZoneStoreException {
    try {
      ZoneSnapshot version = publisher.serving(zone);
      if (version == null || version.serial() != steps.get(0).fromSerial()) {
        ZoneSnapshot.Builder stored = new ZoneSnapshot.Builder(zone);
        if (!store.current(zone, stored::add)) {
          throw new ZoneStoreException("zone " + zone + " is not in the store; an incremental transfer needs a base version");
        }
        version = stored.build();
      }
      for (ZoneDiff step : steps) {
        version = version.apply(step.toSoa(), step.deleted(), step.added());
      }
      List<StructureChecker.Problem> problems = version.problems(); // the same rules as a whole zone
      if (!problems.isEmpty()) {
        throw new ZoneStoreException(TransferReader.refusal(zone, problems));
      }
      return version;
    } catch (IllegalArgumentException e) {
      throw new ZoneStoreException("incremental transfer for " + zone + " leaves a zone that cannot be served: " + e.getMessage(), e);
    }
  }

  private void succeeded() {
    lastError = null;
    synchronized (this) {
      lastSuccess = clock.instant();
    }
    if (state == State.EXPIRED) {
      onExpired.accept(false);
      log.info("zone={} event=unexpired", zone);
    }
    state = State.OK;
    SOARecord soa = currentSoa().orElse(null);
    Duration refresh = soa == null ? FIRST_RETRY : Duration.ofSeconds(soa.getRefresh());
    if (soa != null) {
      armExpiry(Duration.ofSeconds(soa.getExpire()));
    }
    schedule(Event.REFRESH, refresh);
  }

  private synchronized void armExpiry(Duration expire) {
    if (expiry != null) {
      expiry.cancel(false);
    }
    expiry = scheduler.schedule(() -> handle(Event.EXPIRE), expire.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void expire() {
    state = State.EXPIRED;
    log.warn("zone={} event=expired last_success={} (answered with SERVFAIL until refreshed)", zone, lastSuccess);
    onExpired.accept(true);
  }

  private Optional<SOARecord> currentSoa() {
    try {
      return store.soa(zone);
    } catch (ZoneStoreException e) {
      return Optional.empty();
    }
  }
}
