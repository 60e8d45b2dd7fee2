package org.cairndns.server.config;

import static org.cairndns.server.config.ValueTypes.ADDRESS;
import static org.cairndns.server.config.ValueTypes.ADDRESSES;
import static org.cairndns.server.config.ValueTypes.ADDRESS_PORT_OPTIONAL;
import static org.cairndns.server.config.ValueTypes.BOOLEAN;
import static org.cairndns.server.config.ValueTypes.COUNT;
import static org.cairndns.server.config.ValueTypes.DOMAIN_NAME;
import static org.cairndns.server.config.ValueTypes.DURATION;
import static org.cairndns.server.config.ValueTypes.KEY_NAME;
import static org.cairndns.server.config.ValueTypes.NETWORK;
import static org.cairndns.server.config.ValueTypes.PATH;
import static org.cairndns.server.config.ValueTypes.POSITIVE_DURATION;
import static org.cairndns.server.config.ValueTypes.SECRET_128;
import static org.cairndns.server.config.ValueTypes.SIZE;
import static org.cairndns.server.config.ValueTypes.TEXT;
import static org.cairndns.server.config.ValueTypes.durationText;
import static org.cairndns.server.config.ValueTypes.integer;
import static org.cairndns.server.config.ValueTypes.oneOf;
import static org.cairndns.server.config.ValueTypes.setOf;
import static org.cairndns.server.config.ValueTypes.sizeText;
import static org.cairndns.server.config.ValueTypes.textList;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.cairndns.request.Transport;
import org.cairndns.tls.TlsSettings;
import org.cairndns.xfr.acl.TransferPolicy;
import org.cairndns.xfr.secondary.PrimarySettings;
import org.cairndns.xfr.secondary.TransferLimits;
import org.cairndns.zone.store.ZoneStore;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.Name;

/**
 * Every configuration key, declared once: its name, type (with its range) and default, like Knot's
 * schema table. What each means is in docs/configuration.md, whose table ConfigSchemaDocsTest holds
 * to this one. {@link ConfigLoader} reads a file through these keys and adds the checks that span
 * several keys.
 */
final class ConfigSchema {
  static final Section TOP = Section.top();
  static final Key<Path> DATABASE = TOP.key("database", PATH, Default.of("data/cairn"));
  static final Key<List<InetSocketAddress>> LISTEN =
      TOP.key("listen", ADDRESSES, Default.of(List.of("127.0.0.1:53")));
  static final Key<List<InetSocketAddress>> TLS_LISTEN =
      TOP.key("tls-listen", ADDRESSES, Default.of(List.of()));
  static final Section TLS = TOP.mapping("tls");
  static final Section LIMITS = TOP.mapping("limits");
  static final Section IDENTITY = TOP.mapping("identity");
  static final Section COOKIES = TOP.mapping("cookies");
  static final Key<Duration> STORE_POLL_INTERVAL =
      TOP.key("store-poll-interval", DURATION, Default.of("1s"));
  static final Section XFR = TOP.mapping("xfr");
  static final Section SECONDARY = TOP.mapping("secondary");
  static final Section TSIG_KEYS = TOP.list("tsig-keys");
  static final AllowList ALLOW_QUERY_GLOBAL = AllowList.in(TOP, "allow-query");
  static final Section ZONES = TOP.list("zones");
  static final Section CONTROL = TOP.mapping("control");
  static final Section LOG = TOP.mapping("log");
  static final Section METRICS = TOP.mapping("metrics");

  static final Key<Boolean> CONTROL_ENABLED = CONTROL.key("enabled", BOOLEAN, Default.of(true));
  static final Key<Path> CONTROL_SOCKET =
      CONTROL.key("socket", PATH, Default.none("`DATABASE.ctl`"));
  static final Key<InetSocketAddress> CONTROL_LISTEN = CONTROL.key("listen", ADDRESS, Default.NONE);

  /** Off by default, as in NSD, Knot and BIND: an operator opens it where it can be reached. */
  static final Key<InetSocketAddress> METRICS_LISTEN = METRICS.key("listen", ADDRESS, Default.NONE);

  static final Key<String> LOG_LEVEL =
      LOG.key("level", TEXT, Default.none("`CAIRN_LOG_LEVEL`, else `INFO`"));
  static final Key<Path> LOG_FILE = LOG.key("file", PATH, Default.none("none = stderr"));
  static final Key<InetSocketAddress> LOG_SYSLOG = LOG.key("syslog", ADDRESS, Default.NONE);

