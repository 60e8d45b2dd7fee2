package org.cairndns.server.control;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cairndns.server.CairnServer;
import org.cairndns.server.ReloadReport;
import org.cairndns.server.metrics.MetricSamples;
import org.cairndns.tls.ServerTlsContext;
import org.cairndns.xfr.owner.ZoneOwners;
import org.cairndns.xfr.owner.ZoneStatus;
import org.cairndns.xfr.secondary.PrimarySettings;
import org.cairndns.xfr.secondary.XotProbes;
import org.cairndns.xfr.secondary.ZoneRefresher;
import org.cairndns.zone.dnssec.SignatureExpiry;
import org.cairndns.zone.store.ZoneStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Answers the control channel's requests, one line each, with one JSON object: {@code status},
 * {@code stats}, {@code zone-status [ZONE]}, {@code zone-refresh ZONE}, {@code zone-retransfer
 * ZONE}, {@code zone-notify ZONE} and {@code reload}. A request that cannot be answered gets {@code
 * {"error": "..."}}.
 */
public final class ControlAnswerer {
  private static final Logger log = LoggerFactory.getLogger(ControlAnswerer.class);

  private final CairnServer server;
  private final ZoneOwners owners;
  private final Path database;
  private final Clock clock;
  private final Instant started;

  public ControlAnswerer(CairnServer server, ZoneOwners owners, Path database, Clock clock) {
    this.server = server;
    this.owners = owners;
    this.database = database;
    this.clock = clock;
    this.started = clock.instant();
  }

  /** The JSON reply to one request line. */
  public String answer(String request) {
    String[] words = request.isEmpty() ? new String[0] : request.split("\\s+");
    try {
      Map<String, Object> reply =
          switch (words.length == 0 ? "" : words[0]) {
            case "status" -> status();
            case "stats" -> stats();
            case "zone-status" -> zoneStatus(words.length > 1 ? zone(words[1]) : null);
            case "zone-refresh" -> answered(owners.refresh(zone(one(words))));
            case "zone-retransfer" -> answered(owners.retransfer(zone(one(words))));
            case "zone-notify" -> answered(owners.notifySecondaries(zone(one(words))));
            case "reload" -> reloaded(server.reload());
            default ->
                error(
                    "unknown request; expected status, stats, zone-status, zone-refresh, zone-retransfer, zone-notify or reload");
          };
      return JsonWriter.write(reply);
    } catch (IllegalArgumentException e) {
      return JsonWriter.write(error(e.getMessage()));
    } catch (RuntimeException e) {
      log.error(
          "event=control-request-failed request=\"{}\" error=\"{}\" (unexpected)", words[0], e, e);
      return JsonWriter.write(error("unexpected " + e));
    }
  }

