package org.cairndns.log;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * One log call site that an outside party can trigger (a malformed packet, a refused transfer, a
 * NOTIFY from a stranger): at most {@code lines} lines per interval reach the logger, and the next
 * line after a busy interval is preceded by one {@code event=log-suppressed} line with the count. A
 * spoofed flood then costs a few lines a minute instead of one per packet. Lock-free: many
 * event-loop threads share one instance.
 */
public final class RateLimitedLog {
  /** Lines per interval per call site, enough to see what is going on. */
  public static final int DEFAULT_LINES = 10;

  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

  private final Logger logger;
  private final Level level;
  private final String event;
  private final int lines;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong intervalStart;
  private final AtomicInteger logged = new AtomicInteger();
  private final AtomicLong suppressed = new AtomicLong();

  /**
   * @param event the call site's {@code event=} name, repeated in the suppression line
   */
  public RateLimitedLog(Logger logger, Level level, String event) {
    this(logger, level, event, DEFAULT_LINES, DEFAULT_INTERVAL, System::nanoTime);
  }

  public RateLimitedLog(
      Logger logger,
      Level level,
      String event,
      int lines,
      Duration interval,
      LongSupplier nanoTime) {
    this.logger = logger;
    this.level = level;
    this.event = event;
    this.lines = lines;
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
    this.intervalStart = new AtomicLong(nanoTime.getAsLong());
  }

  /**
   * Logs {@code format} (SLF4J style, a trailing Throwable logs its stack) unless over the rate.
   */
  public void log(String format, Object... args) {
    if (!logger.isEnabledForLevel(level)) {
      return;
    }
    long now = nanoTime.getAsLong();
    long start = intervalStart.get();
    if (now - start >= intervalNanos && intervalStart.compareAndSet(start, now)) {
      logged.set(0);
      long dropped = suppressed.getAndSet(0);
      if (dropped > 0) {
        emit(
            "event=log-suppressed of={} lines={} interval={}s",
            event,
            dropped,
            intervalNanos / 1_000_000_000L);
      }
    }
    if (logged.incrementAndGet() <= lines) {
      emit(format, args);
    } else {
      suppressed.incrementAndGet();
    }
  }

  private void emit(String format, Object... args) {
    switch (level) {
      case ERROR -> logger.error(format, args);
      case WARN -> logger.warn(format, args);
      case INFO -> logger.info(format, args);
      case DEBUG -> logger.debug(format, args);
      case TRACE -> logger.trace(format, args);
    }
  }
}
