package org.cairndns.tools.control;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cairn stats}: the running server's metrics, the numbers its Prometheus endpoint shows,
 * asked over the control channel (so they are there with {@code metrics.listen} off too).
 */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description =
        "Show the running server's counters: queries, responses, connections, TLS, transfers,"
            + " NOTIFY, zones and store (the metrics docs/operations.md lists).")
public final class StatsCommand implements Callable<Integer> {
  @CommandLine.Mixin ServerOptions server;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--all",
      description = "Show samples that are zero too (the table leaves them out; --json has all).")
  boolean all;

  @Override
  public Integer call() throws Exception {
    ControlClient.Reply reply = Requests.send(server, "stats");
    PrintWriter out = spec.commandLine().getOut();
    if (server.json()) {
      out.println(reply.json());
      return 0;
    }
    Table t = new Table("METRIC", "VALUE");
    if (reply.fields().get("metrics") instanceof List<?> samples) {
      for (Object o : samples) {
        if (o instanceof Map<?, ?> sample
            && sample.get("value") instanceof Number value
            && (all || value.doubleValue() != 0)) {
          t.add(sample.get("name") + labels(sample.get("labels")), plain(value));
        }
      }
    }
    t.print(out);
    return 0;
  }

  /** Whole counts as they are, times and sums without an exponent (1795984840.925, not 1.79E9). */
  private static String plain(Number value) {
    return value instanceof Double d
        ? BigDecimal.valueOf(d).stripTrailingZeros().toPlainString()
        : value.toString();
  }

  /** As the text format writes them: {@code {transport="udp",rcode="NOERROR"}}, or nothing. */
  private static String labels(Object labels) {
    if (!(labels instanceof Map<?, ?> map) || map.isEmpty()) {
      return "";
    }
    return map.entrySet().stream()
        .map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
        .collect(Collectors.joining(",", "{", "}"));
  }
}
