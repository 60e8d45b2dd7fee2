package org.cairndns.xfr.secondary;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.cairndns.log.RateLimitedLog;
import org.cairndns.zone.SnapshotBuilder;
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
import org.slf4j.event.Level;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

/**
 * Keeps one secondary zone fresh (RFC 1035 §4.3.5, RFC 1996): a SOA check every REFRESH seconds,
 * every RETRY after a failure, the zone EXPIRED (no longer served) when no check has succeeded for
 * EXPIRE; a NOTIFY from one of the zone's primaries brings the next check forward. A newer serial
 * starts IXFR (AXFR when needed); the result is stored whole through the zone store, or discarded
 * whole. Like NSD's xfrd: states ok, refreshing, expired; one handler per event.
 *
 * <p>Checks of one zone never overlap, and NOTIFYs are coalesced: while a check runs, any number of
 * NOTIFYs add one follow-up check, and a check brought forward starts no sooner than {@link
 * #NOTIFY_CHECK_SPACING} after the previous one began, so a NOTIFY flood (spoofable over UDP) costs
 * the primary at most one SOA query per zone and spacing.
 *
 * <p>A transfer whose serial is not newer than ours (RFC 1982) is refused, whichever way it came
 * (IXFR, AXFR, the AXFR after a refused IXFR): a primary cannot roll the zone back. Only an
 * operator's {@link #retransfer()} accepts any serial.
 *
 * <p>Every way out of a check schedules the next one, RETRY after a failure. Failures of the
 * expected kinds are one INFO line; anything else is logged once at ERROR with its stack. No
 * Throwable ends the zone's timers, OutOfMemoryError and StackOverflowError included: they come
 * from this check's own allocation or recursion (an oversized transfer) and are gone once it
 * unwinds; what to do about a JVM that is broken for good (e.g. {@code
 * -XX:+ExitOnOutOfMemoryError}) is the operator's choice for the whole process, not one zone's.
 *
 * <p>The last successful check is kept in the store, so EXPIRE counts across restarts: a zone that
 * expired while the server was down starts EXPIRED.
 *
 * <p>This is the secondary part of the zone's owner ({@code owner.ZoneOwner}): its timers fire into
 * the owner's event queue ({@code events}), so a check never overlaps the zone's other events (a
 * store poll, a load), and what it stores it hands to the owner to serve ({@link
 * VersionPublisher}).
 */
public final class ZoneRefresher {
  private static final Logger log = LoggerFactory.getLogger(ZoneRefresher.class);

  /** NOTIFYs from strangers come from anywhere, at any rate (and spoofed over UDP). */
  private static final RateLimitedLog strangers =
      new RateLimitedLog(log, Level.INFO, "notify-ignored");

  static final Duration FIRST_RETRY = Duration.ofSeconds(10);

  /**
   * Least time between the starts of a check and the next one brought forward (NOTIFY, retransfer).
   */
  public static final Duration NOTIFY_CHECK_SPACING = Duration.ofSeconds(1);

  public enum State {
    OK,
    REFRESHING,
    EXPIRED
  }

  /** The timer events; each has one handler. */
  public enum Event {
    REFRESH,
    RETRY,
    NOTIFY,
    RETRANSFER,
    EXPIRE
  }

  /** The check to schedule after one ends. */
  private record Next(Event event, Duration delay) {}

  /** The next check and when it is due. */
  public record Scheduled(Event event, Instant at) {}

  private final Name zone;
  private final List<PrimarySettings> primaries;
  private final TransferClient client;
  private final ZoneStore store;
  private final SecondaryTimers timers;
  private final ScheduledExecutorService scheduler;
  private final Executor events;
  private final Clock clock;
  private final VersionPublisher publisher;
  private final Consumer<Boolean> onExpired;

  /** Per zone: a primary behind us answers every check, and NOTIFYs bring checks forward. */
  private final RateLimitedLog serialBelowOurs =
      new RateLimitedLog(log, Level.WARN, "serial-below-ours");

  private volatile State state = State.REFRESHING;
  private volatile String lastError;
  private volatile String lastTransfer;

  /** Set by {@link #retransfer()}, cleared once a check with it succeeded. */
  private final AtomicBoolean retransferRequested = new AtomicBoolean();

  private volatile Instant lastSuccess;
  private volatile Instant lastCheck;

  /** When the zone expires unless a check succeeds first; null before a version is stored. */
  private volatile Instant expiresAt;

