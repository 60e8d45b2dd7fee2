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
import static org.cairndns.server.config.ValueTypes.SIZE;
import static org.cairndns.server.config.ValueTypes.TEXT;
import static org.cairndns.server.config.ValueTypes.durationText;
import static org.cairndns.server.config.ValueTypes.integer;
import static org.cairndns.server.config.ValueTypes.itemsOf;
import static org.cairndns.server.config.ValueTypes.listOf;
import static org.cairndns.server.config.ValueTypes.mapping;
import static org.cairndns.server.config.ValueTypes.oneOf;
import static org.cairndns.server.config.ValueTypes.setOf;
import static org.cairndns.server.config.ValueTypes.sizeText;
import static org.cairndns.server.config.ValueTypes.textList;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cairndns.request.Transport;
import org.cairndns.tls.TlsSettings;
import org.cairndns.xfr.acl.TransferPolicy;
import org.cairndns.xfr.secondary.PrimarySettings;
import org.cairndns.xfr.secondary.TransferLimits;
import org.cairndns.zone.store.ZoneStore;
import org.xbill.DNS.Name;

/**
 * Every configuration key, declared once: its name, type (with its range) and default, like Knot's
 * schema table. What each means is in docs/configuration.md, whose table ConfigSchemaDocsTest holds
 * to this one. {@link ConfigLoader} reads a file through these keys and adds the checks that span
 * several keys.
 */
final class ConfigSchema {
  static final Section TOP = new Section("");
  static final Section TLS = new Section("tls.");
  static final Section LIMITS = new Section("limits.");
  static final Section IDENTITY = new Section("identity.");
  static final Section XFR = new Section("xfr.");
  static final Section SECONDARY = new Section("secondary.");
  static final Section TSIG_KEY = new Section("tsig-keys[].");
  static final Section ZONE = new Section("zones[].");
  static final Section ALLOW_TRANSFER = new Section("zones[].allow-transfer[].");
  static final Section NOTIFY = new Section("zones[].notify[].");
  static final Section PRIMARY = new Section("zones[].primaries[].");
  /** Every section, the top first. */
  static final List<Section> SECTIONS =
      List.of(TOP, TLS, LIMITS, IDENTITY, XFR, SECONDARY, TSIG_KEY, ZONE, ALLOW_TRANSFER, NOTIFY, PRIMARY);

  static final Key<Path> DATABASE = TOP.key("database", PATH, Default.of("data/cairn"));
  static final Key<List<InetSocketAddress>> LISTEN = TOP.key("listen", ADDRESSES, Default.of(List.of("127.0.0.1:53")));
  static final Key<List<InetSocketAddress>> TLS_LISTEN = TOP.key("tls-listen", ADDRESSES, Default.of(List.of()));
  static final Key<Values> TLS_SECTION = TOP.key("tls", mapping(TLS), Default.of(Map.of()));
  static final Key<Values> LIMITS_SECTION = TOP.key("limits", mapping(LIMITS), Default.of(Map.of()));
  static final Key<Values> IDENTITY_SECTION = TOP.key("identity", mapping(IDENTITY), Default.of(Map.of()));
  static final Key<Duration> STORE_POLL_INTERVAL = TOP.key("store-poll-interval", DURATION, Default.of("1s"));
  static final Key<Values> XFR_SECTION = TOP.key("xfr", mapping(XFR), Default.of(Map.of()));
  static final Key<Values> SECONDARY_SECTION = TOP.key("secondary", mapping(SECONDARY), Default.of(Map.of()));
  static final Key<List<Values>> TSIG_KEYS = TOP.key("tsig-keys", listOf(TSIG_KEY), Default.of(List.of()));
  static final Key<List<Values>> ZONES = TOP.key("zones", listOf(ZONE), Default.of(List.of()));

  static final Key<Path> TLS_CERTIFICATE = TLS.key("certificate", PATH, Default.NONE);
  static final Key<Path> TLS_KEY = TLS.key("key", PATH, Default.NONE);
  static final Key<String> TLS_KEY_PASSWORD = TLS.key("key-password", TEXT, Default.NONE);
  static final Key<Path> TLS_CLIENT_CA = TLS.key("client-ca", PATH, Default.NONE);
  static final Key<TlsSettings.MinVersion> TLS_MIN_VERSION = TLS.key("min-version",
      oneOf(List.of(TlsSettings.MinVersion.values()), TlsSettings.MinVersion::protocol), Default.of("TLSv1.2"));
  static final Key<Path> TLS_OCSP_RESPONSE = TLS.key("ocsp-response", PATH, Default.NONE);
  static final Key<TlsSettings.Engine> TLS_ENGINE =
      TLS.key("engine", oneOf(List.of(TlsSettings.Engine.values()), ConfigSchema::word), Default.of("auto"));

