package org.cairndns.xfr.owner;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.cairndns.log.RateLimitedLog;
import org.cairndns.request.Requester;
import org.cairndns.xfr.secondary.RetransferRequests;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.master.ZoneValidator;
import org.cairndns.zone.store.ZoneInfo;
import org.cairndns.zone.store.ZoneStore;
import org.cairndns.zone.store.ZoneStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

/**
 * The owners of the zones this server serves, and the store poll that tells them of versions loaded
 * by {@code cairn zone load}: one tiny query a second (the store's change counter), and when it
 * moved, one reconciliation queued for each zone whose stored serial differs from the served one.
 * No query ever reads the database. With no zones configured, every zone in the store is served and
 * gets an owner when it appears.
 */
public final class ZoneOwners {
  private static final Logger log = LoggerFactory.getLogger(ZoneOwners.class);

  /** A primary's address is spoofable over UDP, so NOTIFYs from it come at any rate. */
  private final RateLimitedLog notifies = new RateLimitedLog(log, Level.INFO, "notify-received");

  private final ZoneStore store;
  private final RetransferRequests retransfers;
  private final ZoneSet zones;
  private final Executor pool;
  private final Map<Name, ZoneOwner> owners = new ConcurrentHashMap<>();
  private final boolean everyStoredZone;
  private volatile boolean started;
  private long seenCounter =
      -1; // guarded by this: the store's change counter at the last poll that read it

  /** A reconciliation could not read the store: the next poll compares every zone again. */
  private volatile boolean storeUnread;

  /**
   * @param pool runs the owners' loads and publishes (a secondary's checks run on its own pool)
   * @param everyStoredZone serve every zone in the store, not only those {@link #add}ed
   */
  public ZoneOwners(ZoneStore store, ZoneSet zones, Executor pool, boolean everyStoredZone) {
    this.store = store;
    this.retransfers = new RetransferRequests(store.database());
    this.zones = zones;
    this.pool = pool;
    this.everyStoredZone = everyStoredZone;
  }

  /**
   * A configured zone; once {@link #start} has run (a reload added it), it starts at once: its file
   * loads and a secondary begins checking its primaries, in the background.
   *
   * @param file loaded at start, or null
   * @param fileChecks how the file is judged beyond the rules every zone meets
   * @param secondary null for a zone loaded here
   */
  public void add(
      Name name,
      Path file,
      ZoneValidator.Checks fileChecks,
      NotifyOut notify,
      ZoneOwner.Secondary secondary) {
    ZoneOwner owner =
        new ZoneOwner(
            name, file, fileChecks, store, zones, pool, notify, secondary, new ZoneEvents(name));
    owners.put(name, owner);
    if (started) {
      owner.start();
    }
  }

  /**
   * A reload changed {@code name}'s settings: a new owner takes over behind the old one's events (a
   * transfer running finishes and is served), loads its file again and, for a secondary, checks its
   * primaries at once. The served version stays published throughout.
   */
  public void replace(
      Name name,
      Path file,
      ZoneValidator.Checks fileChecks,
      NotifyOut notify,
      ZoneOwner.Secondary secondary) {
    ZoneOwner old = owners.get(name);
    if (old == null) {
      add(name, file, fileChecks, notify, secondary);
      return;
    }
    old.stop();
    if (secondary == null) {
      zones.clearMarks(name); // a secondary made primary: neither not ready nor expired any more
    }
    ZoneOwner owner =
        new ZoneOwner(name, file, fileChecks, store, zones, pool, notify, secondary, old.events());
    owners.put(name, owner);
    owner.start();
  }

  /**
   * A reload kept {@code name} as it was: its zone file, if any, is read again (as at start, a bad
   * file keeps the stored version), so that a reload takes an edited file like NSD's and Knot's.
   */
  public void rereadFile(Name name) {
    ZoneOwner owner = owners.get(name);
    if (owner != null) {
      owner.rereadFile();
    }
  }

  /**
   * A reload removed {@code name}: it stops being served and its owner stops; the store keeps its
   * versions (removing them is {@code cairn zone delete}'s job). False when it had no owner.
   */
  public boolean remove(Name name) {
    ZoneOwner owner = owners.remove(name);
    if (owner == null) {
      return false;
    }
    owner.retire();
    return true;
  }

  /**
   * Loads the zone files, serves what the store holds and starts the secondaries' timers; returns
   * once every zone is ready to be answered from (or known not to be).
   */
  public void start() throws ZoneStoreException {
    for (ZoneOwner owner : owners.values()) {
      owner.start().join();
    }
    started = true;
    poll().join();
  }

  /** The status of {@code zone}, or null when it has no owner here. */
  public ZoneStatus status(Name zone) {
    ZoneOwner owner = owners.get(zone);
    return owner == null ? null : owner.status();
  }

  /** Every zone with an owner here, in no particular order. */
  public List<ZoneStatus> statuses() {
    return owners.values().stream().map(ZoneOwner::status).toList();
  }

  /** What became of an operator's request about one zone. */
  public enum Answer {
    /** Started; its outcome shows in the zone's status and the log. */
    STARTED,
    /** The zone is not served here. */
    NOT_HERE,
    /** A primary zone: there is nothing to check or transfer. */
    NOT_SECONDARY,
    /** No NOTIFY to send: the zone has no notify targets or serves no version yet. */
    NOTHING_TO_NOTIFY
  }

