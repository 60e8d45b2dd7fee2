package org.cairndns.zone.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
    ZoneStoreException e = assertThrows(ZoneStoreException.class, () -> database.inTransaction("cannot count", db -> {
      count(db);
      throw sql;
    }));
    assertEquals("cannot count: disk full", e.getMessage());
    assertSame(sql, e.getCause());
    IOException io = new IOException("stored records are truncated", new IllegalStateException("at byte 7"));
    e = assertThrows(ZoneStoreException.class, () -> database.inTransaction("cannot read", db -> {
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
    assertSame(refused, assertThrows(ZoneStoreException.class, () -> database.inTransaction("cannot count", db -> {
      count(db);
      throw refused;
    })));
    IllegalStateException bug = new IllegalStateException("bug");
    assertSame(bug, assertThrows(IllegalStateException.class, () -> database.inTransaction("cannot count", db -> {
      count(db);
      throw bug;
    })));
    assertEquals(0, store.changeCounter(), "nothing left behind for the next commit");
  }

  private static int count(Connection db) throws SQLException {
    try (PreparedStatement st = db.prepareStatement("UPDATE store_state SET change_counter = change_counter + 1")) {
      return st.executeUpdate();
    }
  }
}
