package org.cairndns.server.config;

import static org.cairndns.server.config.ConfigSchema.*;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.xbill.DNS.Name;

/**
 * What {@code cairn reload} finds between the running configuration and the file read again: the
 * keys whose new value the server takes (old and new value, a secret only as "changed"), the
 * restart-only keys ({@link ConfigSchema#RESTART_ONLY}) that differ from what the server started
 * with, and the zones and TSIG keys added, removed or changed. Pure: applying it is the server's.
 */
public final class ConfigDifference {
  /** A key outside the {@code zones} and {@code tsig-keys} lists, read from a configuration. */
  record Setting(Key<?> key, Function<CairnConfig, Object> value) {}

  /** Every key but those of {@code zones[]} and {@code tsig-keys[]} (ConfigDifferenceTest). */
  static final List<Setting> SETTINGS =
      List.of(
          new Setting(DATABASE, CairnConfig::database),
          new Setting(LISTEN, CairnConfig::listen),
          new Setting(TLS_LISTEN, CairnConfig::tlsListen),
          new Setting(STORE_POLL_INTERVAL, CairnConfig::storePollInterval),
          new Setting(CONTROL_ENABLED, c -> c.control().enabled()),
          new Setting(CONTROL_SOCKET, c -> c.control().socket()),
          new Setting(CONTROL_LISTEN, c -> c.control().listen()),
          new Setting(LOG_LEVEL, c -> c.log().level()),
          new Setting(LOG_FILE, c -> c.log().file()),
          new Setting(LOG_SYSLOG, c -> c.log().syslog()),
          new Setting(METRICS_LISTEN, c -> c.metrics().listen()),
          new Setting(TLS_CERTIFICATE, c -> c.tls().certificate()),
          new Setting(TLS_KEY, c -> c.tls().key()),
          new Setting(TLS_KEY_PASSWORD, c -> c.tls().keyPassword()),
          new Setting(TLS_CLIENT_CA, c -> c.tls().clientCa()),
          new Setting(TLS_MIN_VERSION, c -> c.tls().minVersion()),
          new Setting(TLS_OCSP_RESPONSE, c -> c.tls().ocspResponse()),
          new Setting(TLS_ENGINE, c -> c.tls().engine()),
          new Setting(TCP_IDLE_TIMEOUT, c -> c.limits().tcpIdleTimeout()),
          new Setting(TCP_CONNECTIONS, c -> c.limits().tcpConnections()),
          new Setting(TCP_CONNECTIONS_PER_ADDRESS, c -> c.limits().tcpConnectionsPerAddress()),
          new Setting(TLS_HANDSHAKE_TIMEOUT, c -> c.limits().tlsHandshakeTimeout()),
          new Setting(TCP_QUERIES_IN_FLIGHT, c -> c.limits().tcpQueriesInFlight()),
          new Setting(TCP_WRITE_BUFFER, c -> c.limits().tcpWriteBuffer()),
          new Setting(TCP_WRITE_TIMEOUT, c -> c.limits().tcpWriteTimeout()),
          new Setting(UDP_PAYLOAD, c -> c.limits().udpPayload()),
          new Setting(JOURNAL_STEPS, c -> c.limits().journalSteps()),
          new Setting(RESPONSE_CACHE_BYTES, c -> c.limits().responseCacheBytes()),
          new Setting(UDP_RECEIVE_BUFFER, c -> c.limits().udpReceiveBuffer()),
          new Setting(CHAOS, c -> c.identity().chaos()),
          new Setting(VERSION, c -> c.identity().version()),
          new Setting(HOSTNAME, c -> c.identity().hostname()),
          new Setting(ID, c -> c.identity().id()),
          new Setting(NSID, c -> c.identity().nsid()),
          new Setting(ALLOW_QUERY_GLOBAL.section().asList(), CairnConfig::allowQuery),
          new Setting(COOKIES_ENABLED, c -> c.cookies().enabled()),
          new Setting(COOKIES_REQUIRE, c -> c.cookies().require()),
          new Setting(COOKIES_SECRET, c -> c.cookies().secret()),
          new Setting(MESSAGE_SIZE, c -> c.xfr().messageSize()),
          new Setting(MAX_RECORDS_PER_MESSAGE, c -> c.xfr().maxRecordsPerMessage()),
          new Setting(TRANSFERS_OUT, c -> c.xfr().transfersOut()),
          new Setting(TRANSFERS_OUT_PER_ADDRESS, c -> c.xfr().transfersOutPerAddress()),
          new Setting(TRANSFER_WAIT, c -> c.xfr().transferWait()),
          new Setting(MAX_TRANSFER_TIME_OUT, c -> c.xfr().maxTransferTimeOut()),
          new Setting(TRANSFERS_IN, c -> c.secondary().transfersIn()),
          new Setting(TRANSFERS_IN_PER_PRIMARY, c -> c.secondary().transfersInPerPrimary()),
          new Setting(CONNECTIONS_PER_PRIMARY, c -> c.secondary().connectionsPerPrimary()),
          new Setting(PIPELINED_PER_CONNECTION, c -> c.secondary().pipelinedPerConnection()),
          new Setting(SECONDARY_TIMEOUT, c -> c.secondary().timeout()),
          new Setting(XOT_REPROBE, c -> c.secondary().xotReprobe()),
          new Setting(XOT_PROBES, c -> c.secondary().xotProbes()),
          new Setting(MAX_RECORDS, c -> c.secondary().transferLimits().maxRecords()),
          new Setting(MAX_ZONE_SIZE, c -> c.secondary().transferLimits().maxZoneBytes()),
          new Setting(MAX_TRANSFER_TIME_IN, c -> c.secondary().transferLimits().maxTime()));

