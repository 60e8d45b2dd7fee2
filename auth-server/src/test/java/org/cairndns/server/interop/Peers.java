package org.cairndns.server.interop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real DNS peers (BIND's named and dig, Knot's kdig) for interoperability tests. A missing peer
 * skips the test locally; with {@code CAIRN_INTEROP_REQUIRED=1} (CI) it fails it.
 */
public final class Peers {
  private Peers() {}

  public static Path binary(String name) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin:/sbin";
    for (String dir : path.split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    if ("1".equals(System.getenv("CAIRN_INTEROP_REQUIRED"))) {
      throw new AssertionError(name + " is required (CAIRN_INTEROP_REQUIRED=1) but not installed");
    }
    assumeTrue(false, name + " not installed; interop test skipped");
    return null;
  }

  /** Runs a command (bounded to 60 s) and returns its combined output. */
  public static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + command);
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
