package org.cairndns.server.interop;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real DNS server (BIND's named, NSD, Knot) started in the foreground for one test on 127.0.0.1
 * and a port of its own, with its files and its log in a temporary folder; stopped on close. The
 * subclasses write each server's configuration.
 */
public class PeerProcess implements AutoCloseable {
  private final String server;
  private final Process process;
  private final Path log;
  private final int port;

  /** Starts {@code command}, its output to {@code SERVER.log} in {@code dir}. */
  PeerProcess(String server, List<String> command, Path dir, int port) throws IOException {
    this.server = server;
    this.log = dir.resolve(server + ".log");
    this.port = port;
    this.process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  public int port() {
    return port;
  }

  public InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", port);
  }

  long pid() {
    return process.pid();
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  /** Polls (bounded) until the server answers NOERROR with a SOA for the zone. */
  public void awaitSoa(Name zone, Duration timeout) throws IOException {
    SimpleResolver resolver = new SimpleResolver(address());
    resolver.setTimeout(Duration.ofMillis(300));
    try {
      await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(50))
          .failFast(server + " exited", () -> !process.isAlive())
          .ignoreExceptionsInstanceOf(IOException.class) // not listening yet
          .until(
              () -> {
                Message r = resolver.send(Message.newQuery(Record.newRecord(zone, Type.SOA, 1)));
                return r.getRcode() == Rcode.NOERROR && r.getSection(1).size() == 1;
              });
    } catch (TerminalFailureException exited) {
      throw new IllegalStateException(server + " exited:\n" + log(), exited);
    } catch (ConditionTimeoutException late) {
      throw new IllegalStateException(
          server + " did not serve " + zone + " in time:\n" + log(), late);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
