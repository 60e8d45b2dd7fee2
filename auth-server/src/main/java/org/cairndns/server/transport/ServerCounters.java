package org.cairndns.server.transport;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.cairndns.request.Transport;
import org.cairndns.server.query.Outcome;
import org.cairndns.xfr.TransferTally;
import org.xbill.DNS.Rcode;

/**
 * What the listeners count: per transport, queries by type, responses by rcode, response sizes and
 * answering times; connections open, refused, evicted and closed; TLS handshakes; transfers sent.
 * Striped counters (LongAdder) in arrays fixed at start, so counting a query is a few uncontended
 * adds and never a map or label lookup; the metrics registry reads them when scraped.
 */
public final class ServerCounters {
  /** Response size bounds in bytes: 512 (plain DNS), 1232 (EDNS default), up to a TCP message. */
  static final long[] SIZE_BOUNDS = {64, 128, 256, 512, 1232, 2048, 4096, 16_384, 65_535};

  /** Answering time bounds, from a cached answer (microseconds) to a slow one. */
  static final long[] LATENCY_BOUNDS_NANOS = {
    10_000,
    50_000,
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    50_000_000,
    250_000_000,
    1_000_000_000
  };

  /** The counts of one transport; its handlers hold it, so counting needs no lookup. */
  public static final class PerTransport {
    private final LongAdder[] byRcode = adders(16);
    private final LongAdder[] byQtype = adders(QtypeBuckets.COUNT);
    private final FixedHistogram sizes = new FixedHistogram(SIZE_BOUNDS);
    private final FixedHistogram latency = new FixedHistogram(LATENCY_BOUNDS_NANOS);
    private final LongAdder open = new LongAdder();
    private final LongAdder refused = new LongAdder();

    void query(byte[] request) {
      byQtype[QtypeBuckets.of(request)].increment();
    }

    /** A reply to a query, {@code nanos} after it was read. */
    void reply(Outcome.Reply reply, long nanos) {
      response(reply.head(), reply.length());
      latency.observe(nanos);
    }

    /** One message sent: a reply, or one of a transfer's. */
    void response(byte[] head, int length) {
      if (head.length >= 4) {
        byRcode[head[3] & 0xF].increment();
      }
      sizes.observe(length);
    }

    public long responses(int rcode) {
      return byRcode[rcode].sum();
    }

    public long queries(int qtypeBucket) {
      return byQtype[qtypeBucket].sum();
    }

    public FixedHistogram responseSizes() {
      return sizes;
    }

    /** Nanoseconds from reading a query to its reply being ready to send. */
    public FixedHistogram latencyNanos() {
      return latency;
    }

    /** Connections open now (TCP and TLS). */
    public long open() {
      return open.sum();
    }

    public long refused() {
      return refused.sum();
    }
  }

  private final Map<Transport, PerTransport> transports = new EnumMap<>(Transport.class);
  private final LongAdder dropped = new LongAdder();
  private final LongAdder evictedConnections = new LongAdder();
  private final LongAdder idleClosed = new LongAdder();
  private final LongAdder writeTimeouts = new LongAdder();
  private final LongAdder transferTimeOuts = new LongAdder();
  private final LongAdder handshakes = new LongAdder();
  private final LongAdder handshakesFailed = new LongAdder();
  private final LongAdder resumptions = new LongAdder();
  private final TransferTally transfersOut = new TransferTally();

  public ServerCounters() {
    for (Transport t : Transport.values()) {
      transports.put(t, new PerTransport());
    }
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] adders = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      adders[i] = new LongAdder();
    }
    return adders;
  }

  public PerTransport of(Transport transport) {
    return transports.get(transport);
  }

  void dropped() {
    dropped.increment();
  }

  void refusedConnection(Transport transport) {
    of(transport).refused.increment();
  }

  void opened(PerTransport transport) {
    transport.open.increment();
  }

  void closed(PerTransport transport) {
    transport.open.decrement();
  }

  void evictedConnection() {
    evictedConnections.increment();
  }

  void idleClosed() {
    idleClosed.increment();
  }

  void writeTimedOut() {
    writeTimeouts.increment();
  }

  void transferTimedOut() {
    transferTimeOuts.increment();
  }

  /** A TLS handshake that completed; {@code resumed} when it resumed an earlier session. */
  void handshake(boolean resumed) {
    handshakes.increment();
    if (resumed) {
      resumptions.increment();
    }
  }

  void handshakeFailed() {
    handshakesFailed.increment();
  }

  /** Requests that got no response (not parseable as one, or a failure answering). */
  public long droppedRequests() {
    return dropped.sum();
  }

  public long evictedConnections() {
    return evictedConnections.sum();
  }

  public long idleClosedConnections() {
    return idleClosed.sum();
  }

  /** Connections closed because what was queued for them made no progress. */
  public long writeTimeouts() {
    return writeTimeouts.sum();
  }

  /** Transfers cut off at {@code xfr.max-transfer-time-out}. */
  public long transferTimeOuts() {
    return transferTimeOuts.sum();
  }

  public long tlsHandshakes() {
    return handshakes.sum();
  }

  public long tlsHandshakesFailed() {
    return handshakesFailed.sum();
  }

  public long tlsResumptions() {
    return resumptions.sum();
  }

  /** Transfers sent over TCP and TLS, by type and result, and their bytes. */
  public TransferTally transfersOut() {
    return transfersOut;
  }

  /** Non-zero response counters as {@code udp.NOERROR=12} style entries, then the rest. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new LinkedHashMap<>();
    transports.forEach(
        (t, counts) -> {
          for (int i = 0; i < 16; i++) {
            long v = counts.responses(i);
            if (v > 0) {
              out.put(t.name().toLowerCase(Locale.ROOT) + "." + Rcode.string(i), v);
            }
          }
        });
    out.put("dropped", droppedRequests());
    out.put("refused-connections", of(Transport.TCP).refused() + of(Transport.TLS).refused());
    out.put("evicted-connections", evictedConnections());
    out.put("idle-closed", idleClosedConnections());
    out.put("write-timeouts", writeTimeouts());
    out.put("transfer-time-outs", transferTimeOuts());
    return out;
  }
}
