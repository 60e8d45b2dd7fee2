package org.cairndns.tools.control;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code cairn reload}: the running server reads its configuration file again and applies what
 * changed, as SIGHUP does; prints each difference applied and the keys that need a restart.
 */
@Command(
    name = "reload",
    mixinStandardHelpOptions = true,
    description = {
      "Make the running server read its configuration file again (the one it was started with) and"
          + " apply what changed, without dropping listeners or connections; SIGHUP does the same.",
      "An invalid file changes nothing. Keys that need a restart are named and not applied."
    })
public final class ReloadCommand implements Callable<Integer> {
  @CommandLine.Mixin ServerOptions server;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ControlClient.Reply reply = Requests.send(server, "reload");
    PrintWriter out = spec.commandLine().getOut();
    if (server.json()) {
      out.println(reply.json());
      return 0;
    }
    List<?> applied = list(reply.fields().get("applied"));
    List<?> restart = list(reply.fields().get("restart_needed"));
    out.println(
        "reloaded: "
            + (applied.isEmpty() ? "no change applied" : applied.size() + " change(s) applied"));
    applied.forEach(change -> out.println("  " + change));
    if (!restart.isEmpty()) {
      out.println("needs a restart, not applied:");
      restart.forEach(key -> out.println("  " + key));
    }
    return 0;
  }

  private static List<?> list(Object value) {
    return value instanceof List<?> l ? l : List.of();
  }
}
