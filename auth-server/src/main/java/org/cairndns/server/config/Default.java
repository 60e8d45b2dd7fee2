package org.cairndns.server.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What a key is when it is absent: a value written as in the file (read through the key's type like
 * any other, so it meets the same range), none (null, or a value the loader works out, such as the
 * host name), or required.
 *
 * @param raw the YAML value, or null
 * @param shown the default column of docs/configuration.md
 */
record Default(Object raw, boolean required, String shown) {
  static final Default REQUIRED = new Default(null, true, "required");
  static final Default NONE = none("none");

  /** A value as the file would give it: text, a number, a boolean, a list, or an empty mapping. */
  static Default of(Object raw) {
    return new Default(raw, false, "`" + yaml(raw) + "`");
  }

  /** Absent means null; {@code shown} says what the loader does then. */
  static Default none(String shown) {
    return new Default(null, false, shown);
  }

  private static String yaml(Object raw) {
    return raw instanceof List<?> list
        ? list.stream().map(Default::yaml).collect(Collectors.joining(", ", "[", "]"))
        : String.valueOf(raw);
  }
}
