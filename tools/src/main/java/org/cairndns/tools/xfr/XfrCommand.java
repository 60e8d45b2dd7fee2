package org.cairndns.tools.xfr;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cairndns.tools.control.ServerOptions;
import org.cairndns.xfr.secondary.XotProbeTable;
import org.cairndns.zone.store.ZoneStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cairn xfr probes}: what the secondary learned about which primaries speak XoT. */
@Command(
    name = "xfr",
    mixinStandardHelpOptions = true,
    description = "Zone transfer state.",
    subcommands = {XfrCommand.Probes.class})
public final class XfrCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (probes)");
  }

  @Command(
      name = "probes",
      mixinStandardHelpOptions = true,
      description = "Print the XoT probe table (opportunistic TLS): primary, state, last change.")
  static final class Probes implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--db",
        paramLabel = "PATH",
        description = "Zone store path (default: data/cairn, which is then named on stderr).")
    Path db;

    @Override
    public Integer call() throws Exception {
      Path path = db != null ? db : ServerOptions.defaultStore(spec.commandLine().getErr());
      try (ZoneStore store = ZoneStore.open(path)) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-40s %-8s %s%n", "PRIMARY", "STATE", "CHANGED");
        for (XotProbeTable.Row row : new XotProbeTable(store.database()).rows()) {
          out.printf("%-40s %-8s %s%n", row.address(), row.state(), row.changedAt());
        }
      }
      return 0;
    }
  }
}
