package org.cairndns.xfr.secondary;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.cairndns.zone.store.ZoneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

class RetransferRequestsIT {
  static final Name ZONE = Name.fromConstantString("s.test.");
  @TempDir Path dir;

  @Test
  void aRequestSurvivesReopeningTheStoreAndIsTakenOnce() throws Exception {
    Name other = Name.fromConstantString("a.test.");
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      RetransferRequests requests = new RetransferRequests(store.database());
      requests.request(ZONE);
      requests.request(Name.fromString("S.TEST.")); // asked twice, taken once
      requests.request(other);
    }
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      RetransferRequests requests = new RetransferRequests(store.database());
      assertEquals(List.of(other, ZONE), requests.take());
      assertEquals(List.of(), requests.take());
    }
  }
}
