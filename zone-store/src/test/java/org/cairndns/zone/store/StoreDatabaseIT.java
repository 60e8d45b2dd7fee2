package org.cairndns.zone.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every way out of a transaction but a normal return rolls back what it wrote. */
class StoreDatabaseIT {
  @TempDir Path dir;
  ZoneStore store;
  StoreDatabase database;

  @BeforeEach
  void open() throws Exception {
    store = ZoneStore.open(dir.resolve("db"));
    database = store.database();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aTransactionThatReturnsIsCommitted() throws Exception {
    database.inTransaction("cannot count", StoreDatabaseIT::count);
    assertEquals(1, store.changeCounter());
  }

  @Test
  void anSqlOrIoErrorRollsBackAndBecomesAStoreErrorWithItsCause() throws Exception {
    SQLException sql = new SQLException("disk full");
    ZoneStoreException e =
        assertThrows(
            ZoneStoreException.class,
            () ->
                database.inTransaction(
                    "cannot count",
                    db -> {
                      count(db);
                      throw sql;
                    }));
    assertEquals("cannot count: disk full", e.getMessage());
    assertSame(sql, e.getCause());
    IOException io =
        new IOException("stored records are truncated", new IllegalStateException("at byte 7"));
    e =
        assertThrows(
            ZoneStoreException.class,
            () ->
                database.inTransaction(
                    "cannot read",
                    db -> {
                      count(db);
                      throw io;
                    }));
    assertEquals("cannot read: at byte 7", e.getMessage(), "the root cause's message");
    assertSame(io, e.getCause());
    assertEquals(0, store.changeCounter());
  }

  @Test
  void aStoreErrorOrAnUnexpectedExceptionRollsBackAndIsRethrownAsItIs() throws Exception {
    ZoneStoreException refused = new ZoneStoreException("serial is not newer");
    assertSame(
        refused,
        assertThrows(
            ZoneStoreException.class,
            () ->
                database.inTransaction(
                    "cannot count",
                    db -> {
                      count(db);
                      throw refused;
                    })));
    IllegalStateException bug = new IllegalStateException("bug");
    assertSame(
        bug,
        assertThrows(
            IllegalStateException.class,
            () ->
                database.inTransaction(
                    "cannot count",
                    db -> {
                      count(db);
                      throw bug;
                    })));
    assertEquals(0, store.changeCounter(), "nothing left behind for the next commit");
  }

  /**
   * The store has one connection: were a second transaction to run while the first is open, its
   * commit would commit the first one's writes too, which the first one then could not roll back.
   */
  @Test
  @Timeout(60)
  void aTransactionWaitsUntilTheOneRunningHasEnded() throws Exception {
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      AtomicReference<Thread> otherThread = new AtomicReference<>();
      AtomicReference<Future<Integer>> committing = new AtomicReference<>();
      assertThrows(
          ZoneStoreException.class,
          () ->
              database.inTransaction(
                  "cannot count",
                  db -> {
                    count(db);
                    committing.set(
                        other.submit(
                            () -> {
                              otherThread.set(Thread.currentThread());
                              return database.inTransaction("cannot count", StoreDatabaseIT::count);
                            }));
                    await("the other transaction waits, or has run")
                        .atMost(Duration.ofSeconds(10))
                        .until(
                            () ->
                                committing.get().isDone()
                                    || (otherThread.get() != null
                                        && otherThread.get().getState() == Thread.State.BLOCKED));
                    throw new SQLException("refused");
                  }));
      committing.get().get();
    } finally {
      other.shutdownNow();
    }
    assertEquals(
        1, store.changeCounter(), "the refused write rolled back, the other one committed");
  }

  private static int count(Connection db) throws SQLException {
    try (PreparedStatement st =
        db.prepareStatement("UPDATE store_state SET change_counter = change_counter + 1")) {
      return st.executeUpdate();
    }
  }
}
