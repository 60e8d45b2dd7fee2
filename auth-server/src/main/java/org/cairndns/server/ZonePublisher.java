package org.cairndns.server;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.cairndns.xfr.secondary.VersionPublisher;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.ZoneSnapshot;
import org.cairndns.zone.dnssec.SignatureExpiry;
import org.cairndns.zone.store.ZoneInfo;
import org.cairndns.zone.store.ZoneStore;
import org.cairndns.zone.store.ZoneStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * Keeps the served {@link ZoneSet} in step with the store: builds a snapshot for each zone whose
 * stored serial differs from the published one and swaps it in. A snapshot that fails to build
 * leaves the previous one serving. Polling the store's change counter is one tiny query a second;
 * no query ever reads the database. Secondary zones are published by their refresher from the
 * transferred records ({@link VersionPublisher}); the poll leaves a zone alone while that runs.
 */
final class ZonePublisher implements VersionPublisher {
  private static final Logger log = LoggerFactory.getLogger(ZonePublisher.class);

  private final ZoneStore store;
  private final ZoneSet zones;
  private final Set<Name> configured;
  private final java.util.function.Consumer<ZoneSnapshot> onPublished;
  private final Set<Name> storing = ConcurrentHashMap.newKeySet();
  private long seenCounter = -1;

  /**
   * @param configured zones to serve; empty means every zone in the store
   * @param onPublished told of every snapshot published (e.g. to send NOTIFY)
   */
  ZonePublisher(ZoneStore store, ZoneSet zones, Set<Name> configured, java.util.function.Consumer<ZoneSnapshot> onPublished) {
    this.store = store;
    this.zones = zones;
    this.configured = Set.copyOf(configured);
    this.onPublished = onPublished;
  }

  /** Publishes what changed since the last call; cheap when nothing did. */
  synchronized void refresh() throws ZoneStoreException {
    long counter = store.changeCounter();
    if (counter == seenCounter) {
      return;
    }
    List<ZoneInfo> stored = store.list();
    Set<Name> present = new HashSet<>();
    for (ZoneInfo info : stored) {
      if (!configured.isEmpty() && !configured.contains(info.name())) {
        continue;
      }
      present.add(info.name());
      ZoneSnapshot live = zones.get(info.name());
      if ((live != null && live.serial() == info.serial()) || storing.contains(info.name())) {
        continue;
      }
      publish(info.name());
    }
    for (ZoneSnapshot live : List.copyOf(zones.all())) {
      if (!present.contains(live.origin())) {
        zones.remove(live.origin());
        log.info("zone={} event=unpublished reason=\"no longer in the store\"", live.origin());
      }
    }
    for (Name name : configured) {
      if (!present.contains(name)) {
        log.warn("zone={} event=not-served reason=\"not in the store yet (load it, or wait for its first transfer)\"", name);
      }
    }
    seenCounter = counter;
  }

  private void publish(Name name) throws ZoneStoreException {
    long started = System.nanoTime();
    ZoneSnapshot.Builder builder = new ZoneSnapshot.Builder(name);
    try {
      if (!store.current(name, builder::add)) { // the stored wire records, straight into the snapshot
        return;
      }
      install(builder.build(), "from=store read_and_build_ms=" + (System.nanoTime() - started) / 1_000_000);
    } catch (IllegalArgumentException e) { // stored records the snapshot refuses
      log.error("zone={} event=publish-failed error=\"{}\" (previous version keeps serving)", name, e.getMessage());
    } catch (RuntimeException e) {
      log.error("zone={} event=publish-failed error=\"{}\" (unexpected; previous version keeps serving)", name, e, e);
    }
  }

  /** @param source where the snapshot came from, for the log */
  private void install(ZoneSnapshot snapshot, String source) {
    zones.publish(snapshot);
    onPublished.accept(snapshot);
    log.info("zone={} event=published serial={} records={} {}", snapshot.origin(), snapshot.serial(),
        snapshot.size(), source);
    SignatureExpiry.earliest(snapshot).ifPresent(first -> log.info("zone={} event=earliest-signature-expiry expires={} owner={} type={}",
        snapshot.origin(), first.expires(), first.owner(), Type.string(first.covered())));
  }

  @Override
  public ZoneSnapshot serving(Name zone) {
    return zones.get(zone);
  }

  @Override
  public void storing(Name zone) {
    storing.add(zone);
  }

  @Override
  public synchronized void publish(ZoneSnapshot snapshot) {
    storing.remove(snapshot.origin());
    install(snapshot, "from=transfer");
  }

  @Override
  public synchronized void abandoned(Name zone) {
    storing.remove(zone);
    seenCounter = -1; // the next poll compares this zone with the store again
  }
}
