package org.cairndns.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cairndns.server.transport.DnsServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Many clients asking for transfers at once and reading nothing get a bounded number of transfer
 * threads (a cached pool used to start one per request), and queries are answered meanwhile.
 */
class TransferThreadsIT {
  @TempDir Path dir;

  @Test
  void transferRequestsFromManyConnectionsUseABoundedPool() throws Exception {
    Files.writeString(
        dir.resolve("big.test.zone"), ServerFixture.hostsZone("big.test", 1, 20_000, ""));
    try (CairnServer server =
        ServerFixture.startWith(
            dir,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        limits: {tcp-connections-per-address: 200}
        zones: [{name: big.test, file: big.test.zone, allow-transfer: [{address: 127.0.0.0/8}]}]
        """)) {
      InetSocketAddress tcp = server.transport().tcpAddresses().get(0);
      List<Socket> greedy = new ArrayList<>();
      try {
        for (int i = 0; i < 80; i++) {
          Socket s = ServerFixture.connect(tcp);
          s.setReceiveBufferSize(4096);
          greedy.add(s);
          ServerFixture.writeFrame(
              s.getOutputStream(),
              Message.newQuery(Record.newRecord(Name.fromString("big.test."), Type.AXFR, DClass.IN))
                  .toWire());
        }
        try (Socket legitimate = ServerFixture.connect(tcp)) {
          Message q =
              Message.newQuery(
                  Record.newRecord(Name.fromString("h7.big.test."), Type.A, DClass.IN));
          ServerFixture.writeFrame(legitimate.getOutputStream(), q.toWire());
          assertEquals(
              Rcode.NOERROR, ServerFixture.readFrame(legitimate.getInputStream()).getRcode());
        }
        // 10 transfers stream into full sockets, the other 70 wait for a permit (xfr.transfer-wait
        // 5 s).
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> transferThreads() >= DnsServer.TRANSFER_THREADS);
        assertTrue(
            transferThreads() <= DnsServer.TRANSFER_THREADS,
            transferThreads() + " transfer threads");
      } finally {
        for (Socket s : greedy) {
          s.close();
        }
      }
    }
  }

  static long transferThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("cairn-transfer"))
        .count();
  }
}
