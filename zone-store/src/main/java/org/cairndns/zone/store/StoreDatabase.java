package org.cairndns.zone.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;

/**
 * The store's H2 database: opened once (password, file modes, schema by Flyway) and used one
 * transaction at a time through {@link #inTransaction}, the only place that commits or rolls back.
 * Other modules keep their own tables in it with their own repository classes (xfr's XoT probes,
 * secondary timers and retransfer requests); the schema stays in this module's migrations, because
 * Flyway versions one database with one history, and two modules numbering migrations apart would
 * collide on it.
 */
public final class StoreDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StoreDatabase.class);
  private static final String USER = "cairn";

  /** Work done inside one transaction; whatever it throws rolls the transaction back. */
  @FunctionalInterface
  public interface Transaction<T> {
    T run(Connection db) throws SQLException, IOException, ZoneStoreException;
  }

  private final Connection db;

  private StoreDatabase(Connection db) {
    this.db = db;
  }

  /**
   * Opens the database at {@code path}, creating and migrating it as needed. The database is opened
   * in H2's auto-server mode so the command line can load zones while a server has the store open.
   *
   * @param path database base path without the {@code .mv.db} suffix, e.g. {@code data/cairn}
   */
  static StoreDatabase open(Path path) throws ZoneStoreException {
    // No trace file: H2 would create PATH.trace.db with the default mode, and every error it
    // records reaches us as an SQLException anyway.
    String url = "jdbc:h2:file:" + path.toAbsolutePath() + ";AUTO_SERVER=TRUE;TRACE_LEVEL_FILE=0";
    // The auto-server port is for processes on this machine (the CLI beside a running server).
    if (System.getProperty("h2.bindAddress") == null) {
      System.setProperty("h2.bindAddress", "127.0.0.1");
    }
    try {
      String password = password(path);
      createDatabaseFile(path);
      Flyway.configure().dataSource(url, USER, password).loggers("slf4j").load().migrate();
      Connection c = DriverManager.getConnection(url, USER, password);
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      return new StoreDatabase(c);
    } catch (SQLException | IOException | RuntimeException e) {
      throw new ZoneStoreException("cannot open zone store " + path + ": " + rootMessage(e), e);
    }
  }

  /**
   * Runs {@code work} in one transaction and commits it. Anything {@code work} throws rolls it
   * back: a store error is rethrown as it is, an SQL or I/O error becomes a {@link
   * ZoneStoreException} saying {@code failure} with the cause, and an unexpected runtime exception
   * is rethrown after the rollback, so no half-done change is left for the next commit.
   * Transactions on one database run one after the other.
   *
   * @param failure what could not be done, for the error message, e.g. "cannot read zone x."
   */
  public synchronized <T> T inTransaction(String failure, Transaction<T> work)
      throws ZoneStoreException {
    try {
      T result = work.run(db);
      db.commit();
      return result;
    } catch (SQLException | IOException e) {
      rollbackQuietly();
      throw new ZoneStoreException(failure + ": " + rootMessage(e), e);
    } catch (ZoneStoreException | RuntimeException e) {
      rollbackQuietly();
      throw e;
    }
  }

  /** The key of a zone in every table: its name in lower case, so names compare case-blind. */
  public static String key(Name zone) {
    return zone.toString().toLowerCase(Locale.ROOT);
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      log.warn("event=store-close-failed error=\"{}\"", e.getMessage());
    }
  }

  private void rollbackQuietly() {
    try {
      db.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the transaction is gone either way
    }
  }

  /**
   * The database password, kept in {@code PATH.key} (mode 0600) and made when the store is created.
   * H2's auto-server mode, which lets the command line write while a server runs, opens a TCP port
   * for the database, so the store must not be open to anyone who can reach it. A new store's
   * folder is made with mode 0700; the files of an existing store that others may read are
   * tightened with a warning.
   */
  private static String password(Path path) throws IOException, ZoneStoreException {
    Path keyFile = sibling(path, ".key");
    Path dbFile = sibling(path, ".mv.db");
    if (Files.exists(keyFile)) {
      for (String suffix : List.of(".key", ".mv.db", ".trace.db")) {
        OwnerOnlyFiles.tighten(sibling(path, suffix));
      }
      return Files.readString(keyFile).trim();
    }
    if (Files.exists(dbFile)) {
      throw new ZoneStoreException(
          "cannot open zone store " + path + ": its password file " + keyFile + " is missing");
    }
    Path parent = keyFile.toAbsolutePath().getParent();
    if (parent != null) {
      OwnerOnlyFiles.createDirectories(parent);
    }
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    try (SeekableByteChannel out =
        Files.newByteChannel(
            keyFile,
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            OwnerOnlyFiles.fileMode(keyFile))) {
      out.write(ByteBuffer.wrap(password.getBytes(StandardCharsets.US_ASCII)));
    }
    return password;
  }

  /**
   * Creates {@code PATH.mv.db} empty with mode 0600 when it is missing: H2 takes an empty file as a
   * new database and keeps its mode, where it would create one others can read.
   */
  private static void createDatabaseFile(Path path) throws IOException {
    Path dbFile = sibling(path, ".mv.db");
    try {
      Files.createFile(dbFile, OwnerOnlyFiles.fileMode(dbFile));
    } catch (FileAlreadyExistsException existing) {
      // an existing store, or another process created it first
    }
  }

  /** {@code PATH} plus {@code suffix}: the store's files sit beside each other. */
  private static Path sibling(Path path, String suffix) {
    return path.resolveSibling(path.getFileName() + suffix);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
