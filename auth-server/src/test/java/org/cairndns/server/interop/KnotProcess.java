package org.cairndns.server.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cairndns.server.ServerFixture;
import org.xbill.DNS.Name;

/**
 * A real Knot DNS {@code knotd} (Debian package {@code knot}) serving one zone file as it is (no
 * signing, no journal, the file never rewritten), for one test on 127.0.0.1 and an ephemeral port
 * (UDP and TCP), with its files in a temporary folder. Skipped when {@code knotd} is missing,
 * unless {@code CAIRN_INTEROP_REQUIRED=1}.
 */
public final class KnotProcess extends PeerProcess {
  private KnotProcess(List<String> command, Path dir, int port) throws IOException {
    super("knot", command, dir, port);
  }

  /** Starts knotd in the foreground and waits until it answers SOA for {@code zone}. */
  public static KnotProcess start(Path dir, Name zone, Path zoneFile) throws IOException {
    Path knotd = Peers.binary("knotd", "knot");
    int port = ServerFixture.freePort();
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
        """
            .formatted(port, dir, zone, zoneFile);
    Path confFile = Files.writeString(dir.resolve("knot.conf"), conf);
    KnotProcess p =
        new KnotProcess(List.of(knotd.toString(), "-c", confFile.toString()), dir, port);
    p.awaitSoa(zone, Duration.ofSeconds(30));
    return p;
  }
}
