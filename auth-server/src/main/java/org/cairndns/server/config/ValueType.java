package org.cairndns.server.config;

/**
 * How one key's value is written and checked (see {@link ValueTypes}).
 *
 * @param <T> what the value becomes once read
 */
interface ValueType<T> {
  /**
   * @param raw the YAML value, never null
   * @param key the key path errors name, such as {@code zones[0].notify-key}
   */
  T read(Object raw, String key, Source source) throws ConfigException;

  /** The type column of docs/configuration.md. */
  String describe();
}
