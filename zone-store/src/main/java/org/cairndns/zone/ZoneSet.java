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
  private record State(
      Map<Name, ZoneSnapshot> zones,
      int maxLabels,
      long generation,
      java.util.Set<Name> expired,
      java.util.Set<Name> notReady) {}

  /** Why a configured zone cannot be answered from: both are answered with SERVFAIL. */
  public enum Unavailable {
    /** A secondary zone whose first transfer has not been stored yet. */
    NOT_READY,
    /** A secondary zone past its SOA expire time. */
    EXPIRED
  }

  private volatile State state = new State(Map.of(), 0, 0, java.util.Set.of(), java.util.Set.of());

  /**
   * Whether a query for {@code qname}, whose closest served zone is {@code found} (or null), falls
   * in a zone that cannot be answered: an expired {@code found}, or a not-ready zone closer to
   * {@code qname} than {@code found}. Null when it can be answered; with no such zones, the usual
   * case, that costs one check.
   */
  public Unavailable unavailable(Name qname, ZoneSnapshot found) {
    State s = state;
    if (s.notReady.isEmpty() && s.expired.isEmpty()) {
      return null;
    }
    int foundLabels = found == null ? 0 : found.origin().labels();
    for (int skip = 0; qname.labels() - skip > foundLabels; skip++) {
      if (s.notReady.contains(skip == 0 ? qname : new Name(qname, skip))) {
        return Unavailable.NOT_READY;
      }
    }
    return found != null && s.expired.contains(found.origin()) ? Unavailable.EXPIRED : null;
  }

  public synchronized void setExpired(Name origin, boolean expired) {
    java.util.Set<Name> next = new java.util.HashSet<>(state.expired);
    if (expired ? next.add(origin) : next.remove(origin)) {
      State s = state;
      state =
          new State(s.zones, s.maxLabels, s.generation + 1, java.util.Set.copyOf(next), s.notReady);
    }
  }

  /**
   * Marks a configured zone that has no snapshot yet as not ready; publishing it clears the mark.
   */
  public synchronized void markNotReady(Name origin) {
    State s = state;
    if (s.zones.containsKey(origin) || s.notReady.contains(origin)) {
      return;
    }
    java.util.Set<Name> next = new java.util.HashSet<>(s.notReady);
    next.add(origin);
    state =
        new State(s.zones, s.maxLabels, s.generation + 1, s.expired, java.util.Set.copyOf(next));
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

  /**
   * Stops answering for {@code origin} altogether (a zone a reload removed): its snapshot and its
   * not-ready and expired marks go, so its names fall to an enclosing zone or REFUSED.
   */
  public synchronized void withdraw(Name origin) {
    Map<Name, ZoneSnapshot> next = new HashMap<>(state.zones);
    next.remove(origin);
    clearMarks(origin);
    swap(next);
  }

  /**
   * Clears the not-ready and expired marks of {@code origin} (a secondary a reload made primary).
   */
  public synchronized void clearMarks(Name origin) {
    State s = state;
    if (!s.notReady.contains(origin) && !s.expired.contains(origin)) {
      return;
    }
    java.util.Set<Name> notReady = new java.util.HashSet<>(s.notReady);
    java.util.Set<Name> expired = new java.util.HashSet<>(s.expired);
    notReady.remove(origin);
    expired.remove(origin);
    state =
        new State(
            s.zones,
            s.maxLabels,
            s.generation + 1,
            java.util.Set.copyOf(expired),
            java.util.Set.copyOf(notReady));
  }

  private void swap(Map<Name, ZoneSnapshot> next) {
    int max = 0;
    for (Name n : next.keySet()) {
      max = Math.max(max, n.labels());
    }
    java.util.Set<Name> notReady = state.notReady;
    if (!notReady.isEmpty()) { // a published zone is ready
      java.util.Set<Name> still = new java.util.HashSet<>(notReady);
      still.removeAll(next.keySet());
      notReady = java.util.Set.copyOf(still);
    }
    state = new State(Map.copyOf(next), max, state.generation + 1, state.expired, notReady);
  }
}
