package org.cairndns.server.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keys one YAML mapping may hold (any other key is refused, naming these), and the mappings
 * nested in it.
 */
final class Section {
  private final String path;
  private final List<Key<?>> keys = new ArrayList<>();
  private final List<Section> nested = new ArrayList<>();

  /** The key of the parent section that holds this one: a mapping or a list of mappings. */
  private Key<Values> asMapping;

  private Key<List<Values>> asList;

  private Section(String path) {
    this.path = path;
  }

  /** The file's top level. */
  static Section top() {
    return new Section("");
  }

  <T> Key<T> key(String name, ValueType<T> type, Default fallback) {
    Key<T> key = new Key<>(this, name, type, fallback);
    keys.add(key);
    return key;
  }

  /** A mapping under {@code name}, absent meaning empty. */
  Section mapping(String name) {
    Section section = nest(name + ".");
    section.asMapping = key(name, ValueTypes.mapping(section), Default.of(Map.of()));
    return section;
  }

  /** A list of mappings under {@code name}, absent meaning none. */
  Section list(String name) {
    Section section = nest(name + "[].");
    section.asList = key(name, ValueTypes.listOf(section), Default.of(List.of()));
    return section;
  }

  /**
   * Like {@link #list}, but a single item needs no list, and an item written as a bare value is the
   * value of its {@code shorthand} key.
   */
  Section items(String name, String shorthand) {
    Section section = nest(name + "[].");
    section.asList = key(name, ValueTypes.itemsOf(section, shorthand), Default.of(List.of()));
    return section;
  }

  private Section nest(String suffix) {
    Section section = new Section(path + suffix);
    nested.add(section);
    return section;
  }

  Key<Values> asMapping() {
    return asMapping;
  }

  Key<List<Values>> asList() {
    return asList;
  }

  String path() {
    return path;
  }

  List<Key<?>> keys() {
    return Collections.unmodifiableList(keys);
  }

  /** This section and all nested in it, parents first. */
  List<Section> withNested() {
    List<Section> all = new ArrayList<>(List.of(this));
    nested.forEach(s -> all.addAll(s.withNested()));
    return all;
  }

  /** Key names in alphabetical order, as unknown-key errors list them. */
  Set<String> names() {
    Set<String> names = new TreeSet<>();
    keys.forEach(k -> names.add(k.name()));
    return names;
  }
}
