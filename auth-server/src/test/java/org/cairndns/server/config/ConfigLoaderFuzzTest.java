package org.cairndns.server.config;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any bytes as the YAML configuration file: a {@link CairnConfig} or a {@link ConfigException}
 * whose message is {@code FILE: key: what is wrong}, nothing else. See docs/fuzzing.md.
 */
class ConfigLoaderFuzzTest {
  static Path dir;
  static Path file;

  @BeforeAll
  static void createDir() throws IOException {
    dir = Files.createTempDirectory("config-fuzz");
    file = dir.resolve("cairn.yaml");
  }

  @AfterAll
  static void removeDir() throws IOException {
    Files.deleteIfExists(file);
    Files.deleteIfExists(dir);
  }

  @FuzzTest
  void loadAnyYaml(byte[] input) throws IOException {
    Files.write(file, input);
    CairnConfig config;
    try {
      config = ConfigLoader.load(file);
    } catch (ConfigException e) {
      String prefix = file + ": ";
      assertTrue(
          e.getMessage().startsWith(prefix) && e.getMessage().indexOf(": ", prefix.length()) > 0,
          () -> "not FILE: key: problem: " + e.getMessage());
      return;
    }
    assertNotNull(config.database());
    assertNotNull(config.listen());
    assertNotNull(config.zones());
    config.zones().forEach(zone -> assertNotNull(zone.name()));
  }
}
