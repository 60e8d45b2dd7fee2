package org.cairndns.zone.store;

import java.util.List;
import org.xbill.DNS.Record;

/**
 * What a load did: created the zone, stored a new version, or found nothing changed. {@code content}
 * is the zone as stored now (SOA included), so a caller can serve it without reading it back.
 */
public record LoadOutcome(Kind kind, long previousSerial, long serial, int records, int deleted, int added,
    List<Record> content) {
  public enum Kind {
    CREATED,
    UPDATED,
    UNCHANGED
  }

  @Override
  public String toString() { // the content can be a million records
    return "LoadOutcome[" + kind + " " + previousSerial + "->" + serial + ", records=" + records + ", deleted="
        + deleted + ", added=" + added + "]";
  }
}
