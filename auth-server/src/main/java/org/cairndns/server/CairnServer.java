package org.cairndns.server;

import java.io.IOException;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import org.cairndns.xfr.notify.NotifySender;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.cairndns.server.config.CairnConfig;
import org.cairndns.server.query.QueryConfig;
import org.cairndns.server.query.QueryProcessor;
import org.cairndns.server.transport.DnsServer;
import org.cairndns.server.transport.ListenerSettings;
import org.cairndns.tls.ServerTlsContext;
import org.cairndns.tls.TlsConfigException;
import org.cairndns.tls.TlsSettings;
import java.util.HashMap;
import java.util.Map;
import org.cairndns.xfr.acl.TransferPolicy;
import org.cairndns.xfr.primary.TransferService;
import org.cairndns.xfr.primary.TransferSettings;
import org.xbill.DNS.TSIG;
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

/**
 * A running Cairn: the store, the published zones, the query processor and the listeners, wired
 * from one validated configuration.
 */
public final class CairnServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CairnServer.class);

  private final ZoneStore store;
  private final ZoneSet zones = new ZoneSet();
  private final ZonePublisher publisher;
  private final ScheduledExecutorService poller;
  private final ServerTlsContext tls;
  private DnsServer transport;

  private CairnServer(CairnConfig config, ZoneStore store) throws TlsConfigException {
    this.store = store;
    Set<Name> configured = new HashSet<>();
    Map<Name, List<InetSocketAddress>> notifyTargets = new HashMap<>();
    config.zones().forEach(z -> {
      configured.add(z.name());
      notifyTargets.put(z.name(), z.notifyTargets());
    });
    this.tls = config.tlsListen().isEmpty() ? null : ServerTlsContext.create(tlsSettings(config));
    this.poller = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "cairn-store-poll");
      t.setDaemon(true);
      return t;
    });
    NotifySender notifier = new NotifySender(poller, Duration.ofSeconds(2), 5);
    this.publisher = new ZonePublisher(store, zones, configured, snapshot -> {
      List<InetSocketAddress> targets = notifyTargets.getOrDefault(snapshot.origin(), List.of());
      if (!targets.isEmpty()) {
        notifier.notifyAll(snapshot.soa(), targets, null);
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
          id.chaos() ? new QueryConfig.ChaosIdentity(id.version(), id.hostname(), id.id()) : null);
      TransferSettings xfr = transferSettings(config);
      TransferService transfers = new TransferService(server.zones::get, store::journal, xfr);
      QueryProcessor processor = new QueryProcessor(server.zones, transfers, null, queryConfig, xfr.keys());
      ListenerSettings listeners = new ListenerSettings(config.listen(), config.tlsListen(),
          config.limits().tcpIdleTimeout(), config.limits().tcpConnections(),
          config.limits().tcpConnectionsPerAddress(), config.limits().tlsHandshakeTimeout(),
          java.time.Duration.ofSeconds(30));
      ServerTlsContext tls = server.tls;
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

  private static TransferSettings transferSettings(CairnConfig config) {
    Map<Name, TransferPolicy> policies = new HashMap<>();
    for (CairnConfig.ZoneEntry z : config.zones()) {
      policies.put(z.name(), new TransferPolicy(z.allowTransfer(), z.transferTransports()));
    }
    Map<Name, TSIG> keys = new HashMap<>();
    for (CairnConfig.TsigKey k : config.tsigKeys()) {
      keys.put(k.name(), new TSIG(k.algorithm(), k.name().toString(), k.secret()));
    }
    CairnConfig.Xfr x = config.xfr();
    return new TransferSettings(x.messageSize(), x.maxRecordsPerMessage(), x.transfersOut(),
        x.transfersOutPerAddress(), x.transferWait(), policies, keys);
  }

  private static TlsSettings tlsSettings(CairnConfig config) {
    CairnConfig.Tls t = config.tls();
    Path dbDir = config.database().toAbsolutePath().getParent();
    return new TlsSettings(t.certificate(), t.key(), t.keyPassword(), t.clientCa(), t.minVersion(),
        dbDir.resolve("tls"), config.identity().hostname());
  }

  /** Zone files named in the configuration are loaded like {@code cairn zone load}; a bad file keeps the stored version. */
  private void loadZoneFiles(CairnConfig config) {
    for (CairnConfig.ZoneEntry entry : config.zones()) {
      if (entry.file() == null) {
        continue;
      }
      try {
        ZoneFile file = ZoneFileReader.read(entry.file(), entry.name());
        ZoneValidator.validate(file);
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
    } catch (ZoneStoreException | RuntimeException e) {
      log.warn("event=store-poll-failed error=\"{}\"", e.getMessage());
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

  /** The TLS context, for its SPKI pin and reloads; null without a TLS listener. */
  public ServerTlsContext tls() {
    return tls;
  }

  /** Publishes store changes now instead of at the next poll (used after a local load). */
  public void refreshNow() throws ZoneStoreException {
    publisher.refresh();
  }

  @Override
  public void close() {
    poller.shutdownNow();
    if (transport != null) {
      transport.close();
    }
    store.close();
  }
}
