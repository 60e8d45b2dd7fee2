package org.cairndns.tools.migration;

/** A configuration that cannot be read: the message starts with {@code FILE:LINE:}. */
final class ImportException extends Exception {
  private static final long serialVersionUID = 1L;

  ImportException(ImportedConfig.Where where, String reason) {
    super(where + ": " + reason);
  }
}
