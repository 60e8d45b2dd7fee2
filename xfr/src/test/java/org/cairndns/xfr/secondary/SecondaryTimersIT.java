package org.cairndns.xfr.secondary;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.cairndns.zone.store.ZoneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

class SecondaryTimersIT {
  static final Name ZONE = Name.fromConstantString("s.test.");
  @TempDir Path dir;

  @Test
  void theLastSuccessfulCheckSurvivesReopeningTheStore() throws Exception {
    Instant checked = Instant.parse("2026-01-01T00:00:00Z");
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      SecondaryTimers timers = new SecondaryTimers(store.database());
      assertEquals(Optional.empty(), timers.lastSuccess(ZONE));
      timers.saveSuccess(ZONE, checked.minusSeconds(60));
      timers.saveSuccess(ZONE, checked);
    }
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      SecondaryTimers timers = new SecondaryTimers(store.database());
      assertEquals(
          Optional.of(checked),
          timers.lastSuccess(Name.fromString("S.TEST.")),
          "the last one, names compare case-blind");
      assertEquals(Optional.empty(), timers.lastSuccess(Name.fromString("other.test.")));
    }
  }
}
