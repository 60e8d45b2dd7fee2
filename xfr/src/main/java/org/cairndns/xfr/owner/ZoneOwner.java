package org.cairndns.xfr.owner;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.cairndns.xfr.secondary.PrimarySettings;
import org.cairndns.xfr.secondary.TransferClient;
import org.cairndns.xfr.secondary.VersionPublisher;
import org.cairndns.xfr.secondary.XotProbes;
import org.cairndns.xfr.secondary.ZoneRefresher;
import org.cairndns.zone.SnapshotBuilder;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.ZoneSnapshot;
import org.cairndns.zone.dnssec.SignatureExpiry;
import org.cairndns.zone.master.ZoneFile;
import org.cairndns.zone.master.ZoneFileException;
import org.cairndns.zone.master.ZoneFileReader;
import org.cairndns.zone.master.ZoneValidator;
import org.cairndns.zone.store.LoadOutcome;
import org.cairndns.zone.store.ZoneStore;
import org.cairndns.zone.store.ZoneStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * The one owner of one zone (Knot's {@code zone_t}, NSD's xfrd zone): every event that changes the
 * zone runs through its {@link ZoneEvents} queue, one at a time — the zone file loaded at start, a
 * version loaded into the store by {@code cairn zone load} (seen by the store poll), a secondary's
 * checks, transfers, IXFR applied and expiry (its {@link ZoneRefresher}), publishing and NOTIFY
 * out. It is the only writer of the zone's snapshot in the {@link ZoneSet} and the one place its
 * state is read ({@link #status()}).
 *
 * <p>The store is what survives a restart and the snapshot is what is answered from; the owner
 * keeps them equal. A secondary's transfer is committed to the store and then served from memory
 * within one event; a store version the snapshot does not match (another process loaded it, or a
 * commit whose publish failed) is published from the store by the next reconciliation.
 */
public final class ZoneOwner {
  private static final Logger log = LoggerFactory.getLogger(ZoneOwner.class);

  /** What makes a zone a secondary: its primaries and what reaches them. */
  public record Secondary(
      List<PrimarySettings> primaries,
      TransferClient client,
      ScheduledExecutorService pool,
      Clock clock) {}

  private final Name name;
  private final Path file;
  private final ZoneValidator.Checks fileChecks;
  private final ZoneStore store;
  private final ZoneSet zones;
  private final Executor pool;
  private final NotifyOut notify;
  private final ZoneEvents events;
  private final ZoneRefresher refresher;
  private final ZoneStatus status = new Status();
  private volatile String lastError;

  /** The served version's first expiring signature, found once at its publish; null if unsigned. */
  private volatile SignatureExpiry.Signature earliestSignature;

  /** Set once a reload removed the zone: nothing this owner still runs may serve it again. */
  private boolean retired; // guarded by serving

  private final Object serving = new Object();
  private CompletableFuture<Boolean>
      reconciliation; // guarded by this: the one waiting to run, if any

  /**
   * @param file the zone file loaded at start, or null
   * @param fileChecks how the file is judged beyond the rules every zone meets
   * @param pool runs loads and publishes
   * @param secondary null for a zone loaded here (a primary)
   * @param events the zone's event queue: a new one, or that of the owner this one succeeds (a
   *     reload that changed the zone), so that what the old owner runs finishes first
   */
  ZoneOwner(
      Name name,
      Path file,
      ZoneValidator.Checks fileChecks,
      ZoneStore store,
      ZoneSet zones,
      Executor pool,
      NotifyOut notify,
      Secondary secondary,
      ZoneEvents events) {
    this.name = name;
    this.file = file;
    this.fileChecks = fileChecks;
    this.store = store;
    this.zones = zones;
    this.pool = pool;
    this.notify = notify;
    this.events = events;
    if (secondary == null) {
      this.refresher = null;
    } else {
      Publisher publisher = new Publisher();
      this.refresher =
          new ZoneRefresher(
              name,
              secondary.primaries(),
              secondary.client(),
              store,
              secondary.pool(),
              events.on(secondary.pool()),
              secondary.clock(),
              publisher,
              publisher::expired);
      zones.markNotReady(
          name); // SERVFAIL until its first transfer is published (a no-op when served already)
    }
  }

  public ZoneStatus status() {
    return status;
  }

  /**
   * Loads the zone file, if any, like {@code cairn zone load} (a bad file keeps the stored
   * version), serves what the store then holds, and starts a secondary's timers. Completes once
   * done, so the listeners can open on zones that are ready (and never on one that expired while we
   * were down).
   */
  CompletableFuture<Void> start() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    events.submit(
        pool,
        () -> {
          try {
            String fileError = file == null ? null : loadFile();
            publishFromStore();
            if (fileError != null) {
              lastError = fileError; // not cleared by serving the stored version instead
            }
            if (refresher != null) {
              refresher.start();
            }
          } finally {
            done.complete(null);
          }
        });
    return done;
  }

  /** Loads the zone file again, if it has one, and serves what the store then holds. */
  void rereadFile() {
    if (file == null) {
      return;
    }
    events.submit(
        pool,
        () -> {
          String fileError = loadFile();
          publishFromStore();
          if (fileError != null) {
            lastError = fileError;
          }
        });
  }

  void stop() {
    if (refresher != null) {
      refresher.stop();
    }
  }

  /**
   * Stops serving the zone for good (a reload removed it): its timers stop, its snapshot and marks
   * are withdrawn at once, and a transfer or load still running publishes nothing when it ends. The
   * store keeps its data.
   */
  void retire() {
    stop();
    synchronized (serving) {
      retired = true;
      zones.withdraw(name);
    }
  }

  /**
   * The store holds a version the served one may not match: serves the stored one, or stops serving
   * the zone when the store no longer has it. Any number of calls while one waits to run are that
   * one (a burst of polls costs one reading of the store). The future completes when it has run:
   * false when the store could not be read, so the caller asks again.
   */
  synchronized CompletableFuture<Boolean> reconcile() {
    if (reconciliation == null) {
      CompletableFuture<Boolean> done = new CompletableFuture<>();
      reconciliation = done;
      events.submit(
          pool,
          () -> {
            synchronized (this) {
              reconciliation = null; // a store change from now on needs another run
            }
            boolean read = false;
            try {
              read = publishFromStore();
            } finally {
              done.complete(read);
            }
          });
    }
    return reconciliation;
  }

  /** A NOTIFY for this zone (RFC 1996): true when it came from one of a secondary's primaries. */
  boolean notified(InetAddress from) {
    return refresher != null && refresher.onNotify(from);
  }

  /** An operator's retransfer ({@code cairn zone retransfer}); false for a primary zone. */
  boolean retransfer() {
    if (refresher == null) {
      return false;
    }
    refresher.retransfer();
    return true;
  }

  /**
   * An operator's refresh ({@code cairn zone refresh}): an SOA check now; false for a primary zone.
   */
  boolean refresh() {
    if (refresher == null) {
      return false;
    }
    refresher.refresh();
    return true;
  }

  /**
   * An operator's NOTIFY ({@code cairn zone notify}): announces the version served now to the
   * zone's notify targets, as its event. False when it has none or serves no version.
   */
  boolean notifySecondaries() {
    ZoneSnapshot served = zones.get(name);
    if (served == null || notify.announcesToNobody()) {
      return false;
    }
    events.submit(
        pool,
        () -> {
          ZoneSnapshot current = zones.get(name); // the version served when the event runs
          if (current != null) {
            notify.announce(current);
            log.info("zone={} event=notify-requested serial={}", name, current.serial());
          }
        });
    return true;
  }

  boolean secondary() {
    return refresher != null;
  }

  /** The queue, for tests that hold the zone in an event. */
  ZoneEvents events() {
    return events;
  }

  /** Loads the zone file into the store; returns why it failed, or null. */
  private String loadFile() {
    try {
      ZoneFile zone = ZoneFileReader.read(file, name);
      ZoneValidator.CheckedZone checked = ZoneValidator.validate(zone, fileChecks, Instant.now());
      for (ZoneFileException.Problem warning : checked.warnings()) {
        log.warn("zone={} event=file-warning warning=\"{}\"", name, warning);
      }
      FileDrift drift = FileDrift.check(store, name, zone, file);
      if (!drift.load()) {
        return drift.error();
      }
      LoadOutcome outcome = store.load(name, checked.records(), "file:" + file, false);
      log.info(
          "zone={} event=file-loaded result={} serial={}", name, outcome.kind(), outcome.serial());
      return null;
    } catch (ZoneFileException | ZoneStoreException e) {
      String error = e.getMessage().replace('\n', ';');
      log.error(
          "zone={} event=file-load-failed error=\"{}\" (the stored version, if any, keeps serving)",
          name,
          error);
      return error;
    }
  }

  /** Serves what the store holds; returns false when the store could not be read. */
  private boolean publishFromStore() {
    long started = System.nanoTime();
    SnapshotBuilder builder = new SnapshotBuilder(name);
    try {
      Optional<SOARecord> soa = store.soa(name);
      ZoneSnapshot served = zones.get(name);
      if (soa.isPresent() && served != null && served.serial() == soa.get().getSerial()) {
        return true; // served already (a refresher publishes what it stores from memory)
      }
      if (soa.isEmpty()
          || !store.current(
              name, builder::add)) { // the stored wire records, straight into the snapshot
        if (served != null) {
          zones.remove(name);
          earliestSignature = null;
          log.info("zone={} event=unpublished reason=\"no longer in the store\"", name);
        }
        return true;
      }
      install(
          builder.build(),
          "from=store read_and_build_ms=" + (System.nanoTime() - started) / 1_000_000);
      lastError = null;
    } catch (ZoneStoreException e) {
      lastError = e.getMessage();
      log.warn(
          "zone={} event=publish-failed error=\"{}\" (store unreadable; previous version keeps serving)",
          name,
          e.getMessage());
      return false;
    } catch (IllegalArgumentException e) { // stored records the snapshot refuses
      lastError = e.getMessage();
      log.error(
          "zone={} event=publish-failed error=\"{}\" (previous version keeps serving)",
          name,
          e.getMessage());
    } catch (RuntimeException e) {
      lastError = "unexpected " + e;
      log.error(
          "zone={} event=publish-failed error=\"{}\" (unexpected; previous version keeps serving)",
          name,
          e,
          e);
    }
    return true;
  }

  /**
   * @param source where the snapshot came from, for the log
   */
  private void install(ZoneSnapshot snapshot, String source) {
    synchronized (serving) {
      if (retired) {
        log.info("zone={} event=publish-skipped reason=\"removed by a reload\"", name);
        return;
      }
      zones.publish(snapshot);
    }
    notify.announce(snapshot);
    log.info(
        "zone={} event=published serial={} records={} {}",
        name,
        snapshot.serial(),
        snapshot.size(),
        source);
    earliestSignature = SignatureExpiry.earliest(snapshot).orElse(null);
    if (earliestSignature != null) {
      log.info(
          "zone={} event=earliest-signature-expiry expires={} owner={} type={}",
          name,
          earliestSignature.expires(),
          earliestSignature.owner(),
          Type.string(earliestSignature.covered()));
    }
  }

  /**
   * The daily reminder: a WARN when the served version's first signature expires within the zone's
   * {@code signature-warning} of {@code now}, an ERROR once it has expired. Reads the expiry found
   * at publish, so it costs nothing per record.
   */
  void warnIfSignaturesExpireSoon(Instant now) {
    SignatureExpiry.Signature first = earliestSignature;
    if (first == null) {
      return;
    }
    if (!first.expires().isAfter(now)) {
      log.error(
          "zone={} event=signatures-expired expires={} owner={} type={} (validators fail the zone until it is re-signed)",
          name,
          first.expires(),
          first.owner(),
          Type.string(first.covered()));
    } else if (first.expires().isBefore(now.plus(fileChecks.signatureWarning()))) {
      log.warn(
          "zone={} event=signature-expiry-close expires={} owner={} type={} within={}",
          name,
          first.expires(),
          first.owner(),
          Type.string(first.covered()),
          fileChecks.signatureWarning());
    }
  }

  /** The refresher's way in: called from its check, which runs as this zone's event. */
  private final class Publisher implements VersionPublisher {
    @Override
    public ZoneSnapshot serving(Name zone) {
      return zones.get(name);
    }

    @Override
    public void publish(ZoneSnapshot snapshot) {
      install(snapshot, "from=transfer");
    }

    void expired(boolean expired) {
      synchronized (serving) {
        if (!retired) {
          zones.setExpired(name, expired);
        }
      }
    }
  }

  private final class Status implements ZoneStatus {
    @Override
    public Name zone() {
      return name;
    }

    @Override
    public boolean secondary() {
      return refresher != null;
    }

    @Override
    public long serial() {
      ZoneSnapshot served = zones.get(name);
      return served == null ? -1 : served.serial();
    }

    @Override
    public ZoneRefresher.State state() {
      return refresher == null ? ZoneRefresher.State.OK : refresher.state();
    }

    @Override
    public Instant lastCheck() {
      return refresher == null ? null : refresher.lastCheck();
    }

    @Override
    public Instant lastSuccess() {
      return refresher == null ? null : refresher.lastSuccess();
    }

    @Override
    public ZoneRefresher.Scheduled next() {
      return refresher == null ? null : refresher.next();
    }

    @Override
    public String lastError() {
      return refresher == null ? lastError : refresher.lastError();
    }

    @Override
    public String lastTransfer() {
      return refresher == null ? null : refresher.lastTransfer();
    }

    @Override
    public Instant expiresAt() {
      return refresher == null ? null : refresher.expiresAt();
    }

    @Override
    public PrimarySettings primaryInUse() {
      return refresher == null ? null : refresher.primaryInUse();
    }

    @Override
    public SignatureExpiry.Signature earliestSignature() {
      return earliestSignature;
    }

    @Override
    public XotProbes.Entry probe() {
      PrimarySettings primary = primaryInUse();
      return primary == null ? null : refresher.probe(primary);
    }
  }
}
