package org.cairndns.server;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.cairndns.server.config.CairnConfig;
import org.cairndns.server.config.ConfigDifference;
import org.cairndns.server.config.ConfigException;
import org.cairndns.server.config.ConfigFile;
import org.cairndns.server.control.ControlAnswerer;
import org.cairndns.server.control.ControlEndpoint;
import org.cairndns.server.metrics.MetricsEndpoint;
import org.cairndns.server.metrics.ReceivedNotifies;
import org.cairndns.server.metrics.ServerMetrics;
import org.cairndns.server.query.QueryConfig;
import org.cairndns.server.query.QueryProcessor;
import org.cairndns.server.transport.DnsServer;
import org.cairndns.server.transport.ListenerSettings;
import org.cairndns.tls.ServerTlsContext;
import org.cairndns.tls.TlsConfigException;
import org.cairndns.tls.TlsSettings;
import org.cairndns.xfr.acl.TransferPolicy;
import org.cairndns.xfr.notify.NotifySender;
import org.cairndns.xfr.owner.NotifyOut;
import org.cairndns.xfr.owner.ZoneOwner;
import org.cairndns.xfr.owner.ZoneOwners;
import org.cairndns.xfr.owner.ZoneStatus;
import org.cairndns.xfr.primary.TransferService;
import org.cairndns.xfr.primary.TransferSettings;
import org.cairndns.xfr.secondary.PrimaryPool;
import org.cairndns.xfr.secondary.PrimarySettings;
import org.cairndns.xfr.secondary.TransferClient;
import org.cairndns.xfr.secondary.XotProbeTable;
import org.cairndns.xfr.secondary.XotProbes;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.master.ZoneValidator;
import org.cairndns.zone.store.ZoneStore;
import org.cairndns.zone.store.ZoneStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;

/**
 * A running Cairn: the store, the published zones, the query processor and the listeners, wired
 * from one validated configuration.
 */
