package org.cairndns.server.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus endpoint ({@code metrics.listen}): the client library's HTTP server, serving the
 * registry at {@code /metrics} in the text format (or OpenMetrics or protobuf, as the scraper
 * asks). It has no authentication, like CoreDNS's and Knot's exporters: bind it to loopback or a
 * management network.
 */
public final class MetricsEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

  private final HTTPServer server;
  private final InetSocketAddress address;

  private MetricsEndpoint(HTTPServer server, InetSocketAddress address) {
    this.server = server;
    this.address = address;
  }

  public static MetricsEndpoint start(InetSocketAddress listen, PrometheusRegistry registry)
      throws IOException {
    HTTPServer server;
    try {
      server =
          HTTPServer.builder()
              .inetAddress(listen.getAddress())
              .port(listen.getPort())
              .registry(registry)
              .buildAndStart();
    } catch (IOException e) {
      throw new IOException(
          "cannot listen for metrics on "
              + listen.getAddress().getHostAddress()
              + ":"
              + listen.getPort()
              + ": "
              + e.getMessage(),
          e);
    }
    InetSocketAddress bound = new InetSocketAddress(listen.getAddress(), server.getPort());
    log.info(
        "event=metrics-listening address={}:{} path=/metrics",
        bound.getAddress().getHostAddress(),
        bound.getPort());
    return new MetricsEndpoint(server, bound);
  }

  /** The address bound (the port the system chose when 0 was asked). */
  public InetSocketAddress address() {
    return address;
  }

  @Override
  public void close() {
    server.close();
  }
}
