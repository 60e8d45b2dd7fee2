package org.cairndns.zone;

import java.util.List;
import org.cairndns.zone.master.ZoneFileException;
import org.cairndns.zone.master.ZoneFileReader;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/** Zones written inline in tests. */
public final class TestZones {
  private TestZones() {}

  public static List<Record> parse(String origin, String text) {
    try {
      return ZoneFileReader.parse(Name.fromString(origin), text);
    } catch (ZoneFileException | org.xbill.DNS.TextParseException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