  static final Key<Duration> TCP_IDLE_TIMEOUT = LIMITS.key("tcp-idle-timeout", DURATION, Default.of("10s"));
  static final Key<Integer> TCP_CONNECTIONS = LIMITS.key("tcp-connections", integer(1, 1_000_000), Default.of(1000));
  static final Key<Integer> TCP_CONNECTIONS_PER_ADDRESS =
      LIMITS.key("tcp-connections-per-address", integer(1, 1_000_000), Default.of(100));
  static final Key<Duration> TLS_HANDSHAKE_TIMEOUT = LIMITS.key("tls-handshake-timeout", DURATION, Default.of("5s"));
  static final Key<Integer> TCP_QUERIES_IN_FLIGHT =
      LIMITS.key("tcp-queries-in-flight", integer(1, 65_535), Default.of(32));
  static final Key<Integer> TCP_WRITE_BUFFER = LIMITS.key("tcp-write-buffer", integer(4096, 16 << 20), Default.of(65536));
  /** As long as the idle timeout: a reader that slow is as good as gone. */
  static final Key<Duration> TCP_WRITE_TIMEOUT = LIMITS.key("tcp-write-timeout", DURATION, Default.of("10s"));
  /** RFC 9715 and DNS Flag Day 2020: 1232 fits unfragmented in any path's IPv6 MTU. */
  static final Key<Integer> UDP_PAYLOAD = LIMITS.key("udp-payload", integer(512, 4096), Default.of(1232));
  static final Key<Integer> JOURNAL_STEPS = LIMITS.key("journal-steps", integer(1, 100_000), Default.of(ZoneStore.DEFAULT_MAX_JOURNAL_STEPS));
  /**
   * 64 MB: room for about 100,000 answers of a few hundred bytes, more than the hot set of most
   * zones, while a heap of 512 MB keeps seven eighths for everything else.
   */
  static final Key<Integer> RESPONSE_CACHE_BYTES =
      LIMITS.key("response-cache-bytes", integer(0, Integer.MAX_VALUE), Default.of(64 << 20));

  static final Key<Boolean> CHAOS = IDENTITY.key("chaos", BOOLEAN, Default.of(true));
  static final Key<String> VERSION = IDENTITY.key("version", TEXT, Default.of("Cairn"));
  static final Key<String> HOSTNAME = IDENTITY.key("hostname", TEXT, Default.none("host name"));
  static final Key<String> ID = IDENTITY.key("id", TEXT, Default.none("host name"));

  static final Key<Integer> MESSAGE_SIZE = XFR.key("message-size", integer(512, 65_535), Default.of(65_000));
  static final Key<Integer> MAX_RECORDS_PER_MESSAGE =
      XFR.key("max-records-per-message", integer(0, 65_535), Default.of(0));
  static final Key<Integer> TRANSFERS_OUT = XFR.key("transfers-out", integer(1, 10_000), Default.of(10));
  static final Key<Integer> TRANSFERS_OUT_PER_ADDRESS =
      XFR.key("transfers-out-per-address", integer(1, 10_000), Default.of(2));
  static final Key<Duration> TRANSFER_WAIT = XFR.key("transfer-wait", DURATION, Default.of("5s"));
  /** BIND's default: a secondary reading just fast enough to dodge the write timeout goes after this. */
  static final Key<Duration> MAX_TRANSFER_TIME_OUT =
      XFR.key("max-transfer-time-out", POSITIVE_DURATION, Default.of("2h"));

  static final Key<Integer> TRANSFERS_IN = SECONDARY.key("transfers-in", integer(1, 1000), Default.of(4));
  /** Like BIND's transfers-per-ns. */
  static final Key<Integer> TRANSFERS_IN_PER_PRIMARY =
      SECONDARY.key("transfers-in-per-primary", integer(1, 1000), Default.of(2));
  static final Key<Integer> CONNECTIONS_PER_PRIMARY =
      SECONDARY.key("connections-per-primary", integer(1, 100), Default.of(2));
  static final Key<Integer> PIPELINED_PER_CONNECTION =
      SECONDARY.key("pipelined-per-connection", integer(1, 1000), Default.of(16));
  static final Key<Duration> SECONDARY_TIMEOUT = SECONDARY.key("timeout", DURATION, Default.of("30s"));
  static final Key<Duration> XOT_REPROBE = SECONDARY.key("xot-reprobe", DURATION, Default.of("1h"));
  static final Key<Integer> XOT_PROBES = SECONDARY.key("xot-probes", integer(1, 100), Default.of(4));
  // xfr's own defaults, which it applies without a configuration too; the reasons are there.
  static final Key<Long> MAX_RECORDS = SECONDARY.key("max-records", COUNT, Default.of(TransferLimits.DEFAULTS.maxRecords()));
  static final Key<Long> MAX_ZONE_SIZE =
      SECONDARY.key("max-zone-size", SIZE, Default.of(sizeText(TransferLimits.DEFAULTS.maxZoneBytes())));
  static final Key<Duration> MAX_TRANSFER_TIME_IN = SECONDARY.key("max-transfer-time-in", POSITIVE_DURATION,
      Default.of(durationText(TransferLimits.DEFAULTS.maxTime())));

