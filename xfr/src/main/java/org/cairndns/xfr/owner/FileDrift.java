package org.cairndns.xfr.owner;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import org.cairndns.zone.master.ZoneFile;
import org.cairndns.zone.store.Serials;
import org.cairndns.zone.store.ZoneContent;
import org.cairndns.zone.store.ZoneStore;
import org.cairndns.zone.store.ZoneStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;

/**
 * A {@code file:} zone whose stored serial is newer than its file's, because of {@code cairn zone
 * load --bump-serial} or a transfer. The rule (docs/operations.md, "Zone files and the store"): the
 * store wins, as a zone's journal does over an older file in BIND and Knot, and the file is not
 * loaded. When the file is one of the stored versions (it was simply not edited since) that is said
 * at INFO; when it holds changes the store does not have, at WARN, since those changes are not
 * served, and the zone's last error says so until the file carries a serial above the stored one.
 */
record FileDrift(boolean load, String error) {
  private static final Logger log = LoggerFactory.getLogger(FileDrift.class);

  /** The file is loaded as usual: its serial is newer than the stored one, or the same. */
  static final FileDrift NONE = new FileDrift(true, null);

  /**
   * @return whether to load the file, and when not, the zone's error (null when the file is just an
   *     older stored version)
   */
  static FileDrift check(ZoneStore store, Name name, ZoneFile file, Path path)
      throws ZoneStoreException {
    Optional<SOARecord> stored = store.soa(name);
    Optional<SOARecord> fileSoa =
        file.records().stream()
            .filter(r -> r instanceof SOARecord && r.getName().equals(name))
            .map(SOARecord.class::cast)
            .findFirst();
    if (stored.isEmpty() || fileSoa.isEmpty()) {
      return NONE;
    }
    long storedSerial = stored.get().getSerial();
    long fileSerial = fileSoa.get().getSerial();
    if (!Serials.isNewer(storedSerial, fileSerial)) {
      return NONE;
    }
    Optional<ZoneContent> same = store.at(name, fileSerial);
    if (same.isPresent()
        && new HashSet<Record>(same.get().records()).equals(new HashSet<Record>(file.records()))) {
      log.info(
          "zone={} event=file-behind-store file={} file_serial={} stored_serial={} (the stored version, from "
              + "--bump-serial or a transfer, serves; cairn zone export writes it back to the file)",
          name,
          path,
          fileSerial,
          storedSerial);
      return new FileDrift(false, null);
    }
    String warning =
        "the file's serial "
            + fileSerial
            + " is older than the stored "
            + storedSerial
            + " (from --bump-serial or a transfer) and its content differs from the stored version "
            + fileSerial
            + ": its changes are not served; give the file a serial above "
            + storedSerial;
    log.warn("zone={} event=file-not-loaded file={} reason=\"{}\"", name, path, warning);
    return new FileDrift(false, warning);
  }
}
