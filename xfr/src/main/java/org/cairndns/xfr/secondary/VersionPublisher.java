package org.cairndns.xfr.secondary;

import org.cairndns.zone.ZoneSnapshot;
import org.xbill.DNS.Name;

/**
 * Serves the versions a secondary stores (the zone's owner). The refresher builds the snapshot of a
 * transferred zone as it streams in (or applies an IXFR to the version served now) instead of
 * having it read back from the store, and publishes it once the store has committed it. Both calls
 * come from inside the owner's event, so nothing else changes the zone in between.
 */
public interface VersionPublisher {
  /** The version of {@code zone} served now, or null. */
  ZoneSnapshot serving(Name zone);

  /** The committed version, to be served now. */
  void publish(ZoneSnapshot snapshot);
}