  static final Key<Name> TSIG_NAME = TSIG_KEY.key("name", KEY_NAME, Default.REQUIRED);
  static final Key<String> TSIG_ALGORITHM = TSIG_KEY.key("algorithm", TEXT, Default.of("hmac-sha256"));
  static final Key<String> TSIG_SECRET = TSIG_KEY.key("secret", TEXT, Default.REQUIRED);

  static final Key<Name> ZONE_NAME = ZONE.key("name", DOMAIN_NAME, Default.REQUIRED);
  static final Key<Path> ZONE_FILE = ZONE.key("file", PATH, Default.NONE);
  static final Key<List<Values>> ALLOW_TRANSFER_ENTRIES =
      ZONE.key("allow-transfer", listOf(ALLOW_TRANSFER), Default.of(List.of()));
  static final Key<Set<Transport>> TRANSFER_TRANSPORTS = ZONE.key("transfer-transports",
      setOf(List.of(Transport.TCP, Transport.TLS), ConfigSchema::word), Default.of(List.of("tcp", "tls")));
  static final Key<List<Values>> NOTIFY_TARGETS = ZONE.key("notify", itemsOf(NOTIFY, "address"), Default.of(List.of()));
  static final Key<Name> NOTIFY_KEY = ZONE.key("notify-key", KEY_NAME, Default.NONE);
  static final Key<Boolean> NOTIFY_NS = ZONE.key("notify-ns", BOOLEAN, Default.of(false));
  static final Key<List<Values>> PRIMARIES = ZONE.key("primaries", listOf(PRIMARY), Default.of(List.of()));
  static final Key<Long> ZONE_MAX_RECORDS = ZONE.key("max-records", COUNT, Default.none("`secondary.max-records`"));
  static final Key<Long> ZONE_MAX_ZONE_SIZE = ZONE.key("max-zone-size", SIZE, Default.none("`secondary.max-zone-size`"));
  static final Key<Duration> ZONE_MAX_TRANSFER_TIME_IN =
      ZONE.key("max-transfer-time-in", POSITIVE_DURATION, Default.none("`secondary.max-transfer-time-in`"));

  static final Key<TransferPolicy.Cidr> ALLOW_ADDRESS = ALLOW_TRANSFER.key("address", NETWORK, Default.NONE);
  static final Key<Name> ALLOW_KEY = ALLOW_TRANSFER.key("key", KEY_NAME, Default.NONE);
  static final Key<String> ALLOW_TLS_SUBJECT = ALLOW_TRANSFER.key("tls-subject", TEXT, Default.NONE);
  static final Key<String> ALLOW_TLS_PIN = ALLOW_TRANSFER.key("tls-pin", TEXT, Default.NONE);

  static final Key<InetSocketAddress> NOTIFY_ADDRESS = NOTIFY.key("address", ADDRESS, Default.REQUIRED);
  static final Key<Transport> NOTIFY_TRANSPORT =
      NOTIFY.key("transport", oneOf(List.of(Transport.UDP, Transport.TCP), ConfigSchema::word), Default.of("udp"));

  /** {@code IP[:PORT]}: the port depends on the transport, so the loader reads it. */
  static final Key<String> PRIMARY_ADDRESS = PRIMARY.key("address", ADDRESS_PORT_OPTIONAL, Default.REQUIRED);
  static final Key<PrimarySettings.Mode> PRIMARY_TRANSPORT = PRIMARY.key("transport",
      oneOf(List.of(PrimarySettings.Mode.values()), ConfigSchema::word), Default.of("tls"));
  static final Key<Name> PRIMARY_KEY = PRIMARY.key("key", KEY_NAME, Default.NONE);
  static final Key<List<String>> PRIMARY_TLS_PINS = PRIMARY.key("tls-pins", textList("base64 SPKI pins"), Default.of(List.of()));
  static final Key<Path> PRIMARY_TLS_CA = PRIMARY.key("tls-ca", PATH, Default.NONE);
  static final Key<String> PRIMARY_TLS_NAME = PRIMARY.key("tls-name", TEXT, Default.NONE);
  static final Key<Path> PRIMARY_TLS_CERTIFICATE = PRIMARY.key("tls-certificate", PATH, Default.NONE);
  static final Key<Path> PRIMARY_TLS_KEY = PRIMARY.key("tls-key", PATH, Default.NONE);

  private ConfigSchema() {}

  /** An enum constant as the file writes it: {@code OPPORTUNISTIC_TLS} is {@code opportunistic-tls}. */
  private static String word(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
