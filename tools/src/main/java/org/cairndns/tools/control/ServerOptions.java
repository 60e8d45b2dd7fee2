package org.cairndns.tools.control;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How a command names the running server: by its configuration or its store. */
public final class ServerOptions {
  /** The store of a command given neither {@code --config} nor {@code --db}. */
  public static final Path DEFAULT_STORE = Path.of("data/cairn");

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "The server's YAML configuration: its store and control endpoint.")
  Path config;

  @Option(
      names = "--db",
      paramLabel = "PATH",
      description = "The server's zone store (default: data/cairn, or the configuration's).")
  Path db;

  @Option(names = "--json", description = "Print the server's JSON reply instead of a table.")
  boolean json;

  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec mixee;

  public ControlClient client() throws Exception {
    if (config == null && db == null) {
      defaultStore(mixee.commandLine().getErr());
    }
    return ControlClient.of(config, db);
  }

  /** Whether the reply is wanted as JSON. */
  public boolean json() {
    return json;
  }

  /**
   * The default store, named on {@code err}: with neither {@code --config} nor {@code --db} a
   * command may be working on another store than the server's, and the operator should see which.
   */
  public static Path defaultStore(PrintWriter err) {
    err.println("cairn: using store " + DEFAULT_STORE.toAbsolutePath() + " (no --config or --db)");
    return DEFAULT_STORE;
  }
}
