package org.cairndns.zone.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files and folders only their owner may read (0600 and 0700). The store holds transfer-restricted
 * zones and its own password, so its files get these modes as they are created, never by a chmod
 * afterwards that would leave a moment in which another user could open them.
 */
public final class OwnerOnlyFiles {
  private static final Logger log = LoggerFactory.getLogger(OwnerOnlyFiles.class);
  private static final Set<PosixFilePermission> GROUP_AND_OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private OwnerOnlyFiles() {}

  /**
   * The attribute that creates a file with mode 0600 (none on a file system without POSIX modes).
   */
  public static FileAttribute<?>[] fileMode(Path file) {
    return mode(file, "rw-------");
  }

  /**
   * The attribute that creates a folder with mode 0700 (none on a file system without POSIX modes).
   */
  public static FileAttribute<?>[] directoryMode(Path dir) {
    return mode(dir, "rwx------");
  }

  /**
   * Creates {@code dir} and its missing parents with mode 0700; existing folders are left as they
   * are.
   */
  public static void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir, directoryMode(dir));
  }

  /**
   * Takes group and other permissions away from {@code file} if it exists and has any, with a
   * warning: a file from an older version or copied in with a loose umask.
   */
  public static void tighten(Path file) {
    if (!isPosix(file) || !Files.exists(file)) {
      return;
    }
    try {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
      Set<PosixFilePermission> owner = EnumSet.noneOf(PosixFilePermission.class);
      owner.addAll(mode);
      owner.removeAll(GROUP_AND_OTHERS);
      if (owner.size() != mode.size()) {
        Files.setPosixFilePermissions(file, owner);
        log.warn(
            "event=file-mode-tightened file={} was={} now={} (only its owner may read it)",
            file,
            PosixFilePermissions.toString(mode),
            PosixFilePermissions.toString(owner));
      }
    } catch (IOException | SecurityException e) {
      log.warn(
          "event=file-mode-too-open file={} error=\"{}\" (others may read it; make it mode 0600)",
          file,
          e.getMessage());
    }
  }

  private static FileAttribute<?>[] mode(Path path, String permissions) {
    return isPosix(path)
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))
        }
        : new FileAttribute<?>[0];
  }

  private static boolean isPosix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
