package org.cairndns.zone;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/** Zones written inline in tests. */
public final class TestZones {
  private TestZones() {}

  public static List<Record> parse(String origin, String text) {
    try (Master m = new Master(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
        Name.fromString(origin), 300)) {
      List<Record> out = new ArrayList<>();
      Record r;
      while ((r = m.nextRecord()) != null) {
        out.add(r);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
