package org.cairndns.server.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;
import org.cairndns.request.Transport;
import org.cairndns.server.query.QueryProcessor;
import org.cairndns.server.transport.FixedHistogram;
import org.cairndns.server.transport.QtypeBuckets;
import org.cairndns.server.transport.ServerCounters;
import org.cairndns.xfr.TransferTally;
import org.cairndns.xfr.notify.NotifySender;
import org.cairndns.xfr.owner.ZoneStatus;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.ZoneSnapshot;
import org.xbill.DNS.Rcode;

/**
 * The server's metrics in a Prometheus registry, read from the counters the server keeps anyway:
 * every metric is a callback (or, for histograms, a collector) that sums striped counters when
 * scraped, so the query path never touches the registry. Labels come from fixed sets (transport,
 * rcode, qtype bucket, transfer type and result) or the configured zones, so nothing a client sends
 * adds a series. docs/operations.md lists them.
 */
public final class ServerMetrics {
  /** What the metrics are read from: the parts of one running server. */
  public record Sources(
      ServerCounters transport,
      QueryProcessor processor,
      TransferTally transfersIn,
      NotifySender notifier,
      ReceivedNotifies notifiesReceived,
      ZoneSet zones,
      Supplier<? extends Iterable<ZoneStatus>> zoneStatuses,
      Path storeFile) {}

  private static final double NANOS_PER_SECOND = 1e9;

  /**
   * The JVM's metrics, registered once per process: the library keeps every registry it registers
   * them with for good, and with it whatever that registry's callbacks reach (a server's zones and
   * response cache), so each server's registry reads this one instead.
   */
  private static final PrometheusRegistry JVM = jvmRegistry();

  private static PrometheusRegistry jvmRegistry() {
    PrometheusRegistry jvm = new PrometheusRegistry();
    JvmMetrics.builder().register(jvm);
    return jvm;
  }

  private ServerMetrics() {}

  /** A registry holding Cairn's metrics and the JVM's. */
  public static PrometheusRegistry registry(Sources s) {
    PrometheusRegistry registry = new PrometheusRegistry();
    queries(registry, s.transport(), s.processor());
    connections(registry, s.transport());
    transfers(registry, s.transport().transfersOut(), s.transfersIn());
    notifies(registry, s.notifier(), s.notifiesReceived());
    zones(registry, s.zones(), s.zoneStatuses());
    GaugeWithCallback.builder()
        .name("cairn_store_size_bytes")
        .help("Size of the zone store's database file")
        .callback(cb -> cb.call((double) fileSize(s.storeFile())))
        .register(registry);
    registry.register((MultiCollector) JVM::scrape);
    return registry;
  }

