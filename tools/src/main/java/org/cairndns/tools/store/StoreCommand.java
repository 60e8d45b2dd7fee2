package org.cairndns.tools.store;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cairndns.tools.control.ServerOptions;
import org.cairndns.zone.store.StoreBackup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn store ...}: back the whole store up, with every version and journal, and restore it.
 */
@Command(
    name = "store",
    mixinStandardHelpOptions = true,
    description = "Back up and restore the zone store.",
    subcommands = {StoreCommand.Backup.class, StoreCommand.Restore.class})
public final class StoreCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing subcommand (backup, restore)");
  }

  /** What backup and restore share: the FILE argument and one line on stdout when done. */
  abstract static class StoreFileCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE")
    Path file;

    /** Does the work; returns the line that says what was done. */
    abstract String run() throws Exception;

    @Override
    public Integer call() throws Exception {
      spec.commandLine().getOut().println(run());
      return 0;
    }
  }

  @Command(
      name = "backup",
      mixinStandardHelpOptions = true,
      description =
          "Write a consistent copy of the store and its password into FILE (a zip), also while a server runs on it.")
  static final class Backup extends StoreFileCommand {
    @Option(
        names = "--db",
        paramLabel = "PATH",
        description = "Zone store path (default: data/cairn, which is then named on stderr).")
    Path db;

    @Override
    String run() throws Exception {
      Path store = db != null ? db : ServerOptions.defaultStore(spec.commandLine().getErr());
      StoreBackup.backup(store, file);
      return "store " + store + " backed up to " + file;
    }
  }

  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description =
          "Unpack a backup made by `cairn store backup` into a new store at --db (which must not exist).")
  static final class Restore extends StoreFileCommand {
    @Option(
        names = "--db",
        paramLabel = "PATH",
        required = true,
        description = "The new store's path.")
    Path db;

    @Override
    String run() throws Exception {
      StoreBackup.restore(file, db);
      ServerOptions.sayWhenNoServer(db, spec.commandLine().getErr());
      return file + " restored into store " + db;
    }
  }
}
