package org.cairndns.server.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
  @Test
  void writesObjectsInOrderWithEveryKindOfValue() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("zone", "example.");
    m.put("serial", 2026112901L);
    m.put("ok", true);
    m.put("error", null);
    m.put("listeners", List.of("127.0.0.1:53", "[::1]:53"));
    m.put("empty", Map.of());
    assertEquals(
        "{\"zone\":\"example.\",\"serial\":2026112901,\"ok\":true,\"error\":null,"
            + "\"listeners\":[\"127.0.0.1:53\",\"[::1]:53\"],\"empty\":{}}",
        JsonWriter.write(m));
  }

  @Test
  void escapesQuotesBackslashesAndControlCharacters() {
    // Error texts come from primaries and files: a quote or a newline in one must not end the
    // reply.
    assertEquals("\"a\\\"b\\\\c\\nd\\te\\u0001\"", JsonWriter.write("a\"b\\c\nd\te\u0001"));
    assertEquals("[null,1]", JsonWriter.write(Arrays.asList(null, 1)));
  }
}
