package org.cairndns.xfr.secondary;

/** A transfer or SOA check that failed; the whole transfer is discarded. */
public final class TransferFailure extends Exception {
  private static final long serialVersionUID = 1L;

  public TransferFailure(String message) {
    super(message);
  }

  public TransferFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
