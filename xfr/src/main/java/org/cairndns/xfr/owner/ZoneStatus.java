package org.cairndns.xfr.owner;

import java.time.Instant;
import org.cairndns.xfr.secondary.PrimarySettings;
import org.cairndns.xfr.secondary.XotProbes;
import org.cairndns.xfr.secondary.ZoneRefresher;
import org.cairndns.zone.dnssec.SignatureExpiry;
import org.xbill.DNS.Name;

/**
 * What a zone's owner knows of it, read-only and live (each call reads the current value): the view
 * {@code cairn zone status} and the control channel read.
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

  /**
   * When the last successful check of the primaries ended; null before the first and for a primary.
   */
  Instant lastSuccess();

  /** The next scheduled check of the primaries; null for a primary. */
  ZoneRefresher.Scheduled next();

  /**
   * Why the last check (secondary) or the last load or publish (primary) failed; null when it
   * succeeded.
   */
  String lastError();

  /**
   * "full" or "incremental" for the last transfer stored; null before the first and for a primary.
   */
  String lastTransfer();

  /**
   * When a secondary expires unless a check succeeds first; null while nothing is stored, and for a
   * primary.
   */
  Instant expiresAt();

  /**
   * The signature of the served version that expires first (found at its publish); null for an
   * unsigned zone or while none is served.
   */
  SignatureExpiry.Signature earliestSignature();

  /** The primary a secondary's last successful check asked; null before one and for a primary. */
  PrimarySettings primaryInUse();

  /**
   * That primary's opportunistic-TLS probe state; null when its transport is fixed, or there is
   * none.
   */
  XotProbes.Entry probe();
}