  /** The keys of {@code zones[]} that transfers read as they start, not the zone's owner. */
  private static final Set<String> TRANSFER_POLICY =
      Set.of(
          ALLOW_TRANSFER.section().asList().name(),
          TRANSFER_TRANSPORTS.name(),
          ALLOW_QUERY
              .section()
              .asList()
              .name()); // read by each query, from the published query settings

  /** Shown as "changed" only, never their values. */
  private static final Set<Key<?>> SECRET = Set.of(TLS_KEY_PASSWORD, COOKIES_SECRET);

  private final List<String> applied = new ArrayList<>();
  private final List<String> restartNeeded = new ArrayList<>();
  private final List<CairnConfig.ZoneEntry> zonesAdded = new ArrayList<>();
  private final List<Name> zonesRemoved = new ArrayList<>();
  private final List<CairnConfig.ZoneEntry> zonesChanged = new ArrayList<>();
  private final List<CairnConfig.ZoneEntry> zonesKept = new ArrayList<>();
  private boolean tlsChanged;

  private ConfigDifference() {}

  /**
   * @param started what the server started with: restart-only keys are compared with it, so one
   *     changed stays named until a restart
   * @param running what the server runs with now (the last configuration applied)
   * @param next the file read again
   */
  public static ConfigDifference between(
      CairnConfig started, CairnConfig running, CairnConfig next) {
    ConfigDifference d = new ConfigDifference();
    for (Setting s : SETTINGS) {
      boolean restart = RESTART_ONLY.contains(s.key());
      Object before = s.value().apply(restart ? started : running);
      Object after = s.value().apply(next);
      if (Objects.equals(before, after)) {
        continue;
      }
      if (restart) {
        d.restartNeeded.add(s.key().path());
      } else {
        d.tlsChanged |= s.key().section() == TLS;
        d.applied.add(
            s.key().path()
                + (SECRET.contains(s.key())
                    ? " changed"
                    : ": " + shown(before) + " -> " + shown(after)));
      }
    }
    if (started.zones().isEmpty() != next.zones().isEmpty()) {
      // An empty list serves every zone in the store, each found by the store poll.
      d.restartNeeded.add("zones (to or from an empty list, which serves every stored zone)");
      return d;
    }
    Set<Name> keysChanged = d.tsigKeys(running.tsigKeys(), next.tsigKeys());
    d.zones(running.zones(), next.zones(), keysChanged);
    return d;
  }

  /**
   * The TSIG keys added, removed or rotated, each said in {@link #applied}; returns their names.
   */
  private Set<Name> tsigKeys(List<CairnConfig.TsigKey> before, List<CairnConfig.TsigKey> after) {
    Map<Name, CairnConfig.TsigKey> old = new HashMap<>();
    before.forEach(k -> old.put(k.name(), k));
    Set<Name> changed = new java.util.HashSet<>();
    for (CairnConfig.TsigKey k : after) {
      CairnConfig.TsigKey was = old.remove(k.name());
      if (was == null) {
        applied.add("tsig-keys " + k.name() + " added");
      } else if (!was.equals(k)) {
        applied.add("tsig-keys " + k.name() + " rotated (new secret or algorithm)");
      } else {
        continue;
      }
      changed.add(k.name());
    }
    for (Name gone : old.keySet()) {
      applied.add("tsig-keys " + gone + " removed");
      changed.add(gone);
    }
    return changed;
  }

