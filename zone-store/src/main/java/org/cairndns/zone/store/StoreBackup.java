package org.cairndns.zone.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.PreparedStatement;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Backs a zone store up while a server runs on it, and restores such a backup into a new store
 * path.
 *
 * <p>A backup is one zip file holding {@code NAME.mv.db}, a consistent copy made by H2's {@code
 * BACKUP TO}, and {@code NAME.key}, the store's password, without which the copy cannot be opened.
 * H2 runs the statement in the process that serves the database in auto-server mode (the running
 * server, when there is one), so its copy is written into the store's own folder, which that
 * process can write even under {@code ProtectSystem=strict}, and moved from there to its
 * destination by this process.
 */
public final class StoreBackup {
  private static final String MV_DB = ".mv.db";
  private static final String KEY = ".key";

  private StoreBackup() {}

  /**
   * Writes a backup of the store at {@code store} (base path, like {@link ZoneStore#open}) to
   * {@code target}.
   */
  public static void backup(Path store, Path target) throws ZoneStoreException {
    Path dbFile = sibling(store, MV_DB);
    if (!Files.exists(dbFile)) {
      throw new ZoneStoreException("no zone store at " + store + " (" + dbFile + " is missing)");
    }
    Path h2Copy = sibling(store, ".backup-" + ProcessHandle.current().pid() + ".zip");
    try {
      // Through the store's own connection, which also migrates an older store and tightens its
      // files'
      // modes, as every command does; H2 runs BACKUP TO in the process serving the database.
      try (ZoneStore opened = ZoneStore.open(store)) {
        opened
            .database()
            .inTransaction(
                "cannot back up zone store " + store,
                db -> {
                  try (PreparedStatement backup = db.prepareStatement("BACKUP TO ?")) {
                    backup.setString(1, h2Copy.toAbsolutePath().toString());
                    backup.execute();
                  }
                  return null;
                });
      }
      String password = Files.readString(sibling(store, KEY)).trim();
      Path partial = target.resolveSibling(target.getFileName() + ".partial");
      try (OutputStream file = createOwnerOnly(partial); // it holds the password and every zone
          ZipOutputStream out = new ZipOutputStream(file);
          ZipInputStream in = new ZipInputStream(Files.newInputStream(h2Copy))) {
        String name = store.getFileName().toString();
        boolean copied = false;
        for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
          if (e.getName().endsWith(MV_DB)) {
            out.putNextEntry(new ZipEntry(name + MV_DB));
            in.transferTo(out);
            out.closeEntry();
            copied = true;
          }
        }
        if (!copied) {
          throw new ZoneStoreException("H2's backup of " + store + " holds no " + MV_DB + " file");
        }
        out.putNextEntry(new ZipEntry(name + KEY));
        out.write(password.getBytes(StandardCharsets.US_ASCII));
        out.closeEntry();
      } catch (ZoneStoreException | IOException | RuntimeException e) {
        Files.deleteIfExists(partial);
        throw e;
      }
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ZoneStoreException(
          "cannot back up zone store " + store + " to " + target + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(h2Copy);
      } catch (IOException e) {
        // left in the store's folder, owner-only like it; the next backup does not reuse the name
      }
    }
  }

  /**
   * Unpacks {@code backup} into a new store at {@code store}, which must not exist yet, and opens
   * it once so that an older backup is migrated to this release's schema.
   */
  public static void restore(Path backup, Path store) throws ZoneStoreException {
    Path dbFile = sibling(store, MV_DB);
    Path keyFile = sibling(store, KEY);
    if (Files.exists(dbFile) || Files.exists(keyFile)) {
      throw new ZoneStoreException(
          "a zone store exists at " + store + ": restore into a new path, or move it away first");
    }
    boolean restored = false;
    try {
      Path folder = dbFile.toAbsolutePath().getParent();
      if (folder != null) {
        OwnerOnlyFiles.createDirectories(folder);
      }
      boolean db = false;
      boolean key = false;
      try (ZipInputStream in = new ZipInputStream(Files.newInputStream(backup))) {
        for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
          if (e.getName().endsWith(MV_DB) && !db) {
            write(in, dbFile);
            db = true;
          } else if (e.getName().endsWith(KEY) && !key) {
            write(in, keyFile);
            key = true;
          }
        }
      }
      if (!db || !key) {
        throw new ZoneStoreException(
            backup
                + " is not a Cairn store backup (it needs a "
                + MV_DB
                + " and a "
                + KEY
                + " entry)");
      }
      ZoneStore.open(store).close();
      restored = true;
    } catch (IOException e) {
      throw new ZoneStoreException(
          "cannot restore " + backup + " into " + store + ": " + e.getMessage(), e);
    } finally {
      if (!restored) {
        deleteQuietly(dbFile);
        deleteQuietly(keyFile);
      }
    }
  }

  private static void write(InputStream in, Path file) throws IOException {
    try (OutputStream out = createOwnerOnly(file)) {
      in.transferTo(out);
    }
  }

  /** A new file (never one that exists) with mode 0600. */
  private static OutputStream createOwnerOnly(Path file) throws IOException {
    Files.createFile(file, OwnerOnlyFiles.fileMode(file));
    return Files.newOutputStream(file, StandardOpenOption.WRITE);
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // what a failed restore leaves is named in its error; nothing more to do here
    }
  }

  private static Path sibling(Path path, String suffix) {
    return path.resolveSibling(path.getFileName() + suffix);
  }
}
