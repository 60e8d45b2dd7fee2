package org.cairndns.server.interop;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real BIND {@code named} started for one test on 127.0.0.1 and an ephemeral port, with its files
 * in a temporary folder. Tests are skipped when {@code named} is missing, unless {@code
 * CAIRN_INTEROP_REQUIRED=1} (CI), where a missing peer is a failure.
 */
final class NamedProcess implements AutoCloseable {
  private final Process process;
  private final Path dir;
  private final int port;

  private NamedProcess(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  static int freePort() throws IOException {
    return org.cairndns.server.ServerFixture.freePort();
  }

  /**
   * Starts named with the given zone statements (already formatted {@code zone "x" {...};} blocks)
   * and extra options, and waits until it answers SOA for {@code readyZone}.
   */
  static NamedProcess start(Path dir, String zoneStatements, String extraOptions, Name readyZone)
      throws IOException, InterruptedException {
    return start(dir, freePort(), zoneStatements, extraOptions, readyZone);
  }

  static NamedProcess start(
      Path dir, int port, String zoneStatements, String extraOptions, Name readyZone)
      throws IOException, InterruptedException {
    Path named = Peers.binary("named");
    String conf =
        "options {\n"
            + "  directory \""
            + dir
            + "\";\n"
            + "  pid-file \""
            + dir.resolve("named.pid")
            + "\";\n"
            + "  session-keyfile \""
            + dir.resolve("session.key")
            + "\";\n"
            + "  listen-on port "
            + port
            + " { 127.0.0.1; };\n"
            + "  listen-on-v6 { none; };\n"
            + "  recursion no;\n"
            + "  minimal-responses yes;\n"
            + "  minimal-any yes;\n"
            + "  dnssec-validation no;\n"
            + extraOptions
            + "};\n"
            + "controls { };\n"
            + zoneStatements;
    Files.writeString(dir.resolve("named.conf"), conf);
    List<String> cmd =
        new ArrayList<>(
            List.of(named.toString(), "-g", "-c", dir.resolve("named.conf").toString()));
    if (isRoot()) {
      cmd.addAll(List.of("-u", "root"));
    }
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("named.log").toFile())
            .start();
    NamedProcess np = new NamedProcess(p, dir, port);
    np.awaitSoa(readyZone, Duration.ofSeconds(30));
    return np;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  int port() {
    return port;
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", port);
  }

  /** SIGHUP: named reloads its configuration and changed zone files. */
  void reload() throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start();
    kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  String log() throws IOException {
    return Files.readString(dir.resolve("named.log"));
  }

  /** Polls (bounded) until named answers NOERROR with a SOA for the zone. */
  void awaitSoa(Name zone, Duration timeout) throws IOException {
    SimpleResolver resolver = new SimpleResolver(address());
    resolver.setTimeout(Duration.ofMillis(300));
    try {
      await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(50))
          .failFast("named exited", () -> !process.isAlive())
          .ignoreExceptionsInstanceOf(IOException.class) // not listening yet
          .until(
              () -> {
                Message r = resolver.send(Message.newQuery(Record.newRecord(zone, Type.SOA, 1)));
                return r.getRcode() == Rcode.NOERROR && r.getSection(1).size() == 1;
              });
    } catch (TerminalFailureException exited) {
      throw new IllegalStateException("named exited:\n" + log(), exited);
    } catch (ConditionTimeoutException late) {
      throw new IllegalStateException("named did not serve " + zone + " in time:\n" + log(), late);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
