package org.cairndns.xfr.owner;

import java.time.Instant;
import org.cairndns.xfr.secondary.ZoneRefresher;
import org.xbill.DNS.Name;

/**
 * What a zone's owner knows of it, read-only and live (each call reads the current value): the
 * view {@code cairn zone status} and the control channel read.
 */
public interface ZoneStatus {
  Name zone();

  /** Whether the zone is transferred from primaries (a secondary) or loaded here (a primary). */
  boolean secondary();

  /** The serial served now, or -1 while no version is served. */
  long serial();

  /** OK, REFRESHING or EXPIRED for a secondary; always OK for a primary (nothing to refresh). */
  ZoneRefresher.State state();

  /** When the last check of the primaries ended; null before the first and for a primary. */
  Instant lastCheck();

  /** The next scheduled check of the primaries; null for a primary. */
  ZoneRefresher.Scheduled next();

  /** Why the last check (secondary) or the last load or publish (primary) failed; null when it succeeded. */
  String lastError();

  /** "full" or "incremental" for the last transfer stored; null before the first and for a primary. */
  String lastTransfer();
}
