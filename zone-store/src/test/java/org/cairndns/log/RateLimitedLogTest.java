package org.cairndns.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class RateLimitedLogTest {
  final Logger logger = (Logger) LoggerFactory.getLogger("rate-limited-log-test");
  final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  final AtomicLong now = new AtomicLong();

  @BeforeEach
  void capture() {
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
  }

  @Test
  void aFloodLogsTheFirstLinesThenOneSummaryPerInterval() {
    RateLimitedLog log =
        new RateLimitedLog(logger, Level.WARN, "flood", 3, Duration.ofSeconds(60), now::get);
    for (int i = 0; i < 10_000; i++) {
      log.log("event=flood n={}", i);
    }
    assertEquals(3, lines.list.size());
    now.addAndGet(Duration.ofSeconds(61).toNanos());
    log.log("event=flood n={}", "late");
    List<String> messages = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(
        List.of(
            "event=flood n=0",
            "event=flood n=1",
            "event=flood n=2",
            "event=log-suppressed of=flood lines=9997 interval=60s",
            "event=flood n=late"),
        messages);
  }

  @Test
  void aTrailingThrowableKeepsItsStack() {
    RateLimitedLog log = new RateLimitedLog(logger, Level.WARN, "failed");
    log.log("event=failed error=\"{}\"", "boom", new IllegalStateException("boom"));
    assertNotNull(lines.list.get(0).getThrowableProxy());
  }
}