  /** The primary the last successful check asked; null before one succeeded. */
  private volatile PrimarySettings primaryInUse;

  private volatile Scheduled scheduled;

  /**
   * True while a NOTIFY arriving now needs nothing more: a check not yet begun is due within the
   * spacing, or a follow-up to the running one is set. NOTIFYs arrive on the UDP event loops (a
   * flood of them from a primary's address is spoofable); with it they return without taking this
   * lock, which the check thread holds at times and, preempted on a busy machine, held for tens of
   * milliseconds while that loop's socket overflowed. Written under this lock.
   */
  private volatile boolean notifyCovered;

  // The fields below are guarded by this.
  private ScheduledFuture<?> nextCheck;
  private long nextCheckAtNanos;
  private long generation;
  private boolean checking;
  private boolean checkAgain;
  private long lastCheckStartedNanos =
      System.nanoTime() - NOTIFY_CHECK_SPACING.toNanos(); // none yet
  private boolean stopped;
  private ScheduledFuture<?> expiry;

  /**
   * @param scheduler the timers; a timer hands its event to {@code events}
   * @param events runs the zone's events one at a time (the owner's queue)
   */
  public ZoneRefresher(
      Name zone,
      List<PrimarySettings> primaries,
      TransferClient client,
      ZoneStore store,
      ScheduledExecutorService scheduler,
      Executor events,
      Clock clock,
      VersionPublisher publisher,
      Consumer<Boolean> onExpired) {
    this.zone = zone;
    this.primaries = List.copyOf(primaries);
    this.client = client;
    this.store = store;
    this.timers = new SecondaryTimers(store.database());
    this.scheduler = scheduler;
    this.events = events;
    this.clock = clock;
    this.publisher = publisher;
    this.onExpired = onExpired;
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

  /** When the last check ended, or null before the first. */
  public Instant lastCheck() {
    return lastCheck;
  }

  /** The check scheduled next, or null when stopped. */
  public Scheduled next() {
    return scheduled;
  }

  /**
   * When the last check that succeeded ended (kept across restarts in the store), or null before
   * one.
   */
  public Instant lastSuccess() {
    return lastSuccess;
  }

  /** When the zone expires unless a check succeeds first; null while nothing is stored. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** The primary the last successful check asked, or null before one succeeded. */
  public PrimarySettings primaryInUse() {
    return primaryInUse;
  }

  /** The opportunistic-TLS probe state of {@code primary}; null for a primary without probes. */
  public XotProbes.Entry probe(PrimarySettings primary) {
    return client.probe(primary);
  }

  /**
   * Checks at once. A zone already in the store is served meanwhile for what is left of EXPIRE
   * since its last successful check, or starts EXPIRED when none is left. Without a recorded check
   * (a zone loaded otherwise, or a store from before timers were kept) EXPIRE counts from now, and
   * now is recorded, so that restarting again does not start it afresh.
   */
  public void start() {
    Instant now = clock.instant();
    Optional<SOARecord> soa = soaForTimers("start");
    Optional<Instant> recorded = recordedSuccess();
    if (soa.isPresent() && recorded.isEmpty()) {
      saveSuccess(now);
    }
    Instant last = recorded.orElse(now);
    lastSuccess = last;
    soa.ifPresent(
        s -> {
          Duration expire = Duration.ofSeconds(s.getExpire());
          Duration left = expire.minus(Duration.between(last, now));
          left =
              left.compareTo(expire) > 0
                  ? expire
                  : left; // a recorded check "in the future": the clock went back
          if (left.isNegative() || left.isZero()) {
            expire();
          } else {
            armExpiry(left);
          }
        });
    schedule(Event.REFRESH, Duration.ZERO);
  }

  /** A NOTIFY for this zone: honoured only from one of its primaries' addresses. */
  public boolean onNotify(InetAddress from) {
    for (PrimarySettings p : primaries) {
      if (p.address().getAddress().equals(from)) {
        if (!notifyCovered) {
          checkSoon(Event.NOTIFY);
        }
        return true;
      }
    }
    strangers.log(
        "zone={} event=notify-ignored from={} reason=\"not a primary of this zone\"",
        zone,
        from.getHostAddress());
    return false;
  }

  /**
   * An operator's refresh ({@code cairn zone refresh}): an SOA check as soon as the spacing allows.
   */
  public void refresh() {
    log.info("zone={} event=refresh-requested", zone);
    checkSoon(Event.REFRESH);
  }

  /**
   * An operator's retransfer ({@code cairn zone retransfer}): a full transfer as soon as possible
   * that accepts any serial, even one older than ours. It stays requested until one succeeds.
   */
  public void retransfer() {
    retransferRequested.set(true);
    log.info("zone={} event=retransfer-requested", zone);
    checkSoon(Event.RETRANSFER);
  }

  public synchronized void stop() {
    stopped = true;
    scheduled = null;
    if (nextCheck != null) {
      nextCheck.cancel(false);
    }
    if (expiry != null) {
      expiry.cancel(false);
    }
  }

  /** Replaces the pending check with {@code event} after {@code delay}. */
  private synchronized void schedule(Event event, Duration delay) {
    if (stopped) {
      return;
    }
    if (nextCheck != null) {
      nextCheck.cancel(false);
    }
    long task = ++generation;
    notifyCovered = false; // callers that bring a check forward say so after
    nextCheckAtNanos = System.nanoTime() + delay.toNanos();
    scheduled = new Scheduled(event, clock.instant().plus(delay));
    nextCheck =
        scheduler.schedule(
            () -> events.execute(() -> due(task, event)), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Brings the next check forward, coalesced with one running or already due by then. */
  private synchronized void checkSoon(Event why) {
    if (checking) {
      checkAgain = true;
      notifyCovered = true;
      return;
    }
    Duration wait = spacingLeft();
    if (nextCheck != null && nextCheckAtNanos - (System.nanoTime() + wait.toNanos()) <= 0) {
      notifyCovered = true;
      return; // one is due by then already
    }
    schedule(why, wait);
    notifyCovered = true;
  }

  /** How long until a check brought forward may start: one spacing after the last one began. */
  private synchronized Duration spacingLeft() {
    long left = lastCheckStartedNanos + NOTIFY_CHECK_SPACING.toNanos() - System.nanoTime();
    return Duration.ofNanos(Math.max(0, left));
  }

  /** A scheduled check; one replaced since it was scheduled does nothing. */
  private void due(long task, Event event) {
    synchronized (this) {
      if (task != generation || stopped) {
        return;
      }
      nextCheck = null;
    }
    handle(event);
  }

  void handle(Event event) {
    switch (event) {
      case REFRESH, RETRY, NOTIFY, RETRANSFER -> runCheck(event);
      case EXPIRE -> expire();
    }
  }

  /**
   * One check, never two at once for this zone; whatever happens in it, the next one is scheduled.
   */
  private void runCheck(Event why) {
    synchronized (this) {
      if (checking) {
        checkAgain = true;
        return;
      }
      checking = true;
      checkAgain = false;
      notifyCovered = false; // this check began before any NOTIFY from now on: they need another
      lastCheckStartedNanos = System.nanoTime();
    }
    Next next = new Next(Event.RETRY, FIRST_RETRY); // should even logging fail below
    try {
      next = check(why);
    } catch (Throwable unexpected) { // see the class comment: nothing may end this zone's timers
      log.error(
          "zone={} event=refresh-failed trigger={} error=\"{}\" (unexpected)",
          zone,
          why,
          unexpected,
          unexpected);
      next = failed("unexpected " + unexpected);
    } finally {
      lastCheck = clock.instant();
      synchronized (this) {
        checking = false;
        if (checkAgain) {
          checkAgain = false;
          schedule(Event.NOTIFY, spacingLeft());
          notifyCovered = true;
        } else {
          schedule(next.event(), next.delay());
        }
      }
    }
  }

  private Next check(Event why) {
    Optional<SOARecord> ours;
    try {
      ours = store.soa(zone);
    } catch (ZoneStoreException e) {
      // Not "no zone": that would take any serial the primary offers, an older one included.
      log.warn(
          "zone={} event=refresh-failed trigger={} error=\"{}\" (store unreadable)",
          zone,
          why,
          e.getMessage());
      return failed("store: " + e.getMessage());
    }
    boolean retransfer = retransferRequested.get();
    if (state != State.EXPIRED) {
      state = State.REFRESHING;
    }
    String error = "no primaries";
    for (PrimarySettings p : primaries) {
      try {
        long theirs = client.soaSerial(zone, p);
        Object ourSerial = ours.isPresent() ? ours.get().getSerial() : "none";
        log.debug(
            "zone={} event=soa-checked trigger={} primary={} serial={} ours={}",
            zone,
            why,
            p.address(),
            theirs,
            ourSerial);
        if (ours.isPresent() && Serials.isNewer(ours.get().getSerial(), theirs)) {
          serialBelowOurs.log(
              "zone={} event=serial-below-ours primary={} serial={} ours={}",
              zone,
              p.address(),
              theirs,
              ourSerial);
        }
        if (retransfer || ours.isEmpty() || Serials.isNewer(theirs, ours.get().getSerial())) {
          long started = System.nanoTime();
          TransferReader.Result result =
              retransfer || ours.isEmpty()
                  ? client.transfer(zone, -1, null, p)
                  : client.transfer(zone, ours.get().getSerial(), ours.get(), p);
          store(result, ours, retransfer, p, (System.nanoTime() - started) / 1_000_000);
        }
        if (retransfer) {
          retransferRequested.set(false);
        }
        primaryInUse = p;
        return succeeded();
      } catch (TransferFailure | ZoneStoreException e) {
        error = p.address() + ": " + e.getMessage();
        log.info(
            "zone={} event=refresh-failed trigger={} primary={} error=\"{}\"",
            zone,
            why,
            p.address(),
            e.getMessage());
      } catch (RuntimeException e) {
        error = p.address() + ": unexpected " + e;
        log.error(
            "zone={} event=refresh-failed trigger={} primary={} error=\"{}\" (unexpected)",
            zone,
            why,
            p.address(),
            e,
            e);
      }
    }
    return failed(error);
  }

  /** The zone keeps serving what it has (until expiry) and checks again after RETRY. */
  private Next failed(String error) {
    lastError = error;
    if (state != State.EXPIRED) {
      state = State.OK;
    }
    Duration retry =
        soaForTimers("retry").map(s -> Duration.ofSeconds(s.getRetry())).orElse(FIRST_RETRY);
    log.warn("zone={} event=refresh-retry in={}s error=\"{}\"", zone, retry.toSeconds(), error);
    return new Next(Event.RETRY, retry);
  }

  /**
   * Commits the transfer's result and serves it. A full transfer arrives with its snapshot already
   * built (as it streamed in); an incremental one is applied to the version served now. The new
   * version is published only once the commit succeeded, so a failed commit leaves the previous
   * version serving.
   */
  private void store(
      TransferReader.Result result,
      Optional<SOARecord> ours,
      boolean retransfer,
      PrimarySettings p,
      long transferMillis)
      throws TransferFailure, ZoneStoreException {
    if (result instanceof TransferReader.Result.UpToDate) {
      return;
    }
    // An incremental result chains forward from our serial by construction; a whole zone may not.
    boolean older =
        result instanceof TransferReader.Result.Full f
            && ours.isPresent()
            && !Serials.isNewer(f.serial(), ours.get().getSerial());
    if (older && !retransfer) {
      throw new TransferFailure(
          "primary offered serial "
              + ((TransferReader.Result.Full) result).serial()
              + ", not newer than ours "
              + ours.get().getSerial()
              + "; refused (cairn zone retransfer accepts it)");
    }
    long storeStarted = System.nanoTime();
    String source =
        "xfr:" + p.address().getAddress().getHostAddress() + ":" + p.address().getPort();
    TransferReader.Result.Full full = result instanceof TransferReader.Result.Full f ? f : null;
    ZoneSnapshot next;
    LoadOutcome outcome;
    if (full != null) {
      next = full.snapshot();
      outcome =
          older
              ? store.replace(zone, full.encoded(), source)
              : storeWhole(next, full.encoded(), source);
    } else {
      List<ZoneDiff> steps = ((TransferReader.Result.Incremental) result).steps();
      next = applied(steps);
      EncodedRecords encoded = new EncodedRecords(next.soa());
      next.forEachRecordAfterSoa(encoded);
      outcome = store.applyDiff(zone, steps, encoded, source);
    }
    long storedMillis = transferMillis + (System.nanoTime() - storeStarted) / 1_000_000;
    publisher.publish(
        next); // a commit not followed by this is published from the store by the owner's poll
    lastTransfer = full != null ? "full" : "incremental";
    log.info(
        "zone={} event=transferred kind={} old_serial={} serial={} records={} primary={} transfer_ms={} stored_ms={} served_ms={}",
        zone,
        lastTransfer,
        ours.isPresent() ? ours.get().getSerial() : "none",
        outcome.serial(),
        outcome.records(),
        p.address(),
        transferMillis,
        storedMillis,
        transferMillis + (System.nanoTime() - storeStarted) / 1_000_000);
  }

  /**
   * Stores a whole zone. When the version served now is the stored one, the journal's step is its
   * difference from that version, compared as bytes owner by owner; otherwise the store works it
   * out from the version it holds.
   */
  private LoadOutcome storeWhole(ZoneSnapshot next, EncodedRecords encoded, String source)
      throws ZoneStoreException {
    ZoneSnapshot served = publisher.serving(zone);
    if (served == null
        || store.soa(zone).map(SOARecord::getSerial).orElse(-1L) != served.serial()) {
      return store.load(zone, encoded, next::records, source);
    }
    List<Record> deleted = new ArrayList<>();
    List<Record> added = new ArrayList<>();
    next.differences(served, deleted::add, added::add);
    return store.applyDiff(
        zone, List.of(new ZoneDiff(served.soa(), next.soa(), deleted, added)), encoded, source);
  }

  /**
   * The version {@code steps} lead to from the one served now (or the stored one, before any is
   * served).
   */
  private ZoneSnapshot applied(List<ZoneDiff> steps) throws ZoneStoreException {
    try {
      ZoneSnapshot version = publisher.serving(zone);
      if (version == null || version.serial() != steps.get(0).fromSerial()) {
        SnapshotBuilder stored = new SnapshotBuilder(zone);
        if (!store.current(zone, stored::add)) {
          throw new ZoneStoreException(
              "zone "
                  + zone
                  + " is not in the store; an incremental transfer needs a base version");
        }
        version = stored.build();
      }
      for (ZoneDiff step : steps) {
        version = version.apply(step.toSoa(), step.deleted(), step.added());
      }
      List<StructureChecker.Problem> problems =
          version.problems(); // the same rules as a whole zone
      if (!problems.isEmpty()) {
        throw new ZoneStoreException(TransferReader.refusal(zone, problems));
      }
      return version;
    } catch (IllegalArgumentException e) {
      throw new ZoneStoreException(
          "incremental transfer for "
              + zone
              + " leaves a zone that cannot be served: "
              + e.getMessage(),
          e);
    }
  }

  private Next succeeded() {
    lastError = null;
    Instant now = clock.instant();
    lastSuccess = now;
    saveSuccess(now);
    if (state == State.EXPIRED) {
      onExpired.accept(false);
      log.info("zone={} event=unexpired", zone);
    }
    state = State.OK;
    SOARecord soa = soaForTimers("refresh").orElse(null);
    Duration refresh = soa == null ? FIRST_RETRY : Duration.ofSeconds(soa.getRefresh());
    if (soa != null) {
      armExpiry(Duration.ofSeconds(soa.getExpire()));
    }
    return new Next(Event.REFRESH, refresh);
  }

  private Optional<Instant> recordedSuccess() {
    try {
      return timers.lastSuccess(zone);
    } catch (ZoneStoreException e) {
      log.warn(
          "zone={} event=timers-unreadable error=\"{}\" (expiry counts from now)",
          zone,
          e.getMessage());
      return Optional.empty();
    }
  }

  private void saveSuccess(Instant at) {
    try {
      timers.saveSuccess(zone, at);
    } catch (ZoneStoreException e) {
      log.warn("zone={} event=timers-save-failed error=\"{}\"", zone, e.getMessage());
    }
  }

  private synchronized void armExpiry(Duration expire) {
    if (stopped) {
      return;
    }
    if (expiry != null) {
      expiry.cancel(false);
    }
    expiresAt = clock.instant().plus(expire);
    expiry =
        scheduler.schedule(
            () -> events.execute(() -> handle(Event.EXPIRE)),
            expire.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  private void expire() {
    state = State.EXPIRED;
    log.warn(
        "zone={} event=expired last_success={} (answered with SERVFAIL until refreshed)",
        zone,
        lastSuccess);
    onExpired.accept(true);
  }

  /**
   * The stored SOA, for a timer's length only: a store that cannot be read is logged and the timer
   * falls back to {@link #FIRST_RETRY} (or expiry is not re-armed), so that the timers go on.
   */
  private Optional<SOARecord> soaForTimers(String timer) {
    try {
      return store.soa(zone);
    } catch (ZoneStoreException e) {
      log.warn(
          "zone={} event=timers-unreadable timer={} error=\"{}\" (store unreadable)",
          zone,
          timer,
          e.getMessage());
      return Optional.empty();
    }
  }
}
