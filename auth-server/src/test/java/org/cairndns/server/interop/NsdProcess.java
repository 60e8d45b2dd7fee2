package org.cairndns.server.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cairndns.server.ServerFixture;
import org.xbill.DNS.Name;

/**
 * A real NSD (Debian package {@code nsd}) serving one zone file, as a primary, for one test on
 * 127.0.0.1 and an ephemeral port (UDP and TCP), with its files in a temporary folder. Skipped when
 * {@code nsd} is missing, unless {@code CAIRN_INTEROP_REQUIRED=1}. With {@code minimal-responses},
 * as Knot, BIND in {@link NamedProcess} and Cairn answer: no apex NS in the authority section of
 * positive answers, and only the additional records that are needed.
 */
public final class NsdProcess extends PeerProcess {
  private NsdProcess(List<String> command, Path dir, int port) throws IOException {
    super("nsd", command, dir, port);
  }

  /** Starts NSD in the foreground and waits until it answers SOA for {@code zone}. */
  public static NsdProcess start(Path dir, Name zone, Path zoneFile) throws IOException {
    Path nsd = Peers.binary("nsd", "nsd");
    int port = ServerFixture.freePort();
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
        """
            .formatted(port, dir, zone, zoneFile);
    Path confFile = Files.writeString(dir.resolve("nsd.conf"), conf);
    NsdProcess p =
        new NsdProcess(List.of(nsd.toString(), "-d", "-c", confFile.toString()), dir, port);
    p.awaitSoa(zone, Duration.ofSeconds(30));
    return p;
  }
}
