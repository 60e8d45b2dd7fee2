package org.cairndns.tools.migration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a configuration file and the files it includes, within bounds: a hostile or mistaken
 * configuration (a file including itself, a huge or endless file such as {@code /dev/zero}) fails
 * with an error naming the include rather than exhausting memory or the stack.
 */
final class ConfigFiles {
  /** Includes inside includes; BIND and NSD setups rarely go past two. */
  static final int MAX_DEPTH = 8;

  /** One file: a named.conf listing 100,000 zones is about 10 MB. */
  static final long MAX_FILE_BYTES = 32L << 20;

  /** All files read for one import, so that a file included many times cannot multiply. */
  static final long MAX_TOTAL_BYTES = 128L << 20;

  private long total;

  /**
   * The text of {@code file}, included at {@code from} (null for the file named on the command
   * line) at include depth {@code depth}.
   */
  String read(Path file, int depth, ImportedConfig.Where from) throws ImportException {
    ImportedConfig.Where here = from == null ? new ImportedConfig.Where(file, 0) : from;
    if (depth > MAX_DEPTH) {
      throw new ImportException(
          here, "include of " + file + " nested deeper than " + MAX_DEPTH + " (an include loop?)");
    }
    if (!Files.isRegularFile(file)) {
      throw new ImportException(here, "cannot read " + file + ": not a regular file");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      // Read one byte past the bound to tell a file at the bound from a larger one.
      bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
    } catch (IOException e) {
      throw new ImportException(here, "cannot read " + file + ": " + e.getMessage());
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new ImportException(
          here, file + " is larger than " + (MAX_FILE_BYTES >> 20) + " MiB; not a configuration");
    }
    total += bytes.length;
    if (total > MAX_TOTAL_BYTES) {
      throw new ImportException(
          here,
          "the configuration and its includes exceed "
              + (MAX_TOTAL_BYTES >> 20)
              + " MiB (a file included again and again?)");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
