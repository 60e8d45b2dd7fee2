package org.cairndns.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.cairndns.server.config.CairnConfig;
import org.cairndns.server.config.ConfigLoader;
import org.cairndns.server.query.QueryConfig;
import org.cairndns.server.query.QueryProcessor;
import org.cairndns.server.transport.DnsServer;
import org.cairndns.server.transport.ListenerSettings;
import org.cairndns.tls.ServerTlsContext;
import org.cairndns.tls.TlsConfigException;
import org.cairndns.tls.TlsSettings;
import org.cairndns.xfr.acl.TransferPolicy;
import org.cairndns.xfr.notify.NotifySender;
import org.cairndns.xfr.primary.TransferService;
import org.cairndns.xfr.primary.TransferSettings;
import org.cairndns.xfr.secondary.PrimaryPool;
import org.cairndns.xfr.secondary.PrimarySettings;
import org.cairndns.xfr.secondary.TransferClient;
import org.cairndns.xfr.secondary.XotProbes;
import org.cairndns.xfr.secondary.ZoneRefresher;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.master.ZoneFile;
import org.cairndns.zone.master.ZoneFileException;
import org.cairndns.zone.master.ZoneFileReader;
import org.cairndns.zone.master.ZoneValidator;
import org.cairndns.zone.store.LoadOutcome;
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
  /** Threads of the store poll (which also takes retransfer requests); it runs at a fixed delay, one poll at a time. */
  private static final int STORE_POLL_THREADS = 2;
  /** NOTIFYs out, each a short UDP exchange; more zones changing at once wait their turn. */
  private static final int NOTIFY_THREADS = 4;
  /** A NOTIFY unanswered is sent again after this, then at doubling intervals (RFC 1996 §3.6). */
  private static final Duration NOTIFY_FIRST_RETRY = Duration.ofSeconds(2);
  /** NOTIFYs sent to one target for one change before giving up. */
  private static final int NOTIFY_TRIES = 5;

  private final ZoneStore store;
  private final ZoneSet zones = new ZoneSet();
  private final ZonePublisher publisher;
  private final ScheduledExecutorService poller;
  /** NOTIFY tries wait for their answers; apart from the poller, so dead targets cannot stall it. */
  private final ScheduledExecutorService notifying;
  private final ServerTlsContext tls;
  private DnsServer transport;
  private QueryProcessor processor;
  private final Map<Name, ZoneRefresher> refreshers = new HashMap<>();
  private ScheduledExecutorService secondaryScheduler;
  private PrimaryPool primaryPool;

  private CairnServer(CairnConfig config, ZoneStore store) throws TlsConfigException {
    this.store = store;
    Set<Name> configured = new HashSet<>();
    Map<Name, List<NotifySender.Target>> notifyTargets = new HashMap<>();
    Map<Name, TSIG> notifyKeys = new HashMap<>();
    Map<Name, TSIG> keys = tsigKeys(config);
    Set<Name> notifyNs = new HashSet<>();
    config.zones().forEach(z -> {
      configured.add(z.name());
      notifyTargets.put(z.name(), z.notifyTargets());
      if (z.notifyKey() != null) {
        notifyKeys.put(z.name(), keys.get(z.notifyKey()));
      }
      if (z.notifyNs()) {
        notifyNs.add(z.name());
      }
    });
    this.tls = config.tlsListen().isEmpty() ? null : ServerTlsContext.create(tlsSettings(config));
    this.poller = Executors.newScheduledThreadPool(STORE_POLL_THREADS, r -> {
      Thread t = new Thread(r, "cairn-store-poll");
      t.setDaemon(true);
      return t;
    });
    this.notifying = Executors.newScheduledThreadPool(NOTIFY_THREADS, r -> {
      Thread t = new Thread(r, "cairn-notify");
      t.setDaemon(true);
      return t;
    });
    NotifySender notifier = new NotifySender(notifying, NOTIFY_FIRST_RETRY, NOTIFY_TRIES);
    this.publisher = new ZonePublisher(store, zones, configured, snapshot -> {
      List<NotifySender.Target> targets = new java.util.ArrayList<>(notifyTargets.getOrDefault(snapshot.origin(), List.of()));
      if (notifyNs.contains(snapshot.origin())) {
        NotifySender.nsTargets(snapshot).stream().map(NotifySender.Target::udp)
            .filter(t -> targets.stream().noneMatch(c -> c.address().equals(t.address()))).forEach(targets::add);
      }
      if (!targets.isEmpty()) {
        notifier.notifyAll(snapshot.soa(), targets, notifyKeys.get(snapshot.origin()));
      }
    });
  }

  public static CairnServer start(CairnConfig config) throws IOException, ZoneStoreException, TlsConfigException {
    ZoneStore store = ZoneStore.open(config.database(), config.limits().journalSteps());
    CairnServer server;
    try {
      server = new CairnServer(config, store);
    } catch (TlsConfigException | RuntimeException e) {
      store.close();
      throw e;
    }
    try {
      server.loadZoneFiles(config);
      server.publisher.refresh();
      CairnConfig.Identity id = config.identity();
      QueryConfig queryConfig = new QueryConfig(config.limits().udpPayload(), config.limits().tcpIdleTimeout(),
          id.chaos() ? new QueryConfig.ChaosIdentity(id.version(), id.hostname(), id.id()) : null,
          config.limits().responseCacheBytes());
      TransferSettings xfr = transferSettings(config);
      TransferService transfers = new TransferService(server.zones::get, store::journal, xfr);
      server.startSecondaries(config, xfr.keys());
      QueryProcessor processor = new QueryProcessor(server.zones, transfers, server::onNotify, queryConfig, xfr.keys());
      server.processor = processor;
      ListenerSettings listeners = new ListenerSettings(config.listen(), config.tlsListen(),
          config.limits().tcpIdleTimeout(), config.limits().tcpConnections(),
          config.limits().tcpConnectionsPerAddress(), config.limits().tlsHandshakeTimeout(),
          config.limits().tcpWriteTimeout(), config.limits().tcpQueriesInFlight(), config.limits().tcpWriteBuffer(),
          config.xfr().maxTransferTimeOut());
      ServerTlsContext tls = server.tls;
      // Before the listeners: a zone that expired while the server was down is never answered from.
      server.refreshers.values().forEach(ZoneRefresher::start);
      server.transport = DnsServer.start(listeners, processor,
          tls == null ? null : ch -> tls.newHandler(ch.alloc(), listeners.tlsHandshakeTimeout()));
      long every = config.storePollInterval().toMillis();
      server.poller.scheduleWithFixedDelay(server::pollStore, every, every, TimeUnit.MILLISECONDS);
      return server;
    } catch (IOException | ZoneStoreException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** Zones with primaries are secondaries: each gets a refresher sharing one connection pool. */
  private void startSecondaries(CairnConfig config, Map<Name, TSIG> keys) throws ZoneStoreException {
    CairnConfig.Secondary s = config.secondary();
    int timeout = (int) s.timeout().toMillis();
    secondaryScheduler = Executors.newScheduledThreadPool(s.transfersIn(), r -> {
      Thread t = new Thread(r, "cairn-secondary");
      t.setDaemon(true);
      return t;
    });
    primaryPool = new PrimaryPool(s.connectionsPerPrimary(), s.pipelinedPerConnection(), timeout);
    Map<InetSocketAddress, XotProbes.Entry> saved = new HashMap<>();
    for (ZoneStore.ProbeRow row : store.probes()) {
      try {
        saved.put(ConfigLoader.parseAddress(row.address()), new XotProbes.Entry(XotProbes.State.valueOf(row.state()), row.changedAt()));
      } catch (IllegalArgumentException badRow) {
        log.warn("event=probe-row-ignored address={}", row.address());
      }
    }
    XotProbes probes = new XotProbes(saved, Clock.systemUTC(), s.xotReprobe(), s.xotProbes(), secondaryScheduler,
        (address, entry) -> {
          try {
            store.saveProbe(new ZoneStore.ProbeRow(address.getAddress().getHostAddress() + ":" + address.getPort(),
                entry.state().name(), entry.changedAt()));
          } catch (ZoneStoreException e) {
            log.warn("event=probe-save-failed error=\"{}\"", e.getMessage());
          }
        });
    TransferClient client = new TransferClient(primaryPool, s.timeout(), probes, s.transfersInPerPrimary());
    for (CairnConfig.ZoneEntry z : config.zones()) {
      if (z.primaries().isEmpty()) {
        continue;
      }
      List<PrimarySettings> primaries = new java.util.ArrayList<>();
      for (CairnConfig.Primary p : z.primaries()) {
        TSIG key = p.key() == null ? null : keys.get(p.key());
        if (p.key() != null && key == null) {
          throw new ZoneStoreException("zone " + z.name() + ": primary " + p.address() + " names TSIG key " + p.key() + ", which is not in tsig-keys");
        }
        PrimarySettings.Mode mode = switch (p.transport()) {
          case "tcp" -> PrimarySettings.Mode.TCP;
          case "tls" -> PrimarySettings.Mode.TLS;
          default -> PrimarySettings.Mode.OPPORTUNISTIC_TLS;
        };
        primaries.add(new PrimarySettings(p.address(), mode, key, p.tlsPins(), p.tlsCa(), p.tlsName(),
            p.tlsCertificate(), p.tlsKey(), z.transferLimits()));
      }
      Name name = z.name();
      zones.markNotReady(name); // SERVFAIL until its first transfer is published (a no-op when stored already)
      refreshers.put(name, new ZoneRefresher(name, primaries, client, store, secondaryScheduler, Clock.systemUTC(),
          publisher, expired -> zones.setExpired(name, expired)));
    }
  }

  /** NOTIFY for a secondary zone from one of its primaries triggers a check; others are refused. */
  private int onNotify(org.xbill.DNS.Message notify, org.cairndns.request.Requester from) {
    ZoneRefresher refresher = refreshers.get(notify.getQuestion().getName());
    if (refresher == null) {
      return org.xbill.DNS.Rcode.NOTAUTH;
    }
    return refresher.onNotify(from.address().getAddress()) ? org.xbill.DNS.Rcode.NOERROR : org.xbill.DNS.Rcode.REFUSED;
  }

  /** The secondary zones' refreshers (state for tools and tests). */
  public Map<Name, ZoneRefresher> secondaries() {
    return Map.copyOf(refreshers);
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
    return new TransferSettings(x.messageSize(), x.maxRecordsPerMessage(), x.transfersOut(),
        x.transfersOutPerAddress(), x.transferWait(), policies, tsigKeys(config));
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
    return new TlsSettings(t.certificate(), t.key(), t.keyPassword(), t.clientCa(), t.minVersion(),
        dbDir.resolve("tls"), config.identity().hostname(), t.engine(), t.ocspResponse());
  }

  /** Zone files named in the configuration are loaded like {@code cairn zone load}; a bad file keeps the stored version. */
  private void loadZoneFiles(CairnConfig config) {
    for (CairnConfig.ZoneEntry entry : config.zones()) {
      if (entry.file() == null) {
        continue;
      }
      try {
        ZoneValidator.CheckedZone checked = ZoneValidator.validate(ZoneFileReader.read(entry.file(), entry.name()),
            new ZoneValidator.Checks(entry.fileChecks().strict(), Clock.systemUTC().instant(), entry.fileChecks().signatureWarning()));
        for (ZoneFileException.Problem warning : checked.warnings()) {
          log.warn("zone={} event=file-warning warning=\"{}\"", entry.name(), warning);
        }
        ZoneFile file = checked.zone();
        LoadOutcome outcome = store.load(entry.name(), file.records(), "file:" + entry.file(), false);
        log.info("zone={} event=file-loaded result={} serial={}", entry.name(), outcome.kind(), outcome.serial());
      } catch (ZoneFileException | ZoneStoreException e) {
        log.error("zone={} event=file-load-failed error=\"{}\" (the stored version, if any, keeps serving)",
            entry.name(), e.getMessage().replace('\n', ';'));
      }
    }
  }

  private void pollStore() {
    try {
      publisher.refresh();
      for (Name zone : store.takeRetransferRequests()) { // written by cairn zone retransfer
        ZoneRefresher refresher = refreshers.get(zone);
        if (refresher == null) {
          log.warn("zone={} event=retransfer-ignored reason=\"not a secondary zone of this server\"", zone);
        } else {
          refresher.retransfer();
        }
      }
    } catch (ZoneStoreException e) {
      log.warn("event=store-poll-failed error=\"{}\"", e.getMessage());
    } catch (RuntimeException e) { // caught all the same: an exception would end the poller's schedule
      log.error("event=store-poll-failed error=\"{}\" (unexpected)", e, e);
    }
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

  /** Re-reads the TLS certificate and key (SIGHUP); the old ones stay in use when the new are bad. */
  public void reloadTls() {
    if (tls == null) {
      log.info("event=tls-reload-skipped reason=\"no TLS listener\"");
      return;
    }
    try {
      tls.reload();
      log.info("event=tls-reloaded spki_pin={}", tls.spkiPin());
    } catch (TlsConfigException e) {
      log.error("event=tls-reload-failed error=\"{}\" (the previous certificate stays in use)", e.getMessage());
    }
  }

  /** Publishes store changes now instead of at the next poll (used after a local load). */
  public void refreshNow() throws ZoneStoreException {
    publisher.refresh();
  }

  @Override
  public void close() {
    refreshers.values().forEach(ZoneRefresher::stop);
    if (secondaryScheduler != null) {
      secondaryScheduler.shutdownNow();
    }
    if (primaryPool != null) {
      primaryPool.close();
    }
    poller.shutdownNow();
    notifying.shutdownNow();
    if (transport != null) {
      transport.close();
    }
    store.close();
  }
}
