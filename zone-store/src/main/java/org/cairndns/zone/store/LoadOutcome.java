package org.cairndns.zone.store;

/** What a load did: created the zone, stored a new version, or found nothing changed. */
public record LoadOutcome(
    Kind kind, long previousSerial, long serial, int records, int deleted, int added) {
  public enum Kind {
    CREATED,
    UPDATED,
    UNCHANGED
  }
}
