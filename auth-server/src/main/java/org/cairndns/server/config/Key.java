package org.cairndns.server.config;

/**
 * One configuration key: where it is, its type and its default.
 *
 * @param <T> its value once read
 */
record Key<T>(Section section, String name, ValueType<T> type, Default fallback) {
  /**
   * As docs/configuration.md names it: {@code limits.udp-payload}, {@code zones[].primaries[].key}.
   */
  String path() {
    return section.path() + name;
  }
}