  static final Key<Path> TLS_CERTIFICATE = TLS.key("certificate", PATH, Default.NONE);
  static final Key<Path> TLS_KEY = TLS.key("key", PATH, Default.NONE);
  static final Key<String> TLS_KEY_PASSWORD = TLS.key("key-password", TEXT, Default.NONE);
  static final Key<Path> TLS_CLIENT_CA = TLS.key("client-ca", PATH, Default.NONE);
  static final Key<TlsSettings.MinVersion> TLS_MIN_VERSION =
      TLS.key(
          "min-version",
          oneOf(List.of(TlsSettings.MinVersion.values()), TlsSettings.MinVersion::protocol),
          Default.of("TLSv1.2"));
  static final Key<Path> TLS_OCSP_RESPONSE = TLS.key("ocsp-response", PATH, Default.NONE);
  static final Key<TlsSettings.Engine> TLS_ENGINE =
      TLS.key(
          "engine",
          oneOf(List.of(TlsSettings.Engine.values()), ConfigSchema::word),
          Default.of("auto"));

  static final Key<Duration> TCP_IDLE_TIMEOUT =
      LIMITS.key("tcp-idle-timeout", DURATION, Default.of("10s"));
  static final Key<Integer> TCP_CONNECTIONS =
      LIMITS.key("tcp-connections", integer(1, 1_000_000), Default.of(1000));
  static final Key<Integer> TCP_CONNECTIONS_PER_ADDRESS =
      LIMITS.key("tcp-connections-per-address", integer(1, 1_000_000), Default.of(100));
  static final Key<Duration> TLS_HANDSHAKE_TIMEOUT =
      LIMITS.key("tls-handshake-timeout", DURATION, Default.of("5s"));
  static final Key<Integer> TCP_QUERIES_IN_FLIGHT =
      LIMITS.key("tcp-queries-in-flight", integer(1, 65_535), Default.of(32));
  static final Key<Integer> TCP_WRITE_BUFFER =
      LIMITS.key("tcp-write-buffer", integer(4096, 16 << 20), Default.of(65536));

  /** As long as the idle timeout: a reader that slow is as good as gone. */
  static final Key<Duration> TCP_WRITE_TIMEOUT =
      LIMITS.key("tcp-write-timeout", DURATION, Default.of("10s"));

  /** RFC 9715 and DNS Flag Day 2020: 1232 fits unfragmented in any path's IPv6 MTU. */
  static final Key<Integer> UDP_PAYLOAD =
      LIMITS.key("udp-payload", integer(512, 4096), Default.of(1232));

  /** The store's own default, which {@code cairn zone load} applies too. */
  static final Key<Integer> JOURNAL_STEPS =
      LIMITS.key(
          "journal-steps", integer(1, 100_000), Default.of(ZoneStore.DEFAULT_MAX_JOURNAL_STEPS));

  /**
   * 64 MB: room for about 100,000 answers of a few hundred bytes, more than the hot set of most
   * zones, while a heap of 512 MB keeps seven eighths for everything else.
   */
  static final Key<Integer> RESPONSE_CACHE_BYTES =
      LIMITS.key("response-cache-bytes", integer(0, Integer.MAX_VALUE), Default.of(64 << 20));

  /**
   * NSD's receive-buffer-size, Unbound's so-rcvbuf: queries that wait while a UDP thread is busy.
   */
  static final Key<Integer> UDP_RECEIVE_BUFFER =
      LIMITS.key("udp-receive-buffer", integer(4096, 1 << 30), Default.of(4 << 20));

  static final Key<Boolean> CHAOS = IDENTITY.key("chaos", BOOLEAN, Default.of(true));
  static final Key<String> VERSION = IDENTITY.key("version", TEXT, Default.of("Cairn"));
  // NSD's hide-identity by default: what the machine is called is no stranger's business.
  static final Key<String> HOSTNAME = IDENTITY.key("hostname", TEXT, Default.none("none: refused"));
  static final Key<String> ID = IDENTITY.key("id", TEXT, Default.none("`identity.hostname`"));
  static final Key<NSIDOption> NSID = IDENTITY.key("nsid", ValueTypes.NSID, Default.NONE);

  /** BIND answers cookies by default (answer-cookie yes) and requires none. */
  static final Key<Boolean> COOKIES_ENABLED = COOKIES.key("enabled", BOOLEAN, Default.of(true));

  static final Key<Boolean> COOKIES_REQUIRE = COOKIES.key("require", BOOLEAN, Default.of(false));
  static final Key<String> COOKIES_SECRET =
      COOKIES.key("secret", SECRET_128, Default.none("random, replaced every 26 hours"));

