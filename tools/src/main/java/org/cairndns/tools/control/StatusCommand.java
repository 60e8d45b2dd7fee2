package org.cairndns.tools.control;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cairn status}: what the running server is and holds, asked over its control channel. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Show the running server's version, uptime, listeners, zones, store, memory and TLS.")
public final class StatusCommand implements Callable<Integer> {
  @CommandLine.Mixin ServerOptions server;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ControlClient.Reply reply = Requests.send(server, "status");
    PrintWriter out = spec.commandLine().getOut();
    if (server.json()) {
      out.println(reply.json());
      return 0;
    }
    Map<String, Object> f = reply.fields();
    Table t = new Table("", "");
    t.add("version", f.get("version"));
    t.add("started", f.get("started"));
    t.add("uptime", f.get("uptime_seconds") + "s");
    if (f.get("listeners") instanceof Map<?, ?> l) {
      t.add("udp", l.get("udp"));
      t.add("tcp", l.get("tcp"));
      t.add("tls", l.get("tls"));
    }
    t.add("zones served", f.get("zones_served"));
    t.add("store", f.get("store"));
    t.add("heap", mib(f.get("heap_used_bytes")) + " used of " + mib(f.get("heap_max_bytes")));
    if (f.get("tls") instanceof Map<?, ?> tls) {
      t.add("tls engine", tls.get("engine"));
      t.add("certificate expires", tls.get("certificate_expires"));
    }
    t.print(out);
    return 0;
  }

  private static String mib(Object bytes) {
    return bytes instanceof Number n && n.longValue() >= 0 ? (n.longValue() >> 20) + " MiB" : "-";
  }
}
