package org.cairndns.zone.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.cairndns.zone.TestZones;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

/** The store's files and folders are only their owner's, from the moment they exist. */
class ZoneStoreFileModesIT {
  static final Name ZONE = Name.fromConstantString("s.test.");
  @TempDir Path dir;

  /** Mode of every file and folder under {@code root}, H2's own lock file aside. */
  static Map<String, String> modes(Path root) throws Exception {
    Map<String, String> modes = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        if (!p.getFileName().toString().endsWith(".lock.db")) {
          PosixFileAttributes a =
              Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          modes.put(root.relativize(p).toString(), PosixFilePermissions.toString(a.permissions()));
        }
      }
    }
    return modes;
  }

  static void assertOwnerOnly(Map<String, String> modes) {
    modes.forEach(
        (file, mode) ->
            assertTrue(
                mode.equals("rw-------") || mode.equals("rwx------"),
                "only the owner may read " + file + ": " + modes));
  }

  @Test
  void aNewStoreIsCreatedOwnerOnly() throws Exception {
    Path root = dir.resolve("data");
    Path path = root.resolve("sub/cairn");
    try (ZoneStore store = ZoneStore.open(path, 3)) {
      store.load(
          ZONE,
          TestZones.parse(
              "s.test.",
              "$TTL 300\n@ IN SOA ns hm 1 3600 600 86400 60\n@ IN NS ns\nns IN A 192.0.2.1\n"),
          "t",
          false);
      // A refused login is what H2 writes to its trace file.
      String url = "jdbc:h2:file:" + path.toAbsolutePath() + ";AUTO_SERVER=TRUE";
      assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "sa", "").close());
      Map<String, String> open = modes(root);
      assertEquals(
          List.of("", "sub", "sub/cairn.key", "sub/cairn.mv.db"),
          List.copyOf(open.keySet()),
          open.toString());
      assertOwnerOnly(open);
    }
    assertOwnerOnly(modes(root));
    assertTrue(
        Files.size(root.resolve("sub/cairn.mv.db")) > 0,
        "H2 wrote its database into the file made for it");
    try (ZoneStore reopened = ZoneStore.open(path, 3)) {
      assertEquals(1, reopened.current(ZONE).orElseThrow().serial());
    }
    assertOwnerOnly(modes(root));
  }

  @Test
  void filesOthersCanReadAreTightenedOnOpen() throws Exception {
    Path path = dir.resolve("cairn");
    ZoneStore.open(path, 3).close();
    Path key = dir.resolve("cairn.key");
    Path db = dir.resolve("cairn.mv.db");
    Path trace = Files.createFile(dir.resolve("cairn.trace.db")); // left by an older version
    for (Path p : List.of(key, db, trace)) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
    }
    ZoneStore.open(path, 3).close();
    for (Path p : List.of(key, db, trace)) {
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(p)),
          p.toString());
    }
  }
}