  static final Key<Integer> MESSAGE_SIZE =
      XFR.key("message-size", integer(512, 65_535), Default.of(65_000));
  static final Key<Integer> MAX_RECORDS_PER_MESSAGE =
      XFR.key("max-records-per-message", integer(0, 65_535), Default.of(0));
  static final Key<Integer> TRANSFERS_OUT =
      XFR.key("transfers-out", integer(1, 10_000), Default.of(10));
  static final Key<Integer> TRANSFERS_OUT_PER_ADDRESS =
      XFR.key("transfers-out-per-address", integer(1, 10_000), Default.of(2));
  static final Key<Duration> TRANSFER_WAIT = XFR.key("transfer-wait", DURATION, Default.of("5s"));

  /**
   * BIND's default: a secondary reading just fast enough to dodge the write timeout goes after
   * this.
   */
  static final Key<Duration> MAX_TRANSFER_TIME_OUT =
      XFR.key("max-transfer-time-out", POSITIVE_DURATION, Default.of("2h"));

  static final Key<Integer> TRANSFERS_IN =
      SECONDARY.key("transfers-in", integer(1, 1000), Default.of(4));

  /** Like BIND's transfers-per-ns. */
  static final Key<Integer> TRANSFERS_IN_PER_PRIMARY =
      SECONDARY.key("transfers-in-per-primary", integer(1, 1000), Default.of(2));

  static final Key<Integer> CONNECTIONS_PER_PRIMARY =
      SECONDARY.key("connections-per-primary", integer(1, 100), Default.of(2));
  static final Key<Integer> PIPELINED_PER_CONNECTION =
      SECONDARY.key("pipelined-per-connection", integer(1, 1000), Default.of(16));
  static final Key<Duration> SECONDARY_TIMEOUT =
      SECONDARY.key("timeout", DURATION, Default.of("30s"));
  static final Key<Duration> XOT_REPROBE = SECONDARY.key("xot-reprobe", DURATION, Default.of("1h"));
  static final Key<Integer> XOT_PROBES =
      SECONDARY.key("xot-probes", integer(1, 100), Default.of(4));
  // xfr's own defaults, which it applies without a configuration too; the reasons are there.
  static final Key<Long> MAX_RECORDS =
      SECONDARY.key("max-records", COUNT, Default.of(TransferLimits.DEFAULTS.maxRecords()));
  static final Key<Long> MAX_ZONE_SIZE =
      SECONDARY.key(
          "max-zone-size", SIZE, Default.of(sizeText(TransferLimits.DEFAULTS.maxZoneBytes())));
  static final Key<Duration> MAX_TRANSFER_TIME_IN =
      SECONDARY.key(
          "max-transfer-time-in",
          POSITIVE_DURATION,
          Default.of(durationText(TransferLimits.DEFAULTS.maxTime())));

  static final Key<Name> TSIG_NAME = TSIG_KEYS.key("name", KEY_NAME, Default.REQUIRED);
  static final Key<String> TSIG_ALGORITHM =
      TSIG_KEYS.key("algorithm", TEXT, Default.of("hmac-sha256"));
  static final Key<String> TSIG_SECRET =
      TSIG_KEYS.key("secret", TEXT, Default.none("required unless `secret-file`"));
  static final Key<Path> TSIG_SECRET_FILE = TSIG_KEYS.key("secret-file", PATH, Default.NONE);

  static final Key<Name> ZONE_NAME = ZONES.key("name", DOMAIN_NAME, Default.REQUIRED);
  static final Key<Path> ZONE_FILE = ZONES.key("file", PATH, Default.NONE);
  static final AllowList ALLOW_TRANSFER = AllowList.in(ZONES, "allow-transfer");
  static final AllowList ALLOW_QUERY = AllowList.in(ZONES, "allow-query");
  static final Key<Set<Transport>> TRANSFER_TRANSPORTS =
      ZONES.key(
          "transfer-transports",
          setOf(List.of(Transport.TCP, Transport.TLS), ConfigSchema::word),
          Default.of(List.of("tcp", "tls")));
  static final Section NOTIFY = ZONES.items("notify", "address");
  static final Key<Name> NOTIFY_KEY = ZONES.key("notify-key", KEY_NAME, Default.NONE);
  static final Key<Boolean> NOTIFY_NS = ZONES.key("notify-ns", BOOLEAN, Default.of(false));
  static final Section PRIMARIES = ZONES.list("primaries");
  static final Key<Long> ZONE_MAX_RECORDS =
      ZONES.key("max-records", COUNT, Default.none("`secondary.max-records`"));
  static final Key<Long> ZONE_MAX_ZONE_SIZE =
      ZONES.key("max-zone-size", SIZE, Default.none("`secondary.max-zone-size`"));
  static final Key<Duration> ZONE_MAX_TRANSFER_TIME_IN =
      ZONES.key(
          "max-transfer-time-in",
          POSITIVE_DURATION,
          Default.none("`secondary.max-transfer-time-in`"));
  static final Key<Boolean> ZONE_STRICT = ZONES.key("strict", BOOLEAN, Default.of(false));
  static final Key<Duration> ZONE_SIGNATURE_WARNING =
      ZONES.key("signature-warning", DURATION, Default.of("7d"));

