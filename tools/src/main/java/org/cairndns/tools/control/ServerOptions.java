package org.cairndns.tools.control;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a command names the running server: by its configuration or its store. */
public final class ServerOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "The server's YAML configuration: its store and control endpoint.")
  Path config;

  @Option(names = "--db", paramLabel = "PATH", description = "The server's zone store (default: data/cairn, or the configuration's).")
  Path db;

  @Option(names = "--json", description = "Print the server's JSON reply instead of a table.")
  boolean json;

  public ControlClient client() throws Exception {
    return ControlClient.of(config, db);
  }

  /** Whether the reply is wanted as JSON. */
  public boolean json() {
    return json;
  }
}
