package org.cairndns.bench;

import java.util.concurrent.TimeUnit;
import org.cairndns.zone.wire.MessageWriter;
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
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * One query response rendered as the miss path renders it, by dnsjava's {@code Message.toWire}
 * (before) and by {@link MessageWriter} (case-preserving): an address answer with the zone's NS
 * and their glue, and a referral with four NS and eight glue records. Run with {@code -prof gc} to
 * compare what each allocates.
 */
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class ResponseRenderBench {
  @Param({"answer", "referral"})
  public String shape;

  private Message response;

  @Setup
  public void setup() throws Exception {
    Name origin = Name.fromString("Bench.Example.");
    boolean referral = shape.equals("referral");
    Name qname = Name.fromString(referral ? "www.sub" : "www", origin);
    Message m = new Message(4711);
    m.getHeader().setFlag(Flags.QR);
    m.addRecord(Record.newRecord(qname, Type.A, DClass.IN), Section.QUESTION);
    Name cut = referral ? Name.fromString("sub", origin) : origin;
    if (!referral) {
      m.addRecord(record(qname, "A", "192.0.2.1", origin), Section.ANSWER);
      m.addRecord(record(qname, "A", "192.0.2.2", origin), Section.ANSWER);
    }
    int servers = referral ? 4 : 2;
    for (int i = 1; i <= servers; i++) {
      m.addRecord(record(cut, "NS", "ns" + i + "." + cut, origin), Section.AUTHORITY);
    }
    for (int i = 1; i <= servers; i++) {
      Name ns = Name.fromString("ns" + i, cut);
      m.addRecord(record(ns, "A", "192.0.2." + (10 + i), origin), Section.ADDITIONAL);
      if (referral) {
        m.addRecord(record(ns, "AAAA", "2001:db8::" + i, origin), Section.ADDITIONAL);
      }
    }
    m.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    response = m;
  }

  private static Record record(Name owner, String type, String rdata, Name origin)
      throws Exception {
    return Record.fromString(owner, Type.value(type), DClass.IN, 300, rdata, origin);
  }

  @Benchmark
  public byte[] dnsjava() {
    return response.toWire(1232);
  }

  @Benchmark
  public byte[] messageWriter() {
    return MessageWriter.toWire(response, 1232);
  }
}
