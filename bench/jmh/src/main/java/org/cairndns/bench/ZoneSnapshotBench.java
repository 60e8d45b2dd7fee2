package org.cairndns.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cairndns.zone.LookupResult;
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
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * {@link ZoneSnapshot#build} of a gen-zone.sh-style zone, and {@link ZoneSnapshot#lookup} of a hit,
 * an NXDOMAIN and a NODATA on a built snapshot.
 */
@BenchmarkMode(Mode.AverageTime)
@Fork(1)
@State(Scope.Benchmark)
public class ZoneSnapshotBench {
  @Param("100000")
  public int names;

  private Name origin;
  private List<org.xbill.DNS.Record> records;
  private ZoneSnapshot snapshot;
  private Name hit;
  private Name nxdomain;
  private Name nodata;

  @Setup
  public void setup() {
    origin = ZoneData.origin("bench.example");
    records = ZoneData.records(origin, names);
    snapshot = ZoneSnapshot.build(origin, records);
    int middle = names / 2 + 1; // not a multiple of 4 or 10: A only
    hit = ZoneData.at("h" + middle, origin);
    nxdomain = ZoneData.at("nx" + middle, origin);
    nodata = hit; // asked for MX, which no host has
    check(snapshot.lookup(hit, Type.A), LookupResult.Answer.class);
    check(snapshot.lookup(nxdomain, Type.A), LookupResult.NxDomain.class);
    check(snapshot.lookup(nodata, Type.MX), LookupResult.NoData.class);
  }

  private static void check(LookupResult r, Class<?> expected) {
    if (!expected.isInstance(r)) {
      throw new IllegalStateException("expected " + expected.getSimpleName() + ", got " + r);
    }
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public ZoneSnapshot build() {
    return ZoneSnapshot.build(origin, records);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public LookupResult lookupHit() {
    return snapshot.lookup(hit, Type.A);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public LookupResult lookupNxdomain() {
    return snapshot.lookup(nxdomain, Type.A);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public LookupResult lookupNodata() {
    return snapshot.lookup(nodata, Type.MX);
  }
}
