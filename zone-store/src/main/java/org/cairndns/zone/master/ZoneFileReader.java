package org.cairndns.zone.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;

/**
 * Reads an RFC 1035 master file with dnsjava's {@link Master} ($ORIGIN, $TTL, $INCLUDE, $GENERATE,
 * RFC 3597 unknown types) and records the file and line each record came from.
 */
public final class ZoneFileReader {
  private ZoneFileReader() {}

  public static ZoneFile read(Path file, Name origin) throws ZoneFileException {
    return read(file, origin, n -> {});
  }

  /**
   * @param progress called every 10,000 records with the count so far
   */
  public static ZoneFile read(Path file, Name origin, LongConsumer progress)
      throws ZoneFileException {
    String shown = file.toString();
    if (!Files.isReadable(file)) {
      throw new ZoneFileException(shown, 0, "cannot read file");
    }
    List<Record> records = new ArrayList<>();
    List<ZoneFile.Position> positions = new ArrayList<>();
    try (Master master = new Master(shown, origin, 3600)) {
      Record r;
      while ((r = master.nextRecord()) != null) {
        records.add(r);
        positions.add(MasterPosition.of(master, shown));
        if (records.size() % 10_000 == 0) {
          progress.accept(records.size());
        }
      }
    } catch (TextParseException e) {
      throw new ZoneFileException(List.of(fromParseError(e.getMessage(), shown)));
    } catch (IOException e) {
      throw new ZoneFileException(shown, 0, "cannot read: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new ZoneFileException(shown, 0, "cannot parse: " + e.getMessage());
    }
    progress.accept(records.size());
    return new ZoneFile(origin, records, positions);
  }

  /** Records of zone text given inline (tests, tools); errors as for files, named "(text)". */
  public static List<Record> parse(Name origin, String text) throws ZoneFileException {
    List<Record> records = new ArrayList<>();
    try (Master master =
        new Master(
            new java.io.ByteArrayInputStream(
                text.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            origin,
            3600)) {
      for (Record r = master.nextRecord(); r != null; r = master.nextRecord()) {
        records.add(r);
      }
    } catch (IOException | RuntimeException e) {
      throw new ZoneFileException(List.of(fromParseError(e.getMessage(), "(text)")));
    }
    return records;
  }

  /** dnsjava reports errors as "file:line: reason"; split that so callers get structured data. */
  static ZoneFileException.Problem fromParseError(String message, String file) {
    if (message != null) {
      int first = message.indexOf(':');
      int second = first < 0 ? -1 : message.indexOf(':', first + 1);
      if (second > 0) {
        try {
          int line = Integer.parseInt(message.substring(first + 1, second).trim());
          return new ZoneFileException.Problem(
              message.substring(0, first), line, message.substring(second + 1).trim());
        } catch (NumberFormatException notPositional) {
          // fall through
        }
      }
    }
    return new ZoneFileException.Problem(file, 0, String.valueOf(message));
  }
}
