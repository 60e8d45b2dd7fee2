package org.cairndns.xfr.primary;

import java.util.List;
import java.util.Optional;
import org.cairndns.zone.store.ZoneDiff;
import org.cairndns.zone.store.ZoneStoreException;
import org.xbill.DNS.Name;

/** Where IXFR finds the steps from a client's serial to ours (the store's journal). */
@FunctionalInterface
public interface JournalSource {
  /** Steps from {@code fromSerial} to the current version; empty when the journal lacks them. */
  Optional<List<ZoneDiff>> journal(Name zone, long fromSerial) throws ZoneStoreException;
}
