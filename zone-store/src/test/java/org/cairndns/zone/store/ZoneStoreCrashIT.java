package org.cairndns.zone.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/** kill -9 in the middle of a load leaves the previous version whole. */
class ZoneStoreCrashIT {
  static final Name ZONE = Name.fromConstantString("crash.test.");
  @TempDir Path dir;

  @Test
  void killedLoadLeavesThePreviousVersion() throws Exception {
    Path db = dir.resolve("db");
    try (ZoneStore store = ZoneStore.open(db)) {
      store.load(
          ZONE,
          ZoneStoreIT.zone(1, "www IN A 192.0.2.1").stream()
              .map(r -> r.withName(relocate(r.getName())))
              .toList(),
          "v1",
          false);
    }
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                BigLoad.class.getName(),
                db.toString())
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.equals("loading")) {
        // wait for the child to be inside the load transaction
      }
    }
    child.destroyForcibly();
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    try (ZoneStore store = ZoneStore.open(db)) {
      ZoneContent content = store.current(ZONE).orElseThrow();
      // Either the kill landed before the commit (version 1, whole) or after it (version 2, whole).
      if (content.serial() == 1) {
        assertEquals(4, content.records().size());
      } else {
        assertEquals(2, content.serial());
        assertEquals(BigLoad.RECORDS + 3, content.records().size());
      }
      assertEquals(content.serial(), store.list().get(0).serial());
    }
  }

  private static Name relocate(Name n) {
    try {
      return Name.concatenate(n.relativize(ZoneStoreIT.ZONE), ZONE);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs in the child JVM: starts a large load and prints "loading" just before it. */
  public static final class BigLoad {
    static final int RECORDS = 300_000;

    public static void main(String[] args) throws Exception {
      List<Record> records =
          new ArrayList<>(
              ZoneStoreIT.zone(2).stream().map(r -> r.withName(relocate(r.getName()))).toList());
      for (int i = 0; i < RECORDS; i++) {
        records.add(
            new ARecord(
                Name.fromString("h" + i, ZONE),
                DClass.IN,
                300,
                java.net.InetAddress.getByAddress(
                    new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i})));
      }
      try (ZoneStore store = ZoneStore.open(Path.of(args[0]))) {
        System.out.println("loading");
        System.out.flush();
        store.load(ZONE, records, "big", false);
        System.out.println("done");
      }
    }
  }
}
