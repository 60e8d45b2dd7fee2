package org.cairndns.tools.control;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.cairndns.tools.serve.ServerLock;
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

  /**
   * Says on {@code err} when no server holds the lock beside {@code store}, before a command writes
   * to it: the change then reaches no one until a server starts there, and the operator may have
   * meant another store. Silent when a server runs on it.
   */
  public static void sayWhenNoServer(Path store, PrintWriter err) throws IOException {
    if (!ServerLock.isRunning(store)) {
      err.println(
          "cairn: no server is running on store "
              + store.toAbsolutePath()
              + " (no lock held on "
              + store.getFileName()
              + ".lock): the change is served once one starts on it");
    }
  }
}
