package org.cairndns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The cache-amplification attack over TCP: one 31 KB answer asked for in thousands of letter cases
 * and EDNS sizes (each used to take its own cache entry: 12k such queries pinned 352 MB). The cache
 * stays within limits.response-cache-bytes, the heap does not grow with the variants, every answer
 * echoes its question's case, and a legitimate client is answered throughout.
 */
class ResponseCacheIT {
  static final int CACHE_BYTES = 2 << 20;
  static final int QUERIES = 4_000;

  @TempDir Path dir;

  @Test
  void caseAndSizeVariantsOfALargeAnswerStayWithinTheCacheBound() throws Exception {
    StringBuilder zone =
        new StringBuilder(
            "$ORIGIN amp.test.\n$TTL 300\n@ IN SOA ns hm 1 3600 600 86400 60\n@ IN NS ns\nns IN A 192.0.2.1\n");
    for (int i = 0; i < 128; i++) { // 128 TXT records of 240 bytes: a 31 KB answer
      zone.append("large IN TXT \"")
          .append(String.format("%03d", i))
          .append("x".repeat(237))
          .append("\"\n");
    }
    Files.writeString(dir.resolve("amp.test.zone"), zone);
    try (CairnServer server =
        ServerFixture.startWith(
            dir,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        limits: {response-cache-bytes: %d}
        zones: [{name: amp.test, file: amp.test.zone}]
        """
                .formatted(CACHE_BYTES))) {
      InetSocketAddress tcp = server.transport().tcpAddresses().get(0);
      SimpleResolver legitimate = new SimpleResolver(server.transport().udpAddresses().get(0));
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      System.gc();
      long heapBefore = memory.getHeapMemoryUsage().getUsed();
      int answered = 0;
      try (Socket s = ServerFixture.connect(tcp)) {
        for (int batch = 0; batch < QUERIES / 100; batch++) {
          Map<Integer, String> asked = new HashMap<>();
          for (int i = 0; i < 100; i++) {
            int n = batch * 100 + i;
            String name = caseVariant("large.amp.test.", n);
            Message q =
                Message.newQuery(Record.newRecord(Name.fromString(name), Type.TXT, DClass.IN));
            q.getHeader().setID(n); // distinct within a batch, unlike random IDs
            q.addRecord(new OPTRecord(512 + n % 3584, 0, 0), Section.ADDITIONAL);
            asked.put(q.getHeader().getID(), name);
            ServerFixture.writeFrame(s.getOutputStream(), q.toWire());
          }
          for (int i = 0; i < 100; i++) {
            Message r = ServerFixture.readFrame(s.getInputStream());
            assertEquals(128, r.getSection(Section.ANSWER).size());
            String name = asked.get(r.getHeader().getID());
            assertEquals(
                name, r.getQuestion().getName().toString(), "the question in the asker's case");
            answered++;
          }
          assertTrue(
              server.queryProcessor().responseCacheBytes() <= CACHE_BYTES,
              server.queryProcessor().responseCacheBytes() + " bytes cached");
          if (batch % 5 == 0) {
            assertEquals(
                Rcode.NOERROR,
                legitimate
                    .send(
                        Message.newQuery(
                            Record.newRecord(Name.fromString("ns.amp.test."), Type.A, DClass.IN)))
                    .getRcode());
          }
        }
      }
      System.gc();
      long grown = memory.getHeapMemoryUsage().getUsed() - heapBefore;
      assertEquals(QUERIES, answered);
      // 4,000 entries of 31 KB would be 124 MB; the bound is 2 MB.
      assertTrue(grown < 32L << 20, "heap grew by " + (grown >> 20) + " MB");
    }
  }

  /**
   * {@code name} with its letters upper-cased where the bits of {@code variant} say (12 letters:
   * 4,096 cases).
   */
  static String caseVariant(String name, int variant) {
    StringBuilder sb = new StringBuilder();
    int bit = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      sb.append(
          Character.isLetter(c) && (variant >> bit++ & 1) == 1 ? Character.toUpperCase(c) : c);
    }
    return sb.toString();
  }
}
