package org.cairndns.tools.control;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn zone status [ZONE]}: each zone as the running server holds it (knotc zone-status,
 * rndc zonestatus).
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Show each zone the running server serves: role, serials, state, a secondary's timers and primary, and when a signed zone's first signature expires.")
public final class ZoneStatusCommand implements Callable<Integer> {
  @CommandLine.Mixin ServerOptions server;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "ZONE", arity = "0..1", description = "One zone (default: every zone).")
  String zone;

  @Override
  public Integer call() throws Exception {
    ControlClient.Reply reply =
        Requests.send(server, zone == null ? "zone-status" : "zone-status " + zone);
    PrintWriter out = spec.commandLine().getOut();
    if (server.json()) {
      out.println(reply.json());
      return 0;
    }
    Table t =
        new Table(
            "ZONE",
            "ROLE",
            "STATE",
            "SERVED",
            "STORED",
            "LAST-SUCCESS",
            "NEXT-CHECK",
            "EXPIRES",
            "PRIMARY",
            "TRANSPORT",
            "PROBE",
            "SIGNATURES-EXPIRE",
            "LAST-ERROR");
    if (reply.fields().get("zones") instanceof List<?> zones) {
      for (Object o : zones) {
        Map<?, ?> z = (Map<?, ?>) o;
        t.add(
            z.get("zone"),
            z.get("role"),
            z.get("state"),
            z.get("serial_served"),
            z.get("serial_stored"),
            z.get("last_success"),
            z.get("next_check"),
            z.get("expires"),
            z.get("primary"),
            z.get("transport"),
            z.get("probe"),
            z.get("signature_expires"),
            z.get("last_error"));
      }
    }
    t.print(out);
    return 0;
  }
}
