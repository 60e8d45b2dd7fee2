package org.cairndns.xfr.secondary;

import org.cairndns.zone.ZoneSnapshot;
import org.xbill.DNS.Name;

/**
 * Serves the versions a secondary stores. The refresher builds the snapshot of a transferred zone
 * as it streams in (or applies an IXFR to the version served now) instead of having it read back
 * from the store, and publishes it once the store has committed it.
 */
public interface VersionPublisher {
  /** The version of {@code zone} served now, or null. */
  ZoneSnapshot serving(Name zone);

  /** A new version of {@code zone} is being committed: whoever watches the store should leave it to us. */
  void storing(Name zone);

  /** The committed version, to be served now. */
  void publish(ZoneSnapshot snapshot);

  /** Storing or building failed: the store is again the only source for {@code zone}. */
  void abandoned(Name zone);
}
