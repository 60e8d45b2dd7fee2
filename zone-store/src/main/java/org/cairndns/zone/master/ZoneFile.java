package org.cairndns.zone.master;

import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * The records of one master file, each with where it was read.
 *
 * @param origin the zone apex
 * @param records records in file order
 * @param positions {@code positions.get(i)} is where {@code records.get(i)} was read
 */
public record ZoneFile(Name origin, List<Record> records, List<Position> positions) {

  /** A place in a master file. */
  public record Position(String file, int line) {}
}
