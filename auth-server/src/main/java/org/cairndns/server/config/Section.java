package org.cairndns.server.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The keys one YAML mapping may hold; any other key is refused, naming these. */
final class Section {
  private final String path;
  private final List<Key<?>> keys = new ArrayList<>();

  /** @param path the prefix of its keys' paths: {@code ""} at the top, {@code "limits."}, {@code "zones[]."} */
  Section(String path) {
    this.path = path;
  }

  <T> Key<T> key(String name, ValueType<T> type, Default fallback) {
    Key<T> key = new Key<>(this, name, type, fallback);
    keys.add(key);
    return key;
  }

  String path() {
    return path;
  }

  List<Key<?>> keys() {
    return Collections.unmodifiableList(keys);
  }

  /** Key names in alphabetical order, as unknown-key errors list them. */
  Set<String> names() {
    Set<String> names = new TreeSet<>();
    keys.forEach(k -> names.add(k.name()));
    return names;
  }
}
