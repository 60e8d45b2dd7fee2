package org.cairndns.tools.serve;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import org.cairndns.zone.store.OwnerOnlyFiles;

/**
 * A running server's claim on its store: an exclusive lock on {@code PATH.lock}, held for the
 * server's life, and its process ID in {@code PATH.pid}. The operating system drops the lock when
 * the process ends, however it ends, so the lock is what makes the pid file trustworthy: a pid file
 * whose lock nobody holds is stale, and its number may by now be any other process's. Commands
 * other than {@code serve} do not take the lock; they reach the store through H2's auto-server
 * while a server runs. One claim per process: Linux drops a process's lock when it closes any
 * channel on the file, so nothing else in the server opens {@code PATH.lock}.
 */
public final class ServerLock implements AutoCloseable {
  private final FileChannel channel;
  private final Path pidFile;

  private ServerLock(FileChannel channel, Path pidFile) {
    this.channel = channel;
    this.pidFile = pidFile;
  }

  /**
   * Claims {@code database} for this process and removes a stale pid file.
   *
   * @throws IllegalStateException when a running server holds the store
   */
  public static ServerLock acquire(Path database) throws IOException {
    Path lockFile = sibling(database, ".lock");
    Path parent = lockFile.toAbsolutePath().getParent();
    if (parent != null) {
      OwnerOnlyFiles.createDirectories(parent);
    }
    FileChannel channel =
        FileChannel.open(
            lockFile,
            EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
            OwnerOnlyFiles.fileMode(lockFile));
    boolean locked = false;
    try {
      locked = channel.tryLock() != null;
    } catch (OverlappingFileLockException thisProcess) {
      // a server in this JVM holds it
    } finally {
      if (!locked) {
        channel.close();
      }
    }
    if (!locked) {
      throw new IllegalStateException(
          "store "
              + database
              + " is in use by a running server (pid "
              + recordedPid(pidFile(database)).map(String::valueOf).orElse("not recorded yet")
              + ")");
    }
    Path pidFile = pidFile(database);
    Files.deleteIfExists(pidFile); // left by a server that is gone
    return new ServerLock(channel, pidFile);
  }

  /**
   * Writes this process's ID to {@code PATH.pid} (mode 0600); call once the server takes signals.
   */
  public void writePid() throws IOException {
    try (SeekableByteChannel out =
        Files.newByteChannel(
            pidFile,
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            OwnerOnlyFiles.fileMode(pidFile))) {
      out.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
    }
  }

  /** Removes the pid file, then lets the store go. */
  @Override
  public void close() throws IOException {
    try {
      Files.deleteIfExists(pidFile);
    } finally {
      channel.close(); // releases the lock
    }
  }

  /**
   * The process ID of the server running on {@code database}, checked before anyone signals it: a
   * server holds the store's lock, the process in the pid file is alive, and its command line,
   * where the system shows it, is Java's or Cairn's.
   *
   * @throws IllegalStateException when no server runs on the store (a stale pid file is said to be
   *     stale) or the pid file does not name the server
   */
  public static long runningServer(Path database) throws IOException {
    Path pidFile = pidFile(database);
    if (!isHeld(sibling(database, ".lock"))) {
      throw new IllegalStateException(
          "no server is running on "
              + database
              + (Files.exists(pidFile)
                  ? "; " + pidFile + " is stale and its process was not signalled"
                  : ""));
    }
    long pid =
        recordedPid(pidFile)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the server on "
                            + database
                            + " has not written "
                            + pidFile
                            + " yet; try again when it has started"));
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      throw new IllegalStateException(
          "process " + pid + " named in " + pidFile + " is not running");
    }
    Optional<String> commandLine = commandLine(process.get());
    if (commandLine.isPresent() && !looksLikeCairn(commandLine.get())) {
      throw new IllegalStateException(
          "process "
              + pid
              + " named in "
              + pidFile
              + " is not a Cairn server ("
              + commandLine.get()
              + "); it was not signalled");
    }
    return pid;
  }

  /** Whether a server holds the lock of {@code database}, i.e. runs on it. */
  public static boolean isRunning(Path database) throws IOException {
    return isHeld(sibling(database, ".lock"));
  }

  /** Where a running server writes its process ID: beside the store, {@code PATH.pid}. */
  static Path pidFile(Path database) {
    return sibling(database, ".pid");
  }

  private static Path sibling(Path database, String suffix) {
    return database.resolveSibling(database.getFileName() + suffix);
  }

  /**
   * Whether some process holds the lock; asked with a shared lock, which only an exclusive one
   * blocks.
   */
  private static boolean isHeld(Path lockFile) throws IOException {
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ)) {
      FileLock probe = channel.tryLock(0, Long.MAX_VALUE, true);
      if (probe == null) {
        return true;
      }
      probe.release();
      return false;
    } catch (NoSuchFileException neverServed) {
      return false;
    } catch (OverlappingFileLockException thisProcess) {
      return true;
    }
  }

  private static Optional<Long> recordedPid(Path pidFile) {
    try {
      return Optional.of(Long.parseLong(Files.readString(pidFile).trim()));
    } catch (IOException | NumberFormatException missingOrPartlyWritten) {
      return Optional.empty();
    }
  }

  /** Linux shows every process's arguments in /proc, also another user's; elsewhere Java may. */
  private static Optional<String> commandLine(ProcessHandle process) {
    try {
      byte[] nulSeparated =
          Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
      return Optional.of(
          new String(nulSeparated, StandardCharsets.UTF_8).replace('\0', ' ').trim());
    } catch (IOException noProc) {
      return process.info().commandLine();
    }
  }

  private static boolean looksLikeCairn(String commandLine) {
    String lower = commandLine.toLowerCase(Locale.ROOT);
    return lower.contains("cairn") || lower.contains("java");
  }
}
