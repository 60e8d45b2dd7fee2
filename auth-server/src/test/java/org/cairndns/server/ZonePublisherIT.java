package org.cairndns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.ZoneSnapshot;
import org.cairndns.zone.store.ZoneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

/** The store poll and a secondary's refresher publishing the same zone do not step on each other. */
class ZonePublisherIT {
  static final Name ZONE = Name.fromConstantString("pub.test.");
  @TempDir Path dir;

  private static List<org.xbill.DNS.Record> version(long serial) {
    return ServerFixture.parse("pub.test.", ServerFixture.hostsZone("pub.test", serial, 3, ""));
  }

  @Test
  void theStorePollLeavesAZoneToItsRefresherUntilItPublishesOrGivesUp() throws Exception {
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ZoneSet zones = new ZoneSet();
      List<Long> published = new ArrayList<>();
      ZonePublisher publisher = new ZonePublisher(store, zones, Set.of(), s -> published.add(s.serial()));
      store.load(ZONE, version(1), "t", false);
      publisher.refresh();
      assertEquals(1, zones.get(ZONE).serial());

      publisher.storing(ZONE);
      store.load(ZONE, version(2), "t", false);
      publisher.refresh();
      assertEquals(1, zones.get(ZONE).serial(), "the poll does not rebuild a zone being stored by its refresher");
      publisher.publish(ZoneSnapshot.build(ZONE, version(2)));
      assertEquals(2, zones.get(ZONE).serial());

      publisher.storing(ZONE);
      store.load(ZONE, version(3), "t", false);
      publisher.refresh();
      assertEquals(2, zones.get(ZONE).serial());
      publisher.abandoned(ZONE); // the refresher could not build it: the store is the source again
      publisher.refresh();
      assertEquals(3, zones.get(ZONE).serial());
      assertEquals(List.of(1L, 2L, 3L), published, "each version published (and NOTIFY sent) once");
    }
  }

  /** An unexpected failure is logged with its stack (it was one line with the message only). */
  @Test
  void anUnexpectedFailureWhilePublishingIsLoggedWithItsStack() throws Exception {
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ZonePublisher.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      ZonePublisher publisher = new ZonePublisher(store, new ZoneSet(), Set.of(), s -> {
        throw new IllegalStateException("a bug after the build");
      });
      store.load(ZONE, version(1), "t", false);
      publisher.refresh();
      ch.qos.logback.classic.spi.ILoggingEvent failed = lines.list.stream()
          .filter(e -> e.getFormattedMessage().contains("event=publish-failed")).findFirst().orElseThrow();
      assertEquals("a bug after the build", failed.getThrowableProxy().getMessage(), failed.getFormattedMessage());
    } finally {
      logger.detachAppender(lines);
    }
  }
}
