package org.cairndns.tools.config;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.cairndns.server.config.CairnConfig;
import org.cairndns.server.config.ConfigException;
import org.cairndns.server.config.ConfigLoader;
import org.cairndns.zone.master.ZoneFileException;
import org.cairndns.zone.master.ZoneFileReader;
import org.cairndns.zone.master.ZoneValidator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cairn config ...}: work on the server's YAML configuration without a server. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Check the server's configuration.",
    subcommands = ConfigCommand.Check.class)
public final class ConfigCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (check)");
  }

  /**
   * Validates the YAML as {@code cairn serve} reads it, then reads and checks every zone's {@code
   * file} with that zone's checks as the server's start does; opens no store and no socket, so it
   * is safe beside a running server (like {@code named-checkconf -z}, {@code knotc conf-check}).
   */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Validate a configuration and every zone file it names, without starting anything; exit 1 on any error.")
  static final class Check implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The YAML configuration.")
    Path file;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      CairnConfig config;
      try {
        config = ConfigLoader.load(file);
      } catch (ConfigException e) {
        err.println("cairn: " + e.getMessage());
        return 1;
      }
      config.warnings().forEach(w -> out.println("warning: " + w));
      int failed = 0;
      Instant now = Instant.now();
      for (CairnConfig.ZoneEntry zone : config.zones()) {
        if (zone.file() == null) {
          out.printf(
              "%s: ok, %s%n",
              zone.name(),
              zone.primaries().isEmpty()
                  ? "served from the store (no file)"
                  : "secondary (no file)");
          continue;
        }
        try {
          ZoneValidator.CheckedZone checked =
              ZoneValidator.validate(
                  ZoneFileReader.read(zone.file(), zone.name()), zone.fileChecks(), now);
          if (checked.warnings().isEmpty()) {
            out.printf(
                "%s: ok, %s: %d records%n", zone.name(), zone.file(), checked.records().size());
          } else {
            out.printf(
                "%s: %d warnings, %s: %d records%n",
                zone.name(), checked.warnings().size(), zone.file(), checked.records().size());
            checked.warnings().forEach(w -> out.println("  warning: " + w));
          }
        } catch (ZoneFileException e) {
          failed++;
          out.printf("%s: error, %s%n", zone.name(), e.problems().get(0));
          e.problems().stream().skip(1).forEach(p -> out.println("  error: " + p));
        }
      }
      out.printf("%s: %d zones, %d with errors%n", file, config.zones().size(), failed);
      return failed == 0 ? 0 : 1;
    }
  }
}
