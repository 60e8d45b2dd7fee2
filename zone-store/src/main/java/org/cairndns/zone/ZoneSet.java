package org.cairndns.zone;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.xbill.DNS.Name;

/**
 * The zones being served, each as its current snapshot. Readers take no lock: the map is replaced
 * whole (copy on write) when a zone is published or removed, which is rare next to queries.
 */
public final class ZoneSet {
  private record State(Map<Name, ZoneSnapshot> zones, int maxLabels, long generation, java.util.Set<Name> expired) {}

  private volatile State state = new State(Map.of(), 0, 0, java.util.Set.of());

  /** A secondary zone past its SOA expire time: still known, but answered with SERVFAIL. */
  public boolean isExpired(Name origin) {
    return state.expired.contains(origin);
  }

  public synchronized void setExpired(Name origin, boolean expired) {
    java.util.Set<Name> next = new java.util.HashSet<>(state.expired);
    if (expired ? next.add(origin) : next.remove(origin)) {
      state = new State(state.zones, state.maxLabels, state.generation + 1, java.util.Set.copyOf(next));
    }
  }

  /** Changes whenever any zone is published or removed: cached answers older than it are stale. */
  public long generation() {
    return state.generation;
  }

  /** The snapshot of the closest enclosing zone of {@code qname}, or null when none is served. */
  public ZoneSnapshot find(Name qname) {
    State s = state;
    Map<Name, ZoneSnapshot> current = s.zones;
    if (current.isEmpty()) {
      return null;
    }
    int labels = qname.labels();
    for (int skip = Math.max(0, labels - s.maxLabels); skip < labels; skip++) {
      ZoneSnapshot z = current.get(skip == 0 ? qname : new Name(qname, skip));
      if (z != null) {
        return z;
      }
    }
    return null;
  }

  public ZoneSnapshot get(Name origin) {
    return state.zones.get(origin);
  }

  public Collection<ZoneSnapshot> all() {
    return state.zones.values();
  }

  public synchronized void publish(ZoneSnapshot snapshot) {
    Map<Name, ZoneSnapshot> next = new HashMap<>(state.zones);
    next.put(snapshot.origin(), snapshot);
    swap(next);
  }

  public synchronized void remove(Name origin) {
    Map<Name, ZoneSnapshot> next = new HashMap<>(state.zones);
    if (next.remove(origin) != null) {
      swap(next);
    }
  }

  private void swap(Map<Name, ZoneSnapshot> next) {
    int max = 0;
    for (Name n : next.keySet()) {
      max = Math.max(max, n.labels());
    }
    state = new State(Map.copyOf(next), max, state.generation + 1, state.expired);
  }
}
