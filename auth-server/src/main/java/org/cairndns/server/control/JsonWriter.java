package org.cairndns.server.control;

import java.util.Collection;
import java.util.Map;

/**
 * The control channel's replies as JSON text: objects, arrays, strings, numbers, booleans and null,
 * enough for status reports. Keys keep the order they were put in.
 */
final class JsonWriter {
  private JsonWriter() {}

  /**
   * {@code value} as JSON: a Map, a Collection, a String, a Number, a Boolean or null; anything
   * else as its string.
   */
  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    append(out, value);
    return out.toString();
  }

  private static void append(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      String comma = "";
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.append(comma);
        string(out, String.valueOf(e.getKey()));
        out.append(':');
        append(out, e.getValue());
        comma = ",";
      }
      out.append('}');
    } else if (value instanceof Collection<?> list) {
      out.append('[');
      String comma = "";
      for (Object item : list) {
        out.append(comma);
        append(out, item);
        comma = ",";
      }
      out.append(']');
    } else if (value instanceof Number || value instanceof Boolean) {
      out.append(value);
    } else {
      string(out, value.toString());
    }
  }

  private static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