  static final Key<InetSocketAddress> NOTIFY_ADDRESS =
      NOTIFY.key("address", ADDRESS, Default.REQUIRED);
  static final Key<Transport> NOTIFY_TRANSPORT =
      NOTIFY.key(
          "transport",
          oneOf(List.of(Transport.UDP, Transport.TCP), ConfigSchema::word),
          Default.of("udp"));

  /** {@code IP[:PORT]}: the port depends on the transport, so the loader reads it. */
  static final Key<String> PRIMARY_ADDRESS =
      PRIMARIES.key("address", ADDRESS_PORT_OPTIONAL, Default.REQUIRED);

  static final Key<PrimarySettings.Mode> PRIMARY_TRANSPORT =
      PRIMARIES.key(
          "transport",
          oneOf(List.of(PrimarySettings.Mode.values()), ConfigSchema::word),
          Default.of("tls"));
  static final Key<Name> PRIMARY_KEY = PRIMARIES.key("key", KEY_NAME, Default.NONE);
  static final Key<List<String>> PRIMARY_TLS_PINS =
      PRIMARIES.key("tls-pins", textList("base64 SPKI pins"), Default.of(List.of()));
  static final Key<Path> PRIMARY_TLS_CA = PRIMARIES.key("tls-ca", PATH, Default.NONE);
  static final Key<String> PRIMARY_TLS_NAME = PRIMARIES.key("tls-name", TEXT, Default.NONE);
  static final Key<Path> PRIMARY_TLS_CERTIFICATE =
      PRIMARIES.key("tls-certificate", PATH, Default.NONE);
  static final Key<Path> PRIMARY_TLS_KEY = PRIMARIES.key("tls-key", PATH, Default.NONE);

  /**
   * Keys {@code cairn reload} (and SIGHUP) cannot apply to a running server: what they set is made
   * once at start (sockets, the store, thread pools, counted slots). A reload that finds one
   * changed names it and leaves it; every other key applies. docs/configuration.md lists these,
   * which ConfigSchemaDocsTest holds to this set.
   */
  static final Set<Key<?>> RESTART_ONLY =
      Set.of(
          DATABASE,
          LISTEN,
          TLS_LISTEN,
          STORE_POLL_INTERVAL,
          CONTROL_ENABLED,
          CONTROL_SOCKET,
          CONTROL_LISTEN,
          LOG_LEVEL,
          LOG_FILE,
          LOG_SYSLOG,
          METRICS_LISTEN,
          TCP_CONNECTIONS,
          TCP_CONNECTIONS_PER_ADDRESS,
          JOURNAL_STEPS,
          UDP_RECEIVE_BUFFER,
          TRANSFERS_OUT,
          TRANSFERS_OUT_PER_ADDRESS,
          TRANSFERS_IN,
          TRANSFERS_IN_PER_PRIMARY,
          CONNECTIONS_PER_PRIMARY,
          PIPELINED_PER_CONNECTION,
          SECONDARY_TIMEOUT,
          XOT_REPROBE,
          XOT_PROBES);

  private ConfigSchema() {}

  /**
   * The keys of one list of allow rules ({@code allow-transfer}, {@code allow-query}), read into
   * {@link TransferPolicy.Entry}s: every field given in an entry must match.
   */
  record AllowList(
      Section section,
      Key<TransferPolicy.Cidr> address,
      Key<Name> key,
      Key<String> tlsSubject,
      Key<String> tlsPin) {
    static AllowList in(Section parent, String name) {
      Section s = parent.list(name);
      return new AllowList(
          s,
          s.key("address", NETWORK, Default.NONE),
          s.key("key", KEY_NAME, Default.NONE),
          s.key("tls-subject", TEXT, Default.NONE),
          s.key("tls-pin", TEXT, Default.NONE));
    }
  }

  /**
   * An enum constant as the file writes it: {@code OPPORTUNISTIC_TLS} is {@code opportunistic-tls}.
   */
  private static String word(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
