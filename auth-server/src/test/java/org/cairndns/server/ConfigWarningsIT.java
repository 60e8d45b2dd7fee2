package org.cairndns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The configuration's warnings (weak TSIG keys) are logged once each when the server starts. */
class ConfigWarningsIT {
  @TempDir Path dir;

  @Test
  void aWeakKeyIsWarnedOfAtStartAndTheServerStillStarts() throws Exception {
    Logger serverLog = (Logger) LoggerFactory.getLogger(CairnServer.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    serverLog.addAppender(lines);
    try (CairnServer server =
        ServerFixture.start(
            dir,
            """
            database: db/cairn
            listen: [127.0.0.1:0]
            tsig-keys: [{name: old, algorithm: hmac-md5, secret: "c2VjcmV0"}]
            """)) {
      List<String> warnings =
          lines.list.stream()
              .filter(e -> e.getLevel() == Level.WARN)
              .map(ILoggingEvent::getFormattedMessage)
              .filter(m -> m.startsWith("event=config-warning"))
              .toList();
      assertEquals(2, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("tsig-keys[0].algorithm: hmac-md5 is deprecated"));
      assertTrue(warnings.get(1).contains("tsig-keys[0].secret: the secret has 6 bytes"));
      assertEquals(1, server.transport().udpAddresses().size(), "started all the same");
    } finally {
      serverLog.detachAppender(lines);
    }
  }
}
