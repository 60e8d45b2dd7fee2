package org.cairndns.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md's key table against {@link ConfigSchema}: the same keys, and for each the
 * same type and default, so neither can change without the other.
 */
class ConfigSchemaDocsTest {
  static final Path DOCS = Path.of("..", "docs", "configuration.md");

  /** The schema's rows, {@code key → [type, default]}, mappings left out (their keys have rows). */
  static Map<String, List<String>> schemaRows() {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    for (Section section : ConfigSchema.TOP.withNested()) {
      for (Key<?> key : section.keys()) {
        if (!(key.type() instanceof ValueTypes.Mapping)) {
          rows.put(key.path(), List.of(key.type().describe(), key.fallback().shown()));
        }
      }
    }
    return rows;
  }

  /** The table's rows, {@code key → [type, default]}; a key cell is {@code `key`}. */
  static Map<String, List<String>> documentedRows() throws Exception {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    for (String line : Files.readAllLines(DOCS)) {
      if (!line.startsWith("| `")) {
        continue;
      }
      List<String> cells = new ArrayList<>();
      for (String cell : line.substring(1).split("(?<!\\\\)\\|")) {
        cells.add(cell.trim().replace("\\|", "|"));
      }
      String key = cells.get(0).replace("`", "");
      assertTrue(
          rows.put(key, List.of(cells.get(1), cells.get(2))) == null, "documented twice: " + key);
    }
    return rows;
  }

  @Test
  void everyKeyIsDocumentedWithItsTypeAndDefault() throws Exception {
    Map<String, List<String>> schema = schemaRows();
    Map<String, List<String>> docs = documentedRows();
    TreeSet<String> undocumented = new TreeSet<>(schema.keySet());
    undocumented.removeAll(docs.keySet());
    TreeSet<String> unknown = new TreeSet<>(docs.keySet());
    unknown.removeAll(schema.keySet());
    StringBuilder expected = new StringBuilder();
    undocumented.forEach(
        k ->
            expected
                .append("\n| `")
                .append(k)
                .append("` | ")
                .append(String.join(" | ", schema.get(k)))
                .append(" | ... |"));
    assertTrue(undocumented.isEmpty(), DOCS + " lacks rows for" + expected);
    assertTrue(unknown.isEmpty(), DOCS + " documents keys the schema does not have: " + unknown);
    schema.forEach(
        (key, typeAndDefault) ->
            assertEquals(typeAndDefault, docs.get(key), key + ": [type, default]"));
  }

  /** The heading of the list of restart-only keys; its items are {@code - `key`} lines. */
  static final String RESTART_HEADING = "### Keys that need a restart";

  @Test
  void theKeysThatNeedARestartAreListed() throws Exception {
    List<String> lines = Files.readAllLines(DOCS);
    int at = lines.indexOf(RESTART_HEADING);
    assertTrue(at >= 0, DOCS + " lacks the heading " + RESTART_HEADING);
    TreeSet<String> documented = new TreeSet<>();
    for (String line : lines.subList(at + 1, lines.size())) {
      if (line.startsWith("#")) {
        break;
      }
      if (line.startsWith("- `")) {
        documented.add(line.substring(3, line.indexOf('`', 3)));
      }
    }
    TreeSet<String> schema = new TreeSet<>();
    ConfigSchema.RESTART_ONLY.forEach(k -> schema.add(k.path()));
    assertEquals(schema, documented, "ConfigSchema.RESTART_ONLY against " + DOCS);
  }

  @Test
  void everyDefaultIsAValueOfItsType() throws Exception {
    Source source = new Source("(defaults)", Path.of("."));
    for (Section section : ConfigSchema.TOP.withNested()) {
      for (Key<?> key : section.keys()) {
        Object raw = key.fallback().raw();
        if (raw != null) {
          assertNotNull(key.type().read(raw, key.path(), source), key.path());
        }
      }
    }
  }
}
