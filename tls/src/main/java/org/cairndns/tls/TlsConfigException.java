package org.cairndns.tls;

/** Certificates or keys that cannot be used; the message names the file. */
public final class TlsConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public TlsConfigException(String message) {
    super(message);
  }

  public TlsConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