  private void zones(
      List<CairnConfig.ZoneEntry> before, List<CairnConfig.ZoneEntry> after, Set<Name> keys) {
    Map<Name, CairnConfig.ZoneEntry> old = new LinkedHashMap<>();
    before.forEach(z -> old.put(z.name(), z));
    for (CairnConfig.ZoneEntry z : after) {
      CairnConfig.ZoneEntry was = old.remove(z.name());
      if (was == null) {
        zonesAdded.add(z);
        applied.add("zone " + z.name() + " added");
        continue;
      }
      List<String> fields = changedFields(was, z);
      List<Name> rotated = namedKeys(z).stream().filter(keys::contains).toList();
      if (fields.isEmpty() && rotated.isEmpty()) {
        zonesKept.add(z);
        continue;
      }
      // ACLs are read by each transfer as it starts; everything else belongs to the zone's owner.
      if (!rotated.isEmpty() || !TRANSFER_POLICY.containsAll(fields)) {
        zonesChanged.add(z);
      } else {
        zonesKept.add(z);
      }
      List<String> what = new ArrayList<>(fields);
      rotated.forEach(k -> what.add("its key " + k));
      applied.add("zone " + z.name() + " changed: " + String.join(", ", what));
    }
    for (Name gone : old.keySet()) {
      zonesRemoved.add(gone);
      applied.add("zone " + gone + " removed (no longer served; its data stays in the store)");
    }
  }

  /** The keys of {@code zones[]} that differ between two entries of one zone. */
  private static List<String> changedFields(CairnConfig.ZoneEntry a, CairnConfig.ZoneEntry b) {
    List<String> fields = new ArrayList<>();
    field(fields, ZONE_FILE, a.file(), b.file());
    field(fields, ZONE_STRICT, a.fileChecks().strict(), b.fileChecks().strict());
    field(
        fields,
        ZONE_SIGNATURE_WARNING,
        a.fileChecks().signatureWarning(),
        b.fileChecks().signatureWarning());
    field(fields, ALLOW_TRANSFER.section().asList(), a.allowTransfer(), b.allowTransfer());
    field(fields, TRANSFER_TRANSPORTS, a.transferTransports(), b.transferTransports());
    field(fields, ALLOW_QUERY.section().asList(), a.allowQuery(), b.allowQuery());
    field(fields, NOTIFY.asList(), a.notifyTargets(), b.notifyTargets());
    field(fields, NOTIFY_KEY, a.notifyKey(), b.notifyKey());
    field(fields, NOTIFY_NS, a.notifyNs(), b.notifyNs());
    field(fields, PRIMARIES.asList(), a.primaries(), b.primaries());
    field(
        fields, ZONE_MAX_RECORDS, a.transferLimits().maxRecords(), b.transferLimits().maxRecords());
    field(
        fields,
        ZONE_MAX_ZONE_SIZE,
        a.transferLimits().maxZoneBytes(),
        b.transferLimits().maxZoneBytes());
    field(
        fields,
        ZONE_MAX_TRANSFER_TIME_IN,
        a.transferLimits().maxTime(),
        b.transferLimits().maxTime());
    return fields;
  }

  private static void field(List<String> fields, Key<?> key, Object a, Object b) {
    if (!Objects.equals(a, b)) {
      fields.add(key.name());
    }
  }

  /** The TSIG keys a zone's owner signs with: its NOTIFYs' and its primaries'. */
  private static List<Name> namedKeys(CairnConfig.ZoneEntry z) {
    List<Name> names = new ArrayList<>();
    if (z.notifyKey() != null) {
      names.add(z.notifyKey());
    }
    z.primaries().stream()
        .map(CairnConfig.Primary::key)
        .filter(Objects::nonNull)
        .forEach(names::add);
    return names;
  }

  private static String shown(Object value) {
    if (value == null) {
      return "none";
    }
    if (value instanceof Duration d) {
      return ValueTypes.durationText(d);
    }
    if (value instanceof InetSocketAddress a) {
      return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(ConfigDifference::shown).toList().toString();
    }
    return value.toString();
  }

  /** Each difference the server takes, as logged and replied ({@code key: old -> new}). */
  public List<String> applied() {
    return Collections.unmodifiableList(applied);
  }

  /** The restart-only keys whose value differs from the one the server started with. */
  public List<String> restartNeeded() {
    return Collections.unmodifiableList(restartNeeded);
  }

  public List<CairnConfig.ZoneEntry> zonesAdded() {
    return Collections.unmodifiableList(zonesAdded);
  }

  public List<Name> zonesRemoved() {
    return Collections.unmodifiableList(zonesRemoved);
  }

  /** Zones whose owner must take new settings (all but a change of ACLs or transports alone). */
  public List<CairnConfig.ZoneEntry> zonesChanged() {
    return Collections.unmodifiableList(zonesChanged);
  }

  /**
   * Zones whose owner keeps running as it is (a changed ACL or nothing); their file is read again.
   */
  public List<CairnConfig.ZoneEntry> zonesKept() {
    return Collections.unmodifiableList(zonesKept);
  }

  /** Whether a {@code tls.*} key the server takes changed. */
  public boolean tlsChanged() {
    return tlsChanged;
  }
}
