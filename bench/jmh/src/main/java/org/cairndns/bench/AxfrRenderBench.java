package org.cairndns.bench;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.xfr.acl.TransferPolicy;
import org.cairndns.xfr.primary.TransferService;
import org.cairndns.xfr.primary.TransferSettings;
import org.cairndns.zone.ZoneSnapshot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * All the messages of one full AXFR of a gen-zone.sh-style zone, rendered by {@link TransferService}
 * (access check, permit, then the wire messages). The snapshot's canonical record list is made in
 * setup, so this measures rendering, not sorting.
 */
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class AxfrRenderBench {
  @Param("100000")
  public int names;

  @Param({"65000", "16383"})
  public int messageSize;

  private TransferService service;
  private Message request;
  private byte[] wire;
  private Requester requester;

  @Setup
  public void setup() {
    Name origin = ZoneData.origin("bench.example");
    ZoneSnapshot snapshot = ZoneSnapshot.build(origin, ZoneData.records(origin, names));
    snapshot.records(); // made on first use; make it here
    TransferPolicy allowLocal = new TransferPolicy(
        List.of(new TransferPolicy.Entry(TransferPolicy.Cidr.parse("127.0.0.0/8"), null, null, null)),
        Set.of(Transport.TCP, Transport.TLS));
    TransferSettings settings = new TransferSettings(messageSize, 0, 10, 2, Duration.ofSeconds(5),
        Map.of(origin, allowLocal), Map.of());
    service = new TransferService(name -> snapshot, (zone, serial) -> Optional.empty(), settings);
    request = Message.newQuery(org.xbill.DNS.Record.newRecord(origin, Type.AXFR, DClass.IN));
    wire = request.toWire();
    requester = Requester.of(new InetSocketAddress("127.0.0.1", 4000), Transport.TCP);
    long bytes = 0;
    int messages = 0;
    for (Iterator<byte[]> it = service.respond(request, wire, requester); it.hasNext(); ) {
      byte[] m = it.next();
      int rcode = m[3] & 0x0F;
      if (rcode != 0) {
        throw new IllegalStateException("AXFR answered with rcode " + rcode);
      }
      bytes += m.length;
      messages++;
    }
    System.out.printf("%nAXFR of %d records: %d messages, %d bytes (message size %d)%n",
        snapshot.size() + 1, messages, bytes, messageSize);
  }

  /** The bytes of every message of one AXFR: consumed by JMH, so nothing is optimised away. */
  @Benchmark
  public long axfr() {
    long bytes = 0;
    Iterator<byte[]> it = service.respond(request, wire, requester);
    while (it.hasNext()) {
      bytes += it.next().length;
    }
    return bytes;
  }
}