  private Map<String, Object> status() {
    Map<String, Object> out = new LinkedHashMap<>();
    String version = CairnServer.class.getPackage().getImplementationVersion();
    out.put("version", version == null ? "development" : version);
    out.put("started", started.toString());
    out.put("uptime_seconds", Duration.between(started, clock.instant()).toSeconds());
    Map<String, Object> listeners = new LinkedHashMap<>();
    listeners.put("udp", texts(server.transport().udpAddresses()));
    listeners.put("tcp", texts(server.transport().tcpAddresses()));
    listeners.put("tls", texts(server.transport().tlsAddresses()));
    out.put("listeners", listeners);
    out.put("zones_served", server.zones().all().size());
    out.put("store", database.toAbsolutePath().toString());
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    out.put("heap_used_bytes", heap.getUsed());
    out.put("heap_max_bytes", heap.getMax());
    ServerTlsContext tls = server.tls();
    if (tls != null) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("engine", tls.engine().name());
      t.put("certificate_expires", tls.certificateExpiry().toString());
      out.put("tls", t);
    } else {
      out.put("tls", null);
    }
    return out;
  }

  /** Every Cairn metric's samples, as the Prometheus endpoint shows them. */
  private Map<String, Object> stats() {
    List<Object> samples = new ArrayList<>();
    for (MetricSamples.Sample s : MetricSamples.of(server.metrics())) {
      Map<String, Object> sample = new LinkedHashMap<>();
      sample.put("name", s.name());
      sample.put("labels", s.labels());
      double v = s.value();
      sample.put("value", v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v : v);
      samples.add(sample);
    }
    return Map.of("metrics", samples);
  }

  /**
   * @param only one zone, or null for every zone
   */
  private Map<String, Object> zoneStatus(Name only) {
    List<ZoneStatus> statuses = new ArrayList<>();
    if (only != null) {
      ZoneStatus status = owners.status(only);
      if (status == null) {
        throw new IllegalArgumentException("zone " + only + " is not served here");
      }
      statuses.add(status);
    } else {
      statuses.addAll(owners.statuses());
      statuses.sort(Comparator.comparing(ZoneStatus::zone));
    }
    List<Object> zones = new ArrayList<>();
    for (ZoneStatus s : statuses) {
      zones.add(zone(s));
    }
    return Map.of("zones", zones);
  }

  private Map<String, Object> zone(ZoneStatus s) {
    Map<String, Object> z = new LinkedHashMap<>();
    z.put("zone", s.zone().toString());
    z.put("role", s.secondary() ? "secondary" : "primary");
    long served = s.serial();
    z.put(
        "state",
        served == -1
            ? (s.secondary() ? "not transferred yet" : "not loaded")
            : s.state() == ZoneRefresher.State.EXPIRED ? "expired" : "served");
    z.put("serial_served", served == -1 ? null : served);
    z.put("serial_stored", storedSerial(s.zone()));
    z.put("last_error", s.lastError());
    SignatureExpiry.Signature first = s.earliestSignature();
    z.put("signature_expires", first == null ? null : first.expires().toString());
    z.put(
        "signature_expires_rrset",
        first == null ? null : first.owner() + " " + Type.string(first.covered()));
    if (s.secondary()) {
      z.put("refresh_state", s.state().name());
      z.put("last_check", text(s.lastCheck()));
      z.put("last_success", text(s.lastSuccess()));
      ZoneRefresher.Scheduled next = s.next();
      z.put("next_check", next == null ? null : next.at().toString());
      z.put("next_check_event", next == null ? null : next.event().name());
      z.put("expires", text(s.expiresAt()));
      z.put("last_transfer", s.lastTransfer());
      PrimarySettings primary = s.primaryInUse();
      z.put(
          "primary",
          primary == null
              ? null
              : primary.address().getAddress().getHostAddress()
                  + ":"
                  + primary.address().getPort());
      z.put("transport", primary == null ? null : primary.mode().name());
      XotProbes.Entry probe = s.probe();
      z.put("probe", probe == null ? null : probe.state().name());
    }
    return z;
  }

  /**
   * The stored serial, or null when the store has no version (or cannot be read: said in
   * last_error's stead).
   */
  private Object storedSerial(Name zone) {
    try {
      return server.store().soa(zone).map(SOARecord::getSerial).orElse(null);
    } catch (ZoneStoreException e) {
      return "unreadable: " + e.getMessage();
    }
  }

  private static Map<String, Object> reloaded(ReloadReport report) {
    if (report.error() != null) {
      return error("reload refused, nothing changed: " + report.error());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("result", "reloaded");
    out.put("applied", report.applied());
    out.put("restart_needed", report.restartNeeded());
    return out;
  }

  private static Map<String, Object> answered(ZoneOwners.Answer answer) {
    return switch (answer) {
      case STARTED -> Map.of("result", "started");
      case NOT_HERE -> error("zone is not served here");
      case NOT_SECONDARY -> error("zone is a primary here: there is nothing to check or transfer");
      case NOTHING_TO_NOTIFY ->
          error("no NOTIFY to send: the zone has no notify targets or serves no version");
    };
  }

  private static String one(String[] words) {
    if (words.length != 2) {
      throw new IllegalArgumentException(words[0] + " takes one zone name");
    }
    return words[1];
  }

  private static Name zone(String text) {
    try {
      return Name.fromString(text, Name.root);
    } catch (TextParseException e) {
      throw new IllegalArgumentException("not a zone name: " + text);
    }
  }

  private static Map<String, Object> error(String message) {
    return Map.of("error", message);
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }

  private static List<String> texts(List<java.net.InetSocketAddress> addresses) {
    return addresses.stream()
        .map(a -> a.getAddress().getHostAddress() + ":" + a.getPort())
        .toList();
  }
}
