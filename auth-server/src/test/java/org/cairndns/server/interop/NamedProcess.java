package org.cairndns.server.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Name;

/**
 * A real BIND {@code named} started for one test on 127.0.0.1 and an ephemeral port, with its files
 * in a temporary folder. Tests are skipped when {@code named} is missing, unless {@code
 * CAIRN_INTEROP_REQUIRED=1} (CI), where a missing peer is a failure. Runs with {@code
 * minimal-responses}.
 */
final class NamedProcess extends PeerProcess {
  private NamedProcess(List<String> command, Path dir, int port) throws IOException {
    super("named", command, dir, port);
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
    Path named = Peers.binary("named", "bind9");
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
    NamedProcess np = new NamedProcess(cmd, dir, port);
    np.awaitSoa(readyZone, Duration.ofSeconds(30));
    return np;
  }

  /** SIGHUP: named reloads its configuration and changed zone files. */
  void reload() throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid())).start();
    kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
  }
}
