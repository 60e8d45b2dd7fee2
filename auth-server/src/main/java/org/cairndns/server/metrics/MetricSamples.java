package org.cairndns.server.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBucket;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cairn's metrics (not the JVM's) as the samples the text format shows, for {@code cairn stats}: a
 * counter as {@code NAME_total}, a histogram as cumulative {@code _bucket} samples with {@code le},
 * {@code _count} and {@code _sum}. The same scrape as the endpoint's, so the numbers agree.
 */
public final class MetricSamples {
  /** One sample: its name, labels in order, and value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private MetricSamples() {}

  public static List<Sample> of(PrometheusRegistry registry) {
    List<Sample> out = new ArrayList<>();
    for (MetricSnapshot snapshot : registry.scrape(name -> name.startsWith("cairn_"))) {
      String name = snapshot.getMetadata().getPrometheusName();
      if (snapshot instanceof CounterSnapshot counter) {
        for (CounterSnapshot.CounterDataPointSnapshot p : counter.getDataPoints()) {
          out.add(new Sample(name + "_total", labels(p.getLabels()), p.getValue()));
        }
      } else if (snapshot instanceof GaugeSnapshot gauge) {
        for (GaugeSnapshot.GaugeDataPointSnapshot p : gauge.getDataPoints()) {
          out.add(new Sample(name, labels(p.getLabels()), p.getValue()));
        }
      } else if (snapshot instanceof HistogramSnapshot histogram) {
        for (HistogramSnapshot.HistogramDataPointSnapshot p : histogram.getDataPoints()) {
          long cumulative = 0;
          for (ClassicHistogramBucket b : p.getClassicBuckets()) {
            cumulative += b.getCount();
            Map<String, String> labels = labels(p.getLabels());
            labels.put("le", le(b.getUpperBound()));
            out.add(new Sample(name + "_bucket", labels, cumulative));
          }
          out.add(new Sample(name + "_count", labels(p.getLabels()), p.getCount()));
          out.add(new Sample(name + "_sum", labels(p.getLabels()), p.getSum()));
        }
      }
    }
    return out;
  }

  private static Map<String, String> labels(Labels labels) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Label l : labels) {
      out.put(l.getName(), l.getValue());
    }
    return out;
  }

  /** As the text format writes bounds: "+Inf", else the shortest decimal. */
  private static String le(double bound) {
    return bound == Double.POSITIVE_INFINITY ? "+Inf" : Double.toString(bound);
  }
}