  private static void queries(
      PrometheusRegistry registry, ServerCounters counters, QueryProcessor processor) {
    CounterWithCallback.builder()
        .name("cairn_queries")
        .help("Queries received, by transport and query type (uncommon types as \"other\")")
        .labelNames("transport", "qtype")
        .callback(
            cb -> {
              for (Transport t : Transport.values()) {
                for (int q = 0; q < QtypeBuckets.COUNT; q++) {
                  cb.call((double) counters.of(t).queries(q), label(t), QtypeBuckets.label(q));
                }
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("cairn_responses")
        .help("Responses sent, by transport and rcode (each message of a transfer counts)")
        .labelNames("transport", "rcode")
        .callback(
            cb -> {
              for (Transport t : Transport.values()) {
                for (int rcode = 0; rcode < 16; rcode++) {
                  cb.call((double) counters.of(t).responses(rcode), label(t), Rcode.string(rcode));
                }
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("cairn_requests_dropped")
        .help("Requests that got no response (responses themselves, too short, or a failure)")
        .callback(cb -> cb.call((double) counters.droppedRequests()))
        .register(registry);
    CounterWithCallback.builder()
        .name("cairn_queries_malformed")
        .help("Requests answered FORMERR because they could not be parsed")
        .callback(cb -> cb.call((double) processor.malformedRequests()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("cairn_response_cache_bytes")
        .help("Bytes held by the cache of rendered responses")
        .callback(cb -> cb.call((double) processor.responseCacheBytes()))
        .register(registry);
    registry.register(
        histogram(
            "cairn_response_size_bytes",
            "Size of responses sent, by transport",
            counters,
            ServerCounters.PerTransport::responseSizes,
            1));
    registry.register(
        histogram(
            "cairn_query_duration_seconds",
            "Time from reading a query to its response being ready to send, by transport",
            counters,
            ServerCounters.PerTransport::latencyNanos,
            NANOS_PER_SECOND));
  }

  private static void connections(PrometheusRegistry registry, ServerCounters counters) {
    GaugeWithCallback.builder()
        .name("cairn_connections_open")
        .help("TCP and TLS connections open now, handshaking ones included")
        .labelNames("transport")
        .callback(
            cb -> {
              cb.call((double) counters.of(Transport.TCP).open(), "tcp");
              cb.call((double) counters.of(Transport.TLS).open(), "tls");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("cairn_connections_refused")
        .help("TCP and TLS connections refused: over the per-address limit or a full table")
        .labelNames("transport")
        .callback(
            cb -> {
              cb.call((double) counters.of(Transport.TCP).refused(), "tcp");
              cb.call((double) counters.of(Transport.TLS).refused(), "tls");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("cairn_connections_closed")
        .help("Connections the server closed, by reason")
        .labelNames("reason")
        .callback(
            cb -> {
              cb.call((double) counters.idleClosedConnections(), "idle");
              cb.call((double) counters.evictedConnections(), "evicted");
              cb.call((double) counters.writeTimeouts(), "write_timeout");
              cb.call((double) counters.transferTimeOuts(), "transfer_time_out");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("cairn_tls_handshakes")
        .help("TLS handshakes, by result (a timed-out handshake is a failure)")
        .labelNames("result")
        .callback(
            cb -> {
              cb.call((double) counters.tlsHandshakes(), "success");
              cb.call((double) counters.tlsHandshakesFailed(), "failure");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("cairn_tls_resumptions")
        .help("Successful TLS handshakes that resumed an earlier session")
        .callback(cb -> cb.call((double) counters.tlsResumptions()))
        .register(registry);
  }

  private static void transfers(PrometheusRegistry registry, TransferTally out, TransferTally in) {
    transferCounter(registry, "cairn_transfers_out", "Zone transfers sent", out);
    transferCounter(registry, "cairn_transfers_in", "Zone transfers taken from primaries", in);
    CounterWithCallback.builder()
        .name("cairn_transfer_bytes")
        .help("DNS message bytes of zone transfers, by direction")
        .labelNames("direction")
        .callback(
            cb -> {
              cb.call((double) in.bytes(), "in");
              cb.call((double) out.bytes(), "out");
            })
        .register(registry);
  }

  private static void transferCounter(
      PrometheusRegistry registry, String name, String help, TransferTally tally) {
    CounterWithCallback.builder()
        .name(name)
        .help(help + ", by type asked for and result")
        .labelNames("type", "result")
        .callback(
            cb -> {
              for (TransferTally.Kind kind : TransferTally.Kind.values()) {
                for (TransferTally.Result result : TransferTally.Result.values()) {
                  cb.call(
                      (double) tally.count(kind, result),
                      kind.name(),
                      result.name().toLowerCase(Locale.ROOT));
                }
              }
            })
        .register(registry);
  }

  private static void notifies(
      PrometheusRegistry registry, NotifySender sender, ReceivedNotifies received) {
    CounterWithCallback.builder()
        .name("cairn_notify_sent")
        .help("NOTIFYs sent, one per target and change, by whether the target answered")
        .labelNames("result")
        .callback(
            cb -> {
              cb.call((double) sender.answered(), "answered");
              cb.call((double) sender.unanswered(), "unanswered");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("cairn_notify_received")
        .help("NOTIFYs received, by how they were answered")
        .labelNames("result")
        .callback(
            cb -> {
              cb.call((double) received.accepted(), "accepted");
              cb.call((double) received.refused(), "refused");
              cb.call((double) received.notAuth(), "notauth");
            })
        .register(registry);
  }

  private static void zones(
      PrometheusRegistry registry,
      ZoneSet zones,
      Supplier<? extends Iterable<ZoneStatus>> statuses) {
    GaugeWithCallback.builder()
        .name("cairn_zone_serial")
        .help("Serial served, per zone (absent while none is served)")
        .labelNames("zone")
        .callback(
            cb -> {
              for (ZoneStatus z : statuses.get()) {
                if (z.serial() >= 0) {
                  cb.call((double) z.serial(), z.zone().toString());
                }
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("cairn_zone_records")
        .help("Records in the version served, per zone")
        .labelNames("zone")
        .callback(
            cb -> {
              for (ZoneStatus z : statuses.get()) {
                ZoneSnapshot served = zones.get(z.zone());
                if (served != null) {
                  cb.call(served.size(), z.zone().toString());
                }
              }
            })
        .register(registry);
    secondaryTime(
        registry,
        "cairn_zone_last_refresh_timestamp_seconds",
        "When a secondary zone's last successful check of its primaries ended (Unix time)",
        statuses,
        ZoneStatus::lastSuccess);
    secondaryTime(
        registry,
        "cairn_zone_expiry_timestamp_seconds",
        "When a secondary zone expires unless a check succeeds first (Unix time)",
        statuses,
        ZoneStatus::expiresAt);
  }

  private static void secondaryTime(
      PrometheusRegistry registry,
      String name,
      String help,
      Supplier<? extends Iterable<ZoneStatus>> statuses,
      Function<ZoneStatus, Instant> time) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("zone")
        .callback(
            cb -> {
              for (ZoneStatus z : statuses.get()) {
                Instant at = z.secondary() ? time.apply(z) : null;
                if (at != null) {
                  cb.call((double) at.toEpochMilli() / 1000.0, z.zone().toString());
                }
              }
            })
        .register(registry);
  }

  /** A histogram per transport from the counters' fixed buckets, scaled by {@code unit}. */
  private static Collector histogram(
      String name,
      String help,
      ServerCounters counters,
      Function<ServerCounters.PerTransport, FixedHistogram> which,
      double unit) {
    MetricMetadata metadata = new MetricMetadata(name, help);
    return () -> {
      List<HistogramSnapshot.HistogramDataPointSnapshot> points = new ArrayList<>();
      for (Transport t : Transport.values()) {
        FixedHistogram h = which.apply(counters.of(t));
        long[] bounds = h.bounds();
        double[] upper = new double[bounds.length + 1];
        for (int i = 0; i < bounds.length; i++) {
          upper[i] = bounds[i] / unit;
        }
        upper[bounds.length] = Double.POSITIVE_INFINITY;
        points.add(
            HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, h.counts()))
                .sum(h.sum() / unit)
                .labels(Labels.of("transport", label(t)))
                .build());
      }
      return new HistogramSnapshot(metadata, points);
    };
  }

  private static String label(Transport t) {
    return t.name().toLowerCase(Locale.ROOT);
  }

  /** The store file's size; 0 when it cannot be read (a scrape must not fail on it). */
  private static long fileSize(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }
}
