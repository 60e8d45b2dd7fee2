package org.cairndns.zone.store;

/** A store operation that was refused or failed; the message is for an operator. */
public final class ZoneStoreException extends Exception {
  private static final long serialVersionUID = 1L;

  public ZoneStoreException(String message) {
    super(message);
  }

  public ZoneStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
