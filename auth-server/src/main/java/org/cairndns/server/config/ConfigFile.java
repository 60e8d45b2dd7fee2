package org.cairndns.server.config;

/**
 * Where a running server's configuration comes from, read again by {@code cairn reload} and SIGHUP:
 * the file given to {@code cairn serve --config}, with the command line's overrides applied again.
 */
@FunctionalInterface
public interface ConfigFile {
  /** The configuration as the file says now, validated like at start. */
  CairnConfig read() throws ConfigException;
}
