package org.cairndns.zone.store;

import java.time.Instant;
import org.xbill.DNS.Name;

/** One stored zone, as {@code cairn zone list} shows it. */
public record ZoneInfo(Name name, long serial, int records, int versions, Instant changedAt) {}
