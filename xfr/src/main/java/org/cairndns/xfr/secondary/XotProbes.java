package org.cairndns.xfr.secondary;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What we know of which primaries speak XoT, for opportunistic TLS: Unknown, Busy (a probe is
 * running), Good or Bad, with when it last changed. A primary that is not Good is transferred from
 * over TCP while a TLS probe runs in the background; probes are limited in number and re-done after
 * {@code reprobe}. Changes are handed to a persister (the store) and the table is read at start.
 */
public final class XotProbes {
  private static final Logger log = LoggerFactory.getLogger(XotProbes.class);

  public enum State {
    UNKNOWN,
    BUSY,
    GOOD,
    BAD
  }

  public record Entry(State state, Instant changedAt) {}

  private final Map<InetSocketAddress, Entry> table = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration reprobe;
  private final Semaphore probes;
  private final Executor executor;
  private final BiConsumer<InetSocketAddress, Entry> persister;

  public XotProbes(
      Map<InetSocketAddress, Entry> saved,
      Clock clock,
      Duration reprobe,
      int maxProbes,
      Executor executor,
      BiConsumer<InetSocketAddress, Entry> persister) {
    saved.forEach(
        (a, e) ->
            table.put(a, e.state() == State.BUSY ? new Entry(State.UNKNOWN, e.changedAt()) : e));
    this.clock = clock;
    this.reprobe = reprobe;
    this.probes = new Semaphore(maxProbes);
    this.executor = executor;
    this.persister = persister;
  }

  public Entry entry(InetSocketAddress primary) {
    return table.getOrDefault(primary, new Entry(State.UNKNOWN, Instant.EPOCH));
  }

  /**
   * True when TLS should be used now; starts a background probe when the answer is unknown or
   * stale.
   */
  boolean useTls(PrimarySettings primary, java.util.function.Predicate<PrimarySettings> probe) {
    Entry e = entry(primary.address());
    boolean stale = e.changedAt().plus(reprobe).isBefore(clock.instant());
    if ((e.state() == State.UNKNOWN || (stale && e.state() != State.BUSY)) && probes.tryAcquire()) {
      set(primary.address(), State.BUSY);
      executor.execute(
          () -> {
            try {
              set(primary.address(), probe.test(primary) ? State.GOOD : State.BAD);
            } finally {
              probes.release();
            }
          });
    }
    return e.state() == State.GOOD;
  }

  void set(InetSocketAddress primary, State state) {
    Entry e = new Entry(state, clock.instant());
    table.put(primary, e);
    persister.accept(primary, e);
    log.info("event=xot-probe primary={} state={}", primary, state);
  }
}
