package org.cairndns.server.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One YAML mapping checked against its {@link Section}: its keys are read through their types. */
final class Values {
  private final Section section;
  private final Source source;
  private final String at;
  private final Map<String, Object> values;

  /** The key an item written as a bare value stands for (a NOTIFY target's address), else null. */
  private final String shorthand;

  private Values(
      Section section, Source source, String at, Map<String, Object> values, String shorthand) {
    this.section = section;
    this.source = source;
    this.at = at;
    this.values = values;
    this.shorthand = shorthand;
  }

  /**
   * @param key where the mapping is, e.g. {@code limits} or {@code zones[0]}; empty at the top
   * @throws ConfigException unless {@code raw} is a mapping of keys of {@code section}
   */
  static Values read(Object raw, String key, Section section, Source source)
      throws ConfigException {
    if (!(raw instanceof Map<?, ?> m)) {
      throw source.error(
          key.isEmpty() ? "(top level)" : key, "expected a mapping of keys to values");
    }
    String at = key.isEmpty() ? "" : key + ".";
    Set<String> allowed = section.names();
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String name = String.valueOf(e.getKey());
      if (!allowed.contains(name)) {
        throw source.error(
            at + name, "unknown key (allowed here: " + String.join(", ", allowed) + ")");
      }
      values.put(name, e.getValue());
    }
    return new Values(section, source, at, values, null);
  }

  /** An item written as its {@code shorthand} key's value alone; errors in it name the item. */
  static Values shorthand(
      Object raw, String key, Section section, String shorthand, Source source) {
    return new Values(section, source, key + ".", Map.of(shorthand, raw), shorthand);
  }

  /** The key's value, its default when absent, or null when it has none. */
  <T> T get(Key<T> key) throws ConfigException {
    if (key.section() != section) { // a loader bug: the key would read as absent
      throw new IllegalArgumentException(key.path() + " read from a mapping of " + section.path());
    }
    Object raw = values.get(key.name());
    if (raw == null) {
      if (key.fallback().required()) {
        throw error(key, "missing");
      }
      raw = key.fallback().raw();
      if (raw == null) {
        return null;
      }
    }
    return key.type().read(raw, where(key), source);
  }

  /** The mapping {@code section} nested in this one. */
  Values mapping(Section section) throws ConfigException {
    return get(section.asMapping());
  }

  /** The items of the list of mappings {@code section} nested in this one. */
  List<Values> list(Section section) throws ConfigException {
    return get(section.asList());
  }

  /**
   * {@code raw}, worked out from {@code key}'s value, read through {@code type} as if written at
   * {@code key}.
   */
  <T> T read(Key<?> key, ValueType<T> type, Object raw) throws ConfigException {
    return type.read(raw, where(key), source);
  }

  /** The key's value as the file wrote it, for messages. */
  String written(Key<?> key) {
    return String.valueOf(values.get(key.name()));
  }

  boolean has(Key<?> key) {
    return values.get(key.name()) != null;
  }

  boolean isEmpty() {
    return values.isEmpty();
  }

  /** An error about {@code key} in this mapping. */
  ConfigException error(Key<?> key, String what) {
    return source.error(where(key), what);
  }

  /** A warning about {@code key} in this mapping, worded as its errors are. */
  String warning(Key<?> key, String what) {
    return error(key, what).getMessage();
  }

  /** An error about this mapping as a whole. */
  ConfigException error(String what) {
    return source.error(at.isEmpty() ? "(top level)" : at.substring(0, at.length() - 1), what);
  }

  private String where(Key<?> key) {
    return key.name().equals(shorthand) ? at.substring(0, at.length() - 1) : at + key.name();
  }
}
