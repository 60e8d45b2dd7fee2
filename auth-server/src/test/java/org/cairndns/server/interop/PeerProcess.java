package org.cairndns.server.interop;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.cairndns.server.ServerFixture;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real DNS server (BIND's named, NSD, Knot) started in the foreground for one test on 127.0.0.1
 * and an ephemeral port (UDP and TCP), with its files and its log in a temporary folder; stopped on
 * close. Skipped when the server is not installed, unless {@code CAIRN_INTEROP_REQUIRED=1}. {@link
 * NamedProcess} starts BIND; {@link #nsd} and {@link #knot} serve one zone file.
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

  /**
   * NSD (Debian package {@code nsd}) serving {@code zoneFile} as a primary, with {@code
   * minimal-responses}, as Knot, BIND in {@link NamedProcess} and Cairn answer: no apex NS in the
   * authority section of positive answers, and only the additional records that are needed.
   */
  public static PeerProcess nsd(Path dir, Name zone, Path zoneFile) throws IOException {
    String conf =
        """
        server:
          ip-address: 127.0.0.1@%1$d
          port: %1$d
          username: ""
          chroot: ""
          zonesdir: "%2$s"
          database: ""
          zonelistfile: "%2$s/zone.list"
          xfrdfile: "%2$s/xfrd.state"
          xfrdir: "%2$s"
          pidfile: "%2$s/nsd.pid"
          server-count: 1
          verbosity: 1
          minimal-responses: yes
        remote-control:
          control-enable: no
        zone:
          name: "%3$s"
          zonefile: "%4$s"
        """;
    return serving("nsd", Peers.binary("nsd", "nsd"), List.of("-d"), conf, dir, zone, zoneFile);
  }

  /**
   * Knot DNS's {@code knotd} (Debian package {@code knot}) serving {@code zoneFile} as it is: no
   * signing, no journal, the file never rewritten.
   */
  public static PeerProcess knot(Path dir, Name zone, Path zoneFile) throws IOException {
    String conf =
        """
        server:
          rundir: "%2$s"
          listen: 127.0.0.1@%1$d
          background-workers: 1
          udp-workers: 1
          tcp-workers: 1
        database:
          storage: "%2$s"
        log:
          - target: stderr
            any: info
        zone:
          - domain: "%3$s"
            file: "%4$s"
            zonefile-sync: -1
            zonefile-load: whole
            journal-content: none
        """;
    return serving("knot", Peers.binary("knotd", "knot"), List.of(), conf, dir, zone, zoneFile);
  }

  /**
   * Starts {@code binary} with {@code flags} and {@code -c} its configuration, {@code conf} filled
   * with the port, folder, zone and file ({@code %1$d} to {@code %4$s}), and waits until it answers
   * SOA for {@code zone}.
   */
  private static PeerProcess serving(
      String server,
      Path binary,
      List<String> flags,
      String conf,
      Path dir,
      Name zone,
      Path zoneFile)
      throws IOException {
    int port = ServerFixture.freePort();
    Path confFile =
        Files.writeString(dir.resolve(server + ".conf"), conf.formatted(port, dir, zone, zoneFile));
    List<String> command = new ArrayList<>(List.of(binary.toString()));
    command.addAll(flags);
    command.addAll(List.of("-c", confFile.toString()));
    PeerProcess p = new PeerProcess(server, command, dir, port);
    p.awaitSoa(zone, Duration.ofSeconds(30));
    return p;
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
