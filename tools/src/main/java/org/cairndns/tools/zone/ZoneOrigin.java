package org.cairndns.tools.zone;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * The zone a master file is loaded as when the command line names none: what the file says (its
 * first {@code $ORIGIN}, or an SOA record with an absolute owner, when either comes before any
 * other record), else its file name without {@code .zone}, {@code .db} or {@code .txt}.
 *
 * @param source where the name came from, for messages: {@code --origin}, {@code $ORIGIN}, {@code
 *     the SOA owner} or {@code the file name}
 */
record ZoneOrigin(Name name, String source) {
  static final String FILE_NAME = "the file name";

  /** How far into a file the directives and first record are looked for: a zone file's head. */
  private static final int HEAD_LINES = 200;

  static ZoneOrigin of(Path file, String option) throws IOException {
    if (option != null) {
      return new ZoneOrigin(ZoneCommand.zoneName(option), "--origin");
    }
    ZoneOrigin declared = fromFile(file);
    if (declared != null) {
      return declared;
    }
    String base = file.getFileName().toString().replaceFirst("\\.(zone|db|txt)$", "");
    return new ZoneOrigin(ZoneCommand.zoneName(base), FILE_NAME);
  }

  /** The first {@code $ORIGIN} or absolute SOA owner before any other record, or null. */
  private static ZoneOrigin fromFile(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null; // the reader names what is wrong with it
    }
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      for (int n = 0; n < HEAD_LINES && (line = in.readLine()) != null; n++) {
        int comment = line.indexOf(';');
        String[] words = (comment < 0 ? line : line.substring(0, comment)).trim().split("\\s+");
        if (words[0].isEmpty() || words[0].equalsIgnoreCase("$TTL")) {
          continue;
        }
        if (words[0].equalsIgnoreCase("$ORIGIN")) {
          return words.length > 1 && words[1].endsWith(".") ? named(words[1], "$ORIGIN") : null;
        }
        if (Character.isWhitespace(line.charAt(0)) || !words[0].endsWith(".")) {
          return null; // a record relative to an origin the file does not give
        }
        for (int i = 1; i < words.length && i < 5; i++) { // owner [TTL] [class] type
          if (words[i].toUpperCase(Locale.ROOT).equals("SOA")) {
            return named(words[0], "the SOA owner");
          }
        }
        return null;
      }
    } catch (java.nio.charset.MalformedInputException e) {
      return null; // not text: the reader reports it
    }
    return null;
  }

  private static ZoneOrigin named(String text, String source) {
    try {
      return new ZoneOrigin(Name.fromString(text), source);
    } catch (TextParseException e) {
      return null; // the reader reports the bad name, at its line
    }
  }
}
