package org.cairndns.server.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cairndns.server.query.QueryConfig;
import org.cairndns.server.transport.ListenerSettings;
import org.cairndns.xfr.notify.NotifySender;
import org.cairndns.xfr.secondary.TransferLimits;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the YAML configuration into a {@link CairnConfig}. Every value is checked; an unknown key
 * or a bad value stops start-up with {@code FILE: key.path: what is wrong}. Relative paths are
 * resolved against the configuration file's folder.
 */
public final class ConfigLoader {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)([kmg]?)");
  private static final Set<String> TOP = Set.of(
      "database", "listen", "tls-listen", "tls", "limits", "identity", "store-poll-interval", "xfr", "secondary",
      "tsig-keys",
      "zones");

  private final String file;
  private final Path base;

  private ConfigLoader(String file, Path base) {
    this.file = file;
    this.base = base;
  }

  /** Defaults only: what {@code cairn serve} uses without {@code --config}. */
  public static CairnConfig defaults() {
    try {
      return new ConfigLoader("(defaults)", Path.of(".")).build(Map.of());
    } catch (ConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  public static CairnConfig load(Path path) throws ConfigException {
    String shown = path.toString();
    Object root;
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false); // else the last one wins, with a warning on java.util.logging
    // No alias of a list or mapping: one can make a value contain itself, which overflows the stack
    // when printed or hashed (even inside SnakeYAML, for a key), or nest copies exponentially.
    options.setMaxAliasesForCollections(0);
    try (Reader in = Files.newBufferedReader(path)) {
      root = new Yaml(new SafeConstructor(options)).load(in);
    } catch (IOException e) {
      throw new ConfigException(shown + ": cannot read: " + e.getMessage());
    } catch (YAMLException | IllegalArgumentException e) { // NumberFormatException for a huge base-60 int (1:26)
      throw new ConfigException(shown + ": not valid YAML: " + e.getMessage().replace('\n', ' '));
    }
    Path folder = path.toAbsolutePath().getParent();
    ConfigLoader loader = new ConfigLoader(shown, folder == null ? Path.of(".") : folder);
    if (root == null) {
      return loader.build(Map.of());
    }
    return loader.build(loader.map(root, "(top level)"));
  }

  private CairnConfig build(Map<String, Object> top) throws ConfigException {
    known(top, TOP, "");
    Map<String, Object> limits = map(top.getOrDefault("limits", Map.of()), "limits");
    known(limits, Set.of("tcp-idle-timeout", "tcp-connections", "tcp-connections-per-address",
        "tls-handshake-timeout", "udp-payload", "journal-steps", "tcp-queries-in-flight", "tcp-write-buffer",
        "tcp-write-timeout", "response-cache-bytes"), "limits.");
    Map<String, Object> identity = map(top.getOrDefault("identity", Map.of()), "identity");
    known(identity, Set.of("chaos", "version", "hostname", "id"), "identity.");
    Map<String, Object> tls = map(top.getOrDefault("tls", Map.of()), "tls");
    known(tls, Set.of("certificate", "key", "key-password", "client-ca", "min-version", "engine", "ocsp-response"), "tls.");
    String engine = string(tls, "engine", "tls.engine", "auto");
    if (!Set.of("auto", "openssl", "jdk").contains(engine)) {
      throw error("tls.engine", "expected auto, openssl or jdk, got \"" + engine + "\"");
    }
    String minVersion = string(tls, "min-version", "tls.min-version", "TLSv1.2");
    if (!minVersion.equals("TLSv1.2") && !minVersion.equals("TLSv1.3")) {
      throw error("tls.min-version", "expected TLSv1.2 or TLSv1.3, got \"" + minVersion + "\"");
    }
    Path certificate = path(tls, "certificate", "tls.certificate");
    Path key = path(tls, "key", "tls.key");
    if ((certificate == null) != (key == null)) {
      throw error(certificate == null ? "tls.certificate" : "tls.key", "tls.certificate and tls.key go together");
    }
    String hostname = defaultHostname();
    Map<String, Object> xfr = map(top.getOrDefault("xfr", Map.of()), "xfr");
    known(xfr, Set.of("message-size", "max-records-per-message", "transfers-out", "transfers-out-per-address",
        "transfer-wait", "max-transfer-time-out"), "xfr.");
    Duration maxTransferTimeOut = duration(xfr, "max-transfer-time-out", "xfr.max-transfer-time-out",
        ListenerSettings.DEFAULT_TRANSFER_TIME_OUT);
    if (maxTransferTimeOut.isZero()) {
      throw error("xfr.max-transfer-time-out", "must be more than 0 (every transfer would be cut off)");
    }
    List<CairnConfig.TsigKey> tsigKeys = tsigKeys(top.get("tsig-keys"));
    Set<Name> keyNames = new java.util.HashSet<>();
    tsigKeys.forEach(k -> keyNames.add(k.name()));
    CairnConfig.Secondary secondary = secondary(map(top.getOrDefault("secondary", Map.of()), "secondary"));
    return new CairnConfig(
        path(top, "database", "database") != null ? path(top, "database", "database") : base.resolve("data/cairn").normalize(),
        addresses(top.get("listen"), "listen", List.of("127.0.0.1:53")),
        addresses(top.get("tls-listen"), "tls-listen", List.of()),
        new CairnConfig.Tls(certificate, key, string(tls, "key-password", "tls.key-password", null),
            path(tls, "client-ca", "tls.client-ca"), minVersion, engine, path(tls, "ocsp-response", "tls.ocsp-response")),
        new CairnConfig.Limits(
            duration(limits, "tcp-idle-timeout", "limits.tcp-idle-timeout", Duration.ofSeconds(10)),
            integer(limits, "tcp-connections", "limits.tcp-connections", 1000, 1, 1_000_000),
            integer(limits, "tcp-connections-per-address", "limits.tcp-connections-per-address", 100, 1, 1_000_000),
            duration(limits, "tls-handshake-timeout", "limits.tls-handshake-timeout", Duration.ofSeconds(5)),
            integer(limits, "udp-payload", "limits.udp-payload", 1232, 512, 4096),
            integer(limits, "journal-steps", "limits.journal-steps", 100, 1, 100_000),
            integer(limits, "tcp-queries-in-flight", "limits.tcp-queries-in-flight",
                ListenerSettings.DEFAULT_QUERIES_IN_FLIGHT, 1, 65_535),
            integer(limits, "tcp-write-buffer", "limits.tcp-write-buffer", ListenerSettings.DEFAULT_WRITE_BUFFER,
                4096, 16 << 20),
            duration(limits, "tcp-write-timeout", "limits.tcp-write-timeout", ListenerSettings.DEFAULT_WRITE_TIMEOUT),
            integer(limits, "response-cache-bytes", "limits.response-cache-bytes",
                (int) QueryConfig.DEFAULT_RESPONSE_CACHE_BYTES, 0, Integer.MAX_VALUE)),
        new CairnConfig.Identity(
            bool(identity, "chaos", "identity.chaos", true),
            string(identity, "version", "identity.version", "Cairn"),
            string(identity, "hostname", "identity.hostname", hostname),
            string(identity, "id", "identity.id", hostname)),
        duration(top, "store-poll-interval", "store-poll-interval", Duration.ofSeconds(1)),
        new CairnConfig.Xfr(
            integer(xfr, "message-size", "xfr.message-size", 65_000, 512, 65_535),
            integer(xfr, "max-records-per-message", "xfr.max-records-per-message", 0, 0, 65_535),
            integer(xfr, "transfers-out", "xfr.transfers-out", 10, 1, 10_000),
            integer(xfr, "transfers-out-per-address", "xfr.transfers-out-per-address", 2, 1, 10_000),
            duration(xfr, "transfer-wait", "xfr.transfer-wait", Duration.ofSeconds(5)),
            maxTransferTimeOut),
        secondary,
        tsigKeys,
        zones(top.get("zones"), keyNames, secondary.transferLimits()));
  }

  /**
   * @param keyNames the names in {@code tsig-keys}, which zones' {@code key} fields must name
   * @param transferLimits the {@code secondary} block's limits, which a zone's own keys override
   */
  private List<CairnConfig.ZoneEntry> zones(Object value, Set<Name> keyNames, TransferLimits transferLimits)
      throws ConfigException {
    List<CairnConfig.ZoneEntry> zones = new ArrayList<>();
    if (value == null) {
      return zones;
    }
    if (!(value instanceof List<?> list)) {
      throw error("zones", "expected a list of {name, file}");
    }
    for (int i = 0; i < list.size(); i++) {
      String at = "zones[" + i + "]";
      Map<String, Object> z = map(list.get(i), at);
      known(z, Set.of("name", "file", "allow-transfer", "transfer-transports", "notify", "notify-key", "notify-ns",
          "primaries", "max-records", "max-zone-size", "max-transfer-time-in", "strict", "signature-warning"), at + ".");
      String name = string(z, "name", at + ".name", null);
      if (name == null) {
        throw error(at + ".name", "missing");
      }
      try {
        zones.add(new CairnConfig.ZoneEntry(Name.fromString(name, Name.root), path(z, "file", at + ".file"),
            allowTransfer(z.get("allow-transfer"), at + ".allow-transfer"),
            transports(z.get("transfer-transports"), at + ".transfer-transports"),
            notifyTargets(z.get("notify"), at + ".notify"),
            keyName(z, "notify-key", at + ".notify-key", keyNames),
            bool(z, "notify-ns", at + ".notify-ns", false),
            primaries(z.get("primaries"), at + ".primaries", keyNames),
            transferLimits(z, at + ".", transferLimits),
            new CairnConfig.FileChecks(bool(z, "strict", at + ".strict", false),
                duration(z, "signature-warning", at + ".signature-warning", Duration.ofDays(7)))));
      } catch (TextParseException e) {
        throw error(at + ".name", "not a domain name: " + e.getMessage());
      }
    }
    return zones;
  }

  private CairnConfig.Secondary secondary(Map<String, Object> m) throws ConfigException {
    known(m, Set.of("transfers-in", "transfers-in-per-primary", "connections-per-primary", "pipelined-per-connection",
        "timeout", "xot-reprobe", "xot-probes", "max-records", "max-zone-size", "max-transfer-time-in"), "secondary.");
    return new CairnConfig.Secondary(
        integer(m, "transfers-in", "secondary.transfers-in", 4, 1, 1000),
        integer(m, "transfers-in-per-primary", "secondary.transfers-in-per-primary", 2, 1, 1000),
        integer(m, "connections-per-primary", "secondary.connections-per-primary", 2, 1, 100),
        integer(m, "pipelined-per-connection", "secondary.pipelined-per-connection", 16, 1, 1000),
        duration(m, "timeout", "secondary.timeout", Duration.ofSeconds(30)),
        duration(m, "xot-reprobe", "secondary.xot-reprobe", Duration.ofHours(1)),
        integer(m, "xot-probes", "secondary.xot-probes", 4, 1, 100),
        transferLimits(m, "secondary.", TransferLimits.DEFAULTS));
  }

  /** {@code max-records}, {@code max-zone-size} and {@code max-transfer-time-in} under {@code at}. */
  private TransferLimits transferLimits(Map<String, Object> m, String at, TransferLimits fallback) throws ConfigException {
    Duration time = duration(m, "max-transfer-time-in", at + "max-transfer-time-in", fallback.maxTime());
    if (time.isZero()) {
      throw error(at + "max-transfer-time-in", "must be longer than 0");
    }
    return new TransferLimits(
        count(m, "max-records", at + "max-records", fallback.maxRecords()),
        size(m, "max-zone-size", at + "max-zone-size", fallback.maxZoneBytes()),
        time);
  }

  /** A whole number of at least 1. */
  private long count(Map<String, Object> m, String k, String key, long fallback) throws ConfigException {
    Object v = m.get(k);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 1) {
      throw error(key, "expected a whole number of at least 1, got \"" + v + "\"");
    }
    return ((Number) v).longValue();
  }

  /** Bytes: a whole number, or one with a k, m or g suffix (KiB, MiB, GiB), at least 1. */
  private long size(Map<String, Object> m, String k, String key, long fallback) throws ConfigException {
    Object v = m.get(k);
    if (v == null) {
      return fallback;
    }
    Matcher matcher = SIZE.matcher(String.valueOf(v).trim().toLowerCase(java.util.Locale.ROOT));
    if (matcher.matches()) {
      try {
        long bytes = Math.multiplyExact(Long.parseLong(matcher.group(1)), switch (matcher.group(2)) {
          case "k" -> 1L << 10;
          case "m" -> 1L << 20;
          case "g" -> 1L << 30;
          default -> 1L;
        });
        if (bytes >= 1) {
          return bytes;
        }
      } catch (ArithmeticException | NumberFormatException tooBig) {
        // reported below
      }
    }
    throw error(key, "expected a size in bytes of at least 1, like 1048576, 512k, 64m or 1g, got \"" + v + "\"");
  }

  /** {@code ADDR:PORT} (over UDP) or {@code {address: ADDR:PORT, transport: udp|tcp}}, alone or in a list. */
  private List<NotifySender.Target> notifyTargets(Object value, String key) throws ConfigException {
    List<NotifySender.Target> out = new ArrayList<>();
    List<?> items = value == null ? List.of() : value instanceof List<?> l ? l : List.of(value);
    for (Object item : items) {
      String at = key + "[" + out.size() + "]";
      if (!(item instanceof Map)) {
        out.add(NotifySender.Target.udp(address(String.valueOf(item), at)));
        continue;
      }
      Map<String, Object> m = map(item, at);
      known(m, Set.of("address", "transport"), at + ".");
      String address = string(m, "address", at + ".address", null);
      if (address == null) {
        throw error(at + ".address", "missing");
      }
      String transport = string(m, "transport", at + ".transport", "udp");
      out.add(new NotifySender.Target(address(address, at + ".address"), switch (transport) {
        case "udp" -> org.cairndns.request.Transport.UDP;
        case "tcp" -> org.cairndns.request.Transport.TCP;
        default -> throw error(at + ".transport", "expected udp or tcp, got \"" + transport + "\"");
      }));
    }
    return out;
  }

  /** A TSIG key name that must be one of {@code tsig-keys}; null when absent. */
  private Name keyName(Map<String, Object> m, String k, String key, Set<Name> keyNames) throws ConfigException {
    String text = string(m, k, key, null);
    if (text == null) {
      return null;
    }
    try {
      Name name = Name.fromString(text, Name.root);
      if (!keyNames.contains(name)) {
        throw error(key, "no TSIG key \"" + text + "\" in tsig-keys");
      }
      return name;
    } catch (TextParseException e) {
      throw error(key, "not a key name: " + e.getMessage());
    }
  }

  private List<CairnConfig.Primary> primaries(Object value, String key, Set<Name> keyNames) throws ConfigException {
    List<CairnConfig.Primary> out = new ArrayList<>();
    for (Map<String, Object> p : listOfMaps(value, key)) {
      String at = key + "[" + out.size() + "]";
      known(p, Set.of("address", "transport", "key", "tls-pins", "tls-ca", "tls-name", "tls-certificate", "tls-key"), at + ".");
      String transport = string(p, "transport", at + ".transport", "tls");
      if (!Set.of("tcp", "tls", "opportunistic-tls").contains(transport)) {
        throw error(at + ".transport", "expected tcp, tls or opportunistic-tls, got \"" + transport + "\"");
      }
      String address = string(p, "address", at + ".address", null);
      if (address == null) {
        throw error(at + ".address", "missing");
      }
      InetSocketAddress a = address(address.contains(":") || address.startsWith("[") ? address
          : address + ":" + (transport.equals("tcp") ? 53 : 853), at + ".address");
      List<String> pins = new ArrayList<>();
      Object pinList = p.get("tls-pins");
      if (pinList != null) {
        if (!(pinList instanceof List<?> l)) {
          throw error(at + ".tls-pins", "expected a list of base64 SPKI pins");
        }
        l.forEach(x -> pins.add(String.valueOf(x)));
      }
      if (transport.equals("tls") && pins.isEmpty() && p.get("tls-ca") == null) {
        throw error(at, "strict XoT (transport: tls) needs tls-pins or tls-ca; use opportunistic-tls for unauthenticated encryption");
      }
      if (p.get("tls-ca") != null && p.get("tls-name") == null) {
        // A CA alone would accept any certificate it ever issued (RFC 8310 strict: a pin set or a name).
        throw error(at + ".tls-name", "needed with tls-ca: the name the primary's certificate must carry");
      }
      out.add(new CairnConfig.Primary(a, transport, keyName(p, "key", at + ".key", keyNames), pins,
          path(p, "tls-ca", at + ".tls-ca"), string(p, "tls-name", at + ".tls-name", null),
          path(p, "tls-certificate", at + ".tls-certificate"), path(p, "tls-key", at + ".tls-key")));
    }
    return out;
  }

  private List<CairnConfig.TsigKey> tsigKeys(Object value) throws ConfigException {
    List<CairnConfig.TsigKey> keys = new ArrayList<>();
    for (Map<String, Object> k : listOfMaps(value, "tsig-keys")) {
      String at = "tsig-keys[" + keys.size() + "]";
      known(k, Set.of("name", "algorithm", "secret"), at + ".");
      String name = string(k, "name", at + ".name", null);
      String secret = string(k, "secret", at + ".secret", null);
      if (name == null || secret == null) {
        throw error(at, "name and secret are required");
      }
      String algorithm = string(k, "algorithm", at + ".algorithm", "hmac-sha256");
      try {
        java.util.Base64.getDecoder().decode(secret);
        new org.xbill.DNS.TSIG(algorithm, name, secret);
        keys.add(new CairnConfig.TsigKey(Name.fromString(name, Name.root), algorithm, secret));
      } catch (IllegalArgumentException | TextParseException e) {
        throw error(at, "not a usable TSIG key: " + e.getMessage());
      }
    }
    return keys;
  }

  private List<org.cairndns.xfr.acl.TransferPolicy.Entry> allowTransfer(Object value, String key) throws ConfigException {
    List<org.cairndns.xfr.acl.TransferPolicy.Entry> entries = new ArrayList<>();
    for (Map<String, Object> e : listOfMaps(value, key)) {
      String at = key + "[" + entries.size() + "]";
      known(e, Set.of("address", "key", "tls-subject", "tls-pin"), at + ".");
      if (e.isEmpty()) {
        throw error(at, "give at least one of address, key, tls-subject, tls-pin");
      }
      try {
        String address = string(e, "address", at + ".address", null);
        String tsig = string(e, "key", at + ".key", null);
        entries.add(new org.cairndns.xfr.acl.TransferPolicy.Entry(
            address == null ? null : org.cairndns.xfr.acl.TransferPolicy.Cidr.parse(address),
            tsig == null ? null : Name.fromString(tsig, Name.root),
            string(e, "tls-subject", at + ".tls-subject", null),
            string(e, "tls-pin", at + ".tls-pin", null)));
      } catch (IllegalArgumentException | TextParseException ex) {
        throw error(at, ex.getMessage());
      }
    }
    return entries;
  }

  private Set<org.cairndns.request.Transport> transports(Object value, String key) throws ConfigException {
    if (value == null) {
      return Set.of(org.cairndns.request.Transport.TCP, org.cairndns.request.Transport.TLS);
    }
    if (!(value instanceof List<?> list) || list.isEmpty()) {
      throw error(key, "expected a list of tcp and/or tls");
    }
    java.util.EnumSet<org.cairndns.request.Transport> out = java.util.EnumSet.noneOf(org.cairndns.request.Transport.class);
    for (Object o : list) {
      switch (String.valueOf(o)) {
        case "tcp" -> out.add(org.cairndns.request.Transport.TCP);
        case "tls" -> out.add(org.cairndns.request.Transport.TLS);
        default -> throw error(key, "expected tcp or tls, got \"" + o + "\"");
      }
    }
    return out;
  }

  private List<Map<String, Object>> listOfMaps(Object value, String key) throws ConfigException {
    List<Map<String, Object>> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    if (!(value instanceof List<?> list)) {
      throw error(key, "expected a list");
    }
    for (int i = 0; i < list.size(); i++) {
      out.add(map(list.get(i), key + "[" + i + "]"));
    }
    return out;
  }

  private List<InetSocketAddress> addresses(Object value, String key, List<String> fallback) throws ConfigException {
    List<?> items = value == null ? fallback : value instanceof List<?> l ? l : List.of(value);
    List<InetSocketAddress> out = new ArrayList<>();
    for (Object item : items) {
      out.add(address(String.valueOf(item), key));
    }
    return out;
  }

  /** {@code 127.0.0.1:53}, {@code [::1]:53}, or an address alone (port 53). */
  public static InetSocketAddress parseAddress(String text) throws IllegalArgumentException {
    String host = text;
    int port = 53;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("missing ] in \"" + text + "\"");
      }
      host = text.substring(1, close);
      if (text.length() > close + 1) {
        port = port(text.substring(close + 2), text);
      }
    } else if (text.indexOf(':') == text.lastIndexOf(':') && text.contains(":")) {
      host = text.substring(0, text.indexOf(':'));
      port = port(text.substring(text.indexOf(':') + 1), text);
    }
    try { // an address literal only: reading the configuration never asks a resolver
      return new InetSocketAddress(org.xbill.DNS.Address.getByAddress(host), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: \"" + host + "\"");
    }
  }

  private static int port(String s, String whole) {
    try {
      int p = Integer.parseInt(s);
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in \"" + whole + "\"");
    }
  }

  private InetSocketAddress address(String text, String key) throws ConfigException {
    try {
      return parseAddress(text);
    } catch (IllegalArgumentException e) {
      throw error(key, "expected ADDRESS:PORT like 127.0.0.1:53 or [::1]:53: " + e.getMessage());
    }
  }

  private Duration duration(Map<String, Object> m, String k, String key, Duration fallback) throws ConfigException {
    Object v = m.get(k);
    if (v == null) {
      return fallback;
    }
    Matcher matcher = DURATION.matcher(String.valueOf(v).trim());
    if (!matcher.matches()) {
      throw error(key, "expected a duration like 10s, 500ms, 5m, 1h or 7d, got \"" + v + "\"");
    }
    try {
      long n = Long.parseLong(matcher.group(1));
      return switch (matcher.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    } catch (NumberFormatException | ArithmeticException tooLong) {
      throw error(key, "duration \"" + v + "\" is too long");
    }
  }

  private int integer(Map<String, Object> m, String k, String key, int fallback, int min, int max) throws ConfigException {
    Object v = m.get(k);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Integer i) || i < min || i > max) {
      throw error(key, "expected a whole number from " + min + " to " + max + ", got \"" + v + "\"");
    }
    return i;
  }

  private boolean bool(Map<String, Object> m, String k, String key, boolean fallback) throws ConfigException {
    Object v = m.get(k);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Boolean b)) {
      throw error(key, "expected true or false, got \"" + v + "\"");
    }
    return b;
  }

  private String string(Map<String, Object> m, String k, String key, String fallback) throws ConfigException {
    Object v = m.get(k);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Map || v instanceof List) {
      throw error(key, "expected a single value");
    }
    return String.valueOf(v);
  }

  private Path path(Map<String, Object> m, String k, String key) throws ConfigException {
    String s = string(m, k, key, null);
    return s == null ? null : base.resolve(s).normalize();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> map(Object v, String key) throws ConfigException {
    if (!(v instanceof Map<?, ?> m)) {
      throw error(key, "expected a mapping of keys to values");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      out.put(String.valueOf(e.getKey()), e.getValue());
    }
    return out;
  }

  private void known(Map<String, Object> m, Set<String> allowed, String prefix) throws ConfigException {
    for (String k : m.keySet()) {
      if (!allowed.contains(k)) {
        throw error(prefix + k, "unknown key (allowed here: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
      }
    }
  }

  private ConfigException error(String key, String what) {
    return new ConfigException(file + ": " + key + ": " + what);
  }

  private static String defaultHostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "cairn";
    }
  }
}
