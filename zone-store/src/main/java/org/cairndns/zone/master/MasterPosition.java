package org.cairndns.zone.master;

import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Master;
import org.xbill.DNS.Tokenizer;

/**
 * The file and line dnsjava's {@link Master} has just read a record from. dnsjava 3.6 keeps no
 * per-record position and has no public API for the one its tokenizer tracks, so this reads the
 * private fields {@code Master.included}, {@code Master.st}, {@code Tokenizer.line} and {@code
 * Tokenizer.filename}. Positions are diagnostics only: if a dnsjava upgrade renames them, records
 * get line 0 and one warning is logged with the cause, and {@code MasterPositionTest} fails.
 */
final class MasterPosition {
  private static final Logger log = LoggerFactory.getLogger(MasterPosition.class);
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private static final Field INCLUDED;
  private static final Field TOKENIZER;
  private static final Field LINE;
  private static final Field FILENAME;

  /** Why the fields cannot be read, or null when they can. */
  static final ReflectiveOperationException MISSING;

  static {
    Field included = null;
    Field tokenizer = null;
    Field line = null;
    Field filename = null;
    ReflectiveOperationException missing = null;
    try {
      included = field(Master.class, "included");
      tokenizer = field(Master.class, "st");
      line = field(Tokenizer.class, "line");
      filename = field(Tokenizer.class, "filename");
    } catch (ReflectiveOperationException e) {
      missing = e;
    }
    INCLUDED = included;
    TOKENIZER = tokenizer;
    LINE = line;
    FILENAME = filename;
    MISSING = missing;
  }

  private MasterPosition() {}

  /**
   * The innermost tokenizer's line: the line where the record ends (its last line for a record over
   * several lines), in the $INCLUDEd file when {@code master} is reading one.
   */
  static ZoneFile.Position of(Master master, String file) {
    if (MISSING != null) {
      warnOnce(MISSING);
      return new ZoneFile.Position(file, 0);
    }
    try {
      Master current = master;
      Master inner;
      while ((inner = (Master) INCLUDED.get(current)) != null) {
        current = inner;
      }
      Tokenizer st = (Tokenizer) TOKENIZER.get(current);
      String name = (String) FILENAME.get(st);
      // The tokenizer has consumed the record's final newline, so it is one line past the record.
      int line = Math.max(1, LINE.getInt(st) - 1);
      boolean mainFile = name == null || current == master;
      return new ZoneFile.Position(mainFile ? file : name, line);
    } catch (IllegalAccessException | ClassCastException e) {
      warnOnce(e);
      return new ZoneFile.Position(file, 0);
    }
  }

  private static void warnOnce(Exception cause) {
    if (WARNED.compareAndSet(false, true)) {
      log.warn(
          "event=zone-file-lines-unavailable (dnsjava's Master or Tokenizer changed; records get line 0)",
          cause);
    }
  }

  private static Field field(Class<?> type, String name) throws ReflectiveOperationException {
    Field f = type.getDeclaredField(name);
    try {
      f.setAccessible(true);
    } catch (
        RuntimeException e) { // InaccessibleObjectException should dnsjava become a named module
      throw new ReflectiveOperationException("cannot open " + type.getName() + "." + name, e);
    }
    return f;
  }
}