public final class CairnServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CairnServer.class);

  /**
   * Threads of the store poll (which also takes retransfer requests; it runs at a fixed delay, one
   * poll at a time) and of the zone owners' loads and publishes.
   */
  private static final int ZONE_EVENT_THREADS = 2;

  /** NOTIFYs out, each a short UDP exchange; more zones changing at once wait their turn. */
  private static final int NOTIFY_THREADS = 4;

  /** A NOTIFY unanswered is sent again after this, then at doubling intervals (RFC 1996 §3.6). */
  private static final Duration NOTIFY_FIRST_RETRY = Duration.ofSeconds(2);

  /** How often the zones' earliest signature expiries are compared with their warning time. */
  private static final Duration SIGNATURE_EXPIRY_CHECK = Duration.ofDays(1);

  /** NOTIFYs sent to one target for one change before giving up. */
  private static final int NOTIFY_TRIES = 5;

  private final ZoneStore store;
  private final ZoneSet zones = new ZoneSet();
  private final ZoneOwners owners;
  private final ScheduledExecutorService zoneEvents;

  /**
   * NOTIFY tries wait for their answers; apart from the poller, so dead targets cannot stall it.
   */
  private final ScheduledExecutorService notifying;

  private final ServerTlsContext tls;
  private DnsServer transport;
  private QueryProcessor processor;
  private TransferService transfers;
  private ScheduledExecutorService secondaryScheduler;
  private PrimaryPool primaryPool;
  private NotifySender notifier;
  private TransferClient transferClient;
  private ControlEndpoint control;
  private PrometheusRegistry metrics;
  private MetricsEndpoint metricsEndpoint;

  /** Re-read by {@link #reload()}; null when the server was started without a file. */
  private final ConfigFile file;

  /** What the server started with: restart-only keys are compared with it at each reload. */
  private final CairnConfig started;

  private CairnConfig running; // guarded by this: the configuration last applied

  private CairnServer(CairnConfig config, ZoneStore store, ConfigFile file)
      throws TlsConfigException {
    this.store = store;
    this.file = file;
    this.started = config;
    this.running = config;
    this.tls = config.tlsListen().isEmpty() ? null : ServerTlsContext.create(tlsSettings(config));
    this.zoneEvents =
        Executors.newScheduledThreadPool(
            ZONE_EVENT_THREADS,
            r -> {
              Thread t = new Thread(r, "cairn-zone-events");
              t.setDaemon(true);
              return t;
            });
    this.notifying =
        Executors.newScheduledThreadPool(
            NOTIFY_THREADS,
            r -> {
              Thread t = new Thread(r, "cairn-notify");
              t.setDaemon(true);
              return t;
            });
    this.owners = new ZoneOwners(store, zones, zoneEvents, config.zones().isEmpty());
  }

  /** A server that {@link #reload()} cannot re-read a file for (tests, no {@code --config}). */
  public static CairnServer start(CairnConfig config)
      throws IOException, ZoneStoreException, TlsConfigException {
    return start(config, null);
  }

  /**
   * @param file what {@link #reload()} reads again, giving {@code config} now; null when there is
   *     no file
   */
  public static CairnServer start(CairnConfig config, ConfigFile file)
      throws IOException, ZoneStoreException, TlsConfigException {
    config.warnings().forEach(w -> log.warn("event=config-warning warning=\"{}\"", w));
    ZoneStore store = ZoneStore.open(config.database(), config.limits().journalSteps());
    CairnServer server;
    try {
      server = new CairnServer(config, store, file);
    } catch (TlsConfigException | RuntimeException e) {
      store.close();
      throw e;
    }
    try {
      server.addZones(config);
      // Before the listeners: a zone that expired while the server was down is never answered from.
      server.owners.start();
      QueryConfig queryConfig = QueryConfig.from(config);
      TransferSettings xfr = transferSettings(config);
      TransferService transfers = new TransferService(server.zones::get, store::journal, xfr);
      ReceivedNotifies notifies = new ReceivedNotifies(server.owners::onNotify);
      server.transfers = transfers;
      QueryProcessor processor =
          new QueryProcessor(server.zones, transfers, notifies, queryConfig, xfr.keys());
      server.processor = processor;
      ListenerSettings listeners = ListenerSettings.from(config);
      ServerTlsContext tls = server.tls;
      server.transport =
          DnsServer.start(
              listeners,
              processor,
              tls == null
                  ? null
                  : ch -> tls.newHandler(ch.alloc(), listeners.tlsHandshakeTimeout()));
      server.metrics =
          ServerMetrics.registry(
              new ServerMetrics.Sources(
                  server.transport.counters(),
                  processor,
                  server.transferClient.tally(),
                  server.notifier,
                  notifies,
                  server.zones,
                  server.owners::statuses,
                  storeFile(config.database())));
      if (config.metrics().listen() != null) {
        server.metricsEndpoint = MetricsEndpoint.start(config.metrics().listen(), server.metrics);
      }
      if (config.control().enabled()) {
        server.control =
            ControlEndpoint.start(
                config.control(),
                config.database(),
                new ControlAnswerer(server, server.owners, config.database(), Clock.systemUTC()));
      }
      long every = config.storePollInterval().toMillis();
      server.zoneEvents.scheduleWithFixedDelay(
          server::pollStore, every, every, TimeUnit.MILLISECONDS);
      // each publish logs its earliest expiry; this repeats it, for all zones at once, while close
      server.zoneEvents.scheduleAtFixedRate(
          () -> server.owners.warnOfExpiringSignatures(Instant.now()),
          SIGNATURE_EXPIRY_CHECK.toMillis(),
          SIGNATURE_EXPIRY_CHECK.toMillis(),
          TimeUnit.MILLISECONDS);
      return server;
    } catch (IOException | ZoneStoreException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /**
   * Gives each configured zone its owner. Zones with primaries are secondaries: their checks share
   * one connection pool and the {@code transfers-in} threads, made here once.
   */
  private void addZones(CairnConfig config) throws ZoneStoreException {
    Map<Name, TSIG> keys = tsigKeys(config);
    notifier = new NotifySender(notifying, NOTIFY_FIRST_RETRY, NOTIFY_TRIES);
    CairnConfig.Secondary s = config.secondary();
    int timeout = (int) s.timeout().toMillis();
    secondaryScheduler =
        Executors.newScheduledThreadPool(
            s.transfersIn(),
            r -> {
              Thread t = new Thread(r, "cairn-secondary");
              t.setDaemon(true);
              return t;
            });
    primaryPool = new PrimaryPool(s.connectionsPerPrimary(), s.pipelinedPerConnection(), timeout);
    XotProbeTable probeTable = new XotProbeTable(store.database());
    XotProbes probes =
        new XotProbes(
            probeTable.saved(),
            Clock.systemUTC(),
            s.xotReprobe(),
            s.xotProbes(),
            secondaryScheduler,
            (address, entry) -> {
              try {
                probeTable.save(address, entry);
              } catch (ZoneStoreException e) {
                log.warn("event=probe-save-failed error=\"{}\"", e.getMessage());
              }
            });
    transferClient =
        new TransferClient(primaryPool, s.timeout(), probes, s.transfersInPerPrimary());
    for (CairnConfig.ZoneEntry z : config.zones()) {
      own(z, keys, owners::add);
    }
  }

  /** {@link ZoneOwners#add} or {@link ZoneOwners#replace}. */
  @FunctionalInterface
  private interface OwnerPlacement {
    void place(
        Name name,
        Path file,
        ZoneValidator.Checks checks,
        NotifyOut notify,
        ZoneOwner.Secondary secondary);
  }

  /**
   * Places the owner of {@code z}, its TSIG keys taken from {@code keys} (the loader checked that
   * each one named exists).
   */
  private void own(CairnConfig.ZoneEntry z, Map<Name, TSIG> keys, OwnerPlacement placement) {
    NotifyOut notify =
        new NotifyOut(
            notifier,
            z.notifyTargets(),
            z.notifyNs(),
            z.notifyKey() == null ? null : keys.get(z.notifyKey()));
    if (z.primaries().isEmpty()) {
      placement.place(z.name(), z.file(), z.fileChecks(), notify, null);
      return;
    }
    List<PrimarySettings> primaries = new java.util.ArrayList<>();
    for (CairnConfig.Primary p : z.primaries()) {
      primaries.add(
          new PrimarySettings(
              p.address(),
              p.transport(),
              p.key() == null ? null : keys.get(p.key()),
              p.tlsPins(),
              p.tlsCa(),
              p.tlsName(),
              p.tlsCertificate(),
              p.tlsKey(),
              z.transferLimits()));
    }
    placement.place(
        z.name(),
        z.file(),
        z.fileChecks(),
        notify,
        new ZoneOwner.Secondary(primaries, transferClient, secondaryScheduler, Clock.systemUTC()));
  }

  /**
   * What the owner of {@code zone} knows of it (for tools and tests), or null when it is not served
   * here.
   */
  public ZoneStatus zoneStatus(Name zone) {
    return owners.status(zone);
  }

  /** Connections opened to primaries so far. */
  public int primaryConnectionsOpened() {
    return primaryPool == null ? 0 : primaryPool.connectionsOpened();
  }

  private static TransferSettings transferSettings(CairnConfig config) {
    Map<Name, TransferPolicy> policies = new HashMap<>();
    for (CairnConfig.ZoneEntry z : config.zones()) {
      policies.put(z.name(), new TransferPolicy(z.allowTransfer(), z.transferTransports()));
    }
    CairnConfig.Xfr x = config.xfr();
    return new TransferSettings(
        x.messageSize(),
        x.maxRecordsPerMessage(),
        x.transfersOut(),
        x.transfersOutPerAddress(),
        x.transferWait(),
        policies,
        tsigKeys(config));
  }

  private static Map<Name, TSIG> tsigKeys(CairnConfig config) {
    Map<Name, TSIG> keys = new HashMap<>();
    for (CairnConfig.TsigKey k : config.tsigKeys()) {
      keys.put(k.name(), new TSIG(k.algorithm(), k.name().toString(), k.secret()));
    }
    return keys;
  }

  private static TlsSettings tlsSettings(CairnConfig config) {
    CairnConfig.Tls t = config.tls();
    Path dbDir = config.database().toAbsolutePath().getParent();
    return new TlsSettings(
        t.certificate(),
        t.key(),
        t.keyPassword(),
        t.clientCa(),
        t.minVersion(),
        dbDir.resolve("tls"),
        hostName(), // not identity.hostname, which CHAOS queries reveal and may be unset
        t.engine(),
        t.ocspResponse());
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "cairn";
    }
  }

  private void pollStore() {
    try {
      owners.poll();
      owners.takeRetransferRequests();
    } catch (ZoneStoreException e) {
      log.warn("event=store-poll-failed error=\"{}\"", e.getMessage());
    } catch (
        RuntimeException e) { // caught all the same: an exception would end the poller's schedule
      log.error("event=store-poll-failed error=\"{}\" (unexpected)", e, e);
    }
  }

  /** The H2 file of a store opened at {@code database} (which has no suffix). */
  private static Path storeFile(Path database) {
    return database.resolveSibling(database.getFileName() + ".mv.db");
  }

  /** The server's metrics, which {@code metrics.listen} and {@code cairn stats} show. */
  public PrometheusRegistry metrics() {
    return metrics;
  }

  /** The Prometheus endpoint, or null when {@code metrics.listen} is not set. */
  public MetricsEndpoint metricsEndpoint() {
    return metricsEndpoint;
  }

  public ZoneSet zones() {
    return zones;
  }

  public ZoneStore store() {
    return store;
  }

  public DnsServer transport() {
    return transport;
  }

  /** The query processor (its counters and cache size, for status and tests). */
  public QueryProcessor queryProcessor() {
    return processor;
  }

  /** The TLS context, for its SPKI pin and reloads; null without a TLS listener. */
  public ServerTlsContext tls() {
    return tls;
  }

  /**
   * {@code cairn reload} and SIGHUP: reads the configuration file again and applies what changed
   * (see docs/operations.md, "Reload"), and reads the TLS certificate and key again. An invalid
   * file, or a certificate that cannot be loaded, changes nothing. Listeners and open connections
   * stay; requests being answered finish under the settings they started with. Restart-only keys
   * that changed are named and left as they are.
   */
  public synchronized ReloadReport reload() {
    CairnConfig next = running;
    if (file != null) {
      try {
        next = file.read();
      } catch (ConfigException e) {
        log.error("event=reload-refused error=\"{}\" (nothing changed)", e.getMessage());
        return ReloadReport.refused(e.getMessage());
      }
    }
    next.warnings().forEach(w -> log.warn("event=config-warning warning=\"{}\"", w));
    ConfigDifference difference = ConfigDifference.between(started, running, next);
    if (tls != null) { // first: a certificate that cannot be loaded refuses the whole reload
      try {
        if (difference.tlsChanged()) {
          tls.reload(tlsSettings(next));
        } else {
          tls.reload();
        }
        log.info("event=tls-reloaded spki_pin={}", tls.spkiPin());
      } catch (TlsConfigException e) {
        String error = "tls: " + e.getMessage();
        log.error("event=reload-refused error=\"{}\" (nothing changed)", error);
        return ReloadReport.refused(error);
      }
    }
    apply(next, difference);
    running = next;
    difference.applied().forEach(change -> log.info("event=reload-applied change=\"{}\"", change));
    difference
        .restartNeeded()
        .forEach(key -> log.warn("event=reload-needs-restart key={} (not applied)", key));
    log.info(
        "event=reloaded changes={} needing_restart={}{}",
        difference.applied().size(),
        difference.restartNeeded().size(),
        file == null ? " (started without a configuration file: only TLS files were read)" : "");
    return new ReloadReport(null, difference.applied(), difference.restartNeeded());
  }

  /** Publishes the settings {@code next} gives each running part, and the zones' changes. */
  private void apply(CairnConfig next, ConfigDifference difference) {
    Map<Name, TSIG> keys = tsigKeys(next);
    processor.publish(QueryConfig.from(next), keys);
    transfers.publish(transferSettings(next));
    transport.publish(ListenerSettings.from(next));
    difference.zonesRemoved().forEach(owners::remove);
    difference.zonesChanged().forEach(z -> own(z, keys, owners::replace));
    difference.zonesAdded().forEach(z -> own(z, keys, owners::add));
    difference.zonesKept().forEach(z -> owners.rereadFile(z.name()));
  }

  /**
   * Publishes store changes now instead of at the next poll (used after a local load); returns once
   * published.
   */
  public void refreshNow() throws ZoneStoreException {
    owners.poll().join();
  }

  /**
   * The control endpoint ({@code cairn status}...), or null when {@code control.enabled} is false.
   */
  public ControlEndpoint control() {
    return control;
  }

  @Override
  public void close() {
    if (control != null) {
      control.close();
    }
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    owners.stop();
    if (secondaryScheduler != null) {
      secondaryScheduler.shutdownNow();
    }
    if (primaryPool != null) {
      primaryPool.close();
    }
    zoneEvents.shutdownNow();
    notifying.shutdownNow();
    if (transport != null) {
      transport.close();
    }
    store.close();
  }
}