  /** An SOA check of secondary {@code zone} now ({@code cairn zone refresh}). */
  public Answer refresh(Name zone) {
    ZoneOwner owner = owners.get(zone);
    return owner == null
        ? Answer.NOT_HERE
        : owner.refresh() ? Answer.STARTED : Answer.NOT_SECONDARY;
  }

  /**
   * A full transfer of secondary {@code zone} now, at any serial ({@code cairn zone retransfer}).
   */
  public Answer retransfer(Name zone) {
    ZoneOwner owner = owners.get(zone);
    return owner == null
        ? Answer.NOT_HERE
        : owner.retransfer() ? Answer.STARTED : Answer.NOT_SECONDARY;
  }

  /**
   * NOTIFY of the version of {@code zone} served now to its notify targets ({@code cairn zone
   * notify}).
   */
  public Answer notifySecondaries(Name zone) {
    ZoneOwner owner = owners.get(zone);
    return owner == null
        ? Answer.NOT_HERE
        : owner.notifySecondaries() ? Answer.STARTED : Answer.NOTHING_TO_NOTIFY;
  }

  /** The owner of {@code zone}, or null. */
  ZoneOwner owner(Name zone) {
    return owners.get(zone);
  }

  /**
   * Tells each owner whose stored serial differs from the served one; cheap when the change counter
   * did not move. Completes when those owners have reconciled.
   */
  public synchronized CompletableFuture<Void> poll() throws ZoneStoreException {
    long counter = store.changeCounter();
    if (counter == seenCounter && !storeUnread) {
      return CompletableFuture.completedFuture(null);
    }
    storeUnread = false;
    List<CompletableFuture<Void>> reconciled = new ArrayList<>();
    Set<Name> present = new HashSet<>();
    for (ZoneInfo info : store.list()) {
      ZoneOwner owner =
          everyStoredZone
              ? owners.computeIfAbsent(
                  info.name(),
                  n ->
                      new ZoneOwner(
                          n,
                          null,
                          ZoneValidator.Checks.LENIENT,
                          store,
                          zones,
                          pool,
                          NotifyOut.none(),
                          null,
                          new ZoneEvents(n)))
              : owners.get(info.name());
      if (owner == null) {
        continue;
      }
      present.add(info.name());
      if (owner.status().serial() != info.serial()) {
        reconciled.add(reconcile(owner));
      }
    }
    for (ZoneOwner owner : owners.values()) {
      Name name = owner.status().zone();
      if (present.contains(name)) {
        continue;
      }
      if (owner.status().serial() != -1) { // served, but gone from the store
        reconciled.add(reconcile(owner));
      } else if (!everyStoredZone) {
        log.warn(
            "zone={} event=not-served reason=\"not in the store yet (load it, or wait for its first transfer)\"",
            name);
      }
    }
    seenCounter = counter;
    return CompletableFuture.allOf(reconciled.toArray(new CompletableFuture<?>[0]));
  }

  private CompletableFuture<Void> reconcile(ZoneOwner owner) {
    return owner
        .reconcile()
        .thenAccept(
            read -> {
              if (!read) {
                storeUnread = true;
              }
            });
  }

  /** The operators' retransfer requests ({@code cairn zone retransfer}), taken from the store. */
  public void takeRetransferRequests() throws ZoneStoreException {
    for (Name zone : retransfers.take()) {
      ZoneOwner owner = owners.get(zone);
      if (owner == null || !owner.retransfer()) {
        log.warn(
            "zone={} event=retransfer-ignored reason=\"not a secondary zone of this server\"",
            zone);
      }
    }
  }

  /**
   * A NOTIFY (RFC 1996 §3.7): a check of a secondary zone when it came from one of its primaries;
   * REFUSED from anyone else, NOTAUTH for a zone that is not a secondary here. Returns at once: the
   * check runs as the zone's event.
   */
  public int onNotify(Message notify, Requester from) {
    Name zone = notify.getQuestion().getName();
    ZoneOwner owner = owners.get(zone);
    if (owner == null || !owner.secondary()) {
      return Rcode.NOTAUTH;
    }
    if (!owner.notified(from.address().getAddress())) {
      return Rcode.REFUSED;
    }
    notifies.log(
        "zone={} event=notify-received from={} serial={}",
        zone,
        from.address().getAddress().getHostAddress(),
        announcedSerial(notify));
    return Rcode.NOERROR;
  }

  /** The serial a NOTIFY announces in its answer section (RFC 1996 §3.7), or "none". */
  private static Object announcedSerial(Message notify) {
    for (Record r : notify.getSection(Section.ANSWER)) {
      if (r instanceof SOARecord soa) {
        return soa.getSerial();
      }
    }
    return "none";
  }

  /**
   * Logs each served zone whose first signature expires within its {@code signature-warning} of
   * {@code now}, or has expired: the server runs this once a day for all zones (expired signatures
   * are the commonest DNSSEC outage, and a publish's log line may be weeks old).
   */
  public void warnOfExpiringSignatures(Instant now) {
    owners.values().forEach(owner -> owner.warnIfSignaturesExpireSoon(now));
  }

  /** Stops the secondaries' timers. */
  public void stop() {
    owners.values().forEach(ZoneOwner::stop);
  }
}
