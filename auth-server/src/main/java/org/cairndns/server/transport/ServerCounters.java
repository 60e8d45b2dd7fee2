package org.cairndns.server.transport;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.cairndns.request.Transport;
import org.xbill.DNS.Rcode;

/** Responses per transport and rcode, and dropped requests; kept in memory, cheap to bump. */
public final class ServerCounters {
  private final Map<Transport, LongAdder[]> byRcode = new EnumMap<>(Transport.class);
  private final LongAdder dropped = new LongAdder();
  private final LongAdder refusedConnections = new LongAdder();
  private final LongAdder evictedConnections = new LongAdder();
  private final LongAdder idleClosed = new LongAdder();
  private final LongAdder writeTimeouts = new LongAdder();
  private final LongAdder transferTimeOuts = new LongAdder();

  public ServerCounters() {
    for (Transport t : Transport.values()) {
      LongAdder[] adders = new LongAdder[16];
      for (int i = 0; i < adders.length; i++) {
        adders[i] = new LongAdder();
      }
      byRcode.put(t, adders);
    }
  }

  void response(Transport transport, byte[] wire) {
    if (wire.length >= 4) {
      byRcode.get(transport)[wire[3] & 0xF].increment();
    }
  }

  void dropped() {
    dropped.increment();
  }

  void refusedConnection() {
    refusedConnections.increment();
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

  /** Non-zero counters as {@code udp.NOERROR=12} style entries. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new LinkedHashMap<>();
    byRcode.forEach(
        (t, adders) -> {
          for (int i = 0; i < adders.length; i++) {
            long v = adders[i].sum();
            if (v > 0) {
              out.put(t.name().toLowerCase(Locale.ROOT) + "." + Rcode.string(i), v);
            }
          }
        });
    out.put("dropped", dropped.sum());
    out.put("refused-connections", refusedConnections.sum());
    out.put("evicted-connections", evictedConnections.sum());
    out.put("idle-closed", idleClosed.sum());
    out.put("write-timeouts", writeTimeouts.sum());
    out.put("transfer-time-outs", transferTimeOuts.sum());
    return out;
  }
}
