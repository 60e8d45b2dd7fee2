package org.cairndns.tools.control;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn zone refresh} and {@code cairn zone notify}: one zone event, started now in the
 * running server.
 */
public abstract class ZoneActionCommand implements Callable<Integer> {
  @CommandLine.Mixin ServerOptions server;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "ZONE")
  String zone;

  private final String request;
  private final String started;

  ZoneActionCommand(String request, String started) {
    this.request = request;
    this.started = started;
  }

  @Override
  public Integer call() throws Exception {
    ControlClient.Reply reply = Requests.send(server, request + " " + zone);
    spec.commandLine().getOut().println(server.json() ? reply.json() : zone + ": " + started);
    return 0;
  }

  @Command(
      name = "refresh",
      mixinStandardHelpOptions = true,
      description =
          "Check a secondary zone's primaries for a newer serial now (its SOA), and transfer it if there is one.")
  public static final class Refresh extends ZoneActionCommand {
    public Refresh() {
      super("zone-refresh", "SOA check started; see cairn zone status");
    }
  }

  @Command(
      name = "notify",
      mixinStandardHelpOptions = true,
      description = "Send a NOTIFY of the version served now to the zone's notify targets.")
  public static final class Notify extends ZoneActionCommand {
    public Notify() {
      super("zone-notify", "NOTIFY sent to its notify targets");
    }
  }
}
