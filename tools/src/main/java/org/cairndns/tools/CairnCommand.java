package org.cairndns.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cairn} command line: zone management, serving, certificates, transfers. */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    versionProvider = CairnCommand.Version.class,
    description = "Cairn authoritative DNS server and zone tool.",
    subcommands = {
      org.cairndns.tools.zone.ZoneCommand.class,
      org.cairndns.tools.serve.ServeCommand.class,
      org.cairndns.tools.control.StatusCommand.class,
      org.cairndns.tools.control.StatsCommand.class,
      org.cairndns.tools.control.ReloadCommand.class,
      org.cairndns.tools.config.ConfigCommand.class,
      org.cairndns.tools.store.StoreCommand.class,
      org.cairndns.tools.migration.ImportCommand.class,
      org.cairndns.tools.tls.TlsCommand.class,
      org.cairndns.tools.xfr.XfrCommand.class,
      CommandLine.HelpCommand.class
    })
public final class CairnCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
  }

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** Exit codes: 0 ok, 1 failed, 2 usage. Errors are one line on stderr. */
  static CommandLine newCommandLine() {
    CommandLine cli = new CommandLine(new CairnCommand());
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine
              .getErr()
              .println("cairn: " + (ex.getMessage() == null ? ex : ex.getMessage()));
          return 1;
        });
    return cli;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = CairnCommand.class.getPackage().getImplementationVersion();
      return new String[] {"cairn " + (v == null ? "development" : v)};
    }
  }
}
