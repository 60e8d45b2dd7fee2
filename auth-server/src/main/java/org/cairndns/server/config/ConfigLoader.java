package org.cairndns.server.config;

import static org.cairndns.server.config.ConfigSchema.*;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.cairndns.tls.TlsSettings;
import org.cairndns.xfr.acl.TransferPolicy;
import org.cairndns.xfr.notify.NotifySender;
import org.cairndns.xfr.secondary.PrimarySettings;
import org.cairndns.xfr.secondary.TransferLimits;
import org.cairndns.zone.master.ZoneValidator;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the YAML configuration into a {@link CairnConfig} through the keys of {@link ConfigSchema},
 * then checks what spans several keys (a TSIG key named must exist, strict XoT needs a pin or a
 * CA). An unknown key or a bad value stops start-up with {@code FILE: key.path: what is wrong}.
 * Relative paths are resolved against the configuration file's folder.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /** Defaults only: what {@code cairn serve} uses without {@code --config}. */
  public static CairnConfig defaults() {
    try {
      return build(Values.read(Map.of(), "", TOP, new Source("(defaults)", Path.of("."))));
    } catch (ConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  public static CairnConfig load(Path path) throws ConfigException {
    String shown = path.toString();
    Object root;
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(
        false); // else the last one wins, with a warning on java.util.logging
    // No alias of a list or mapping: one can make a value contain itself, which overflows the stack
    // when printed or hashed (even inside SnakeYAML, for a key), or nest copies exponentially.
    options.setMaxAliasesForCollections(0);
    try (Reader in = Files.newBufferedReader(path)) {
      root = new Yaml(new SafeConstructor(options)).load(in);
    } catch (IOException e) {
      throw new ConfigException(shown + ": cannot read: " + e.getMessage());
    } catch (YAMLException
        | IllegalArgumentException e) { // NumberFormatException for a huge base-60 int (1:26)
      throw new ConfigException(shown + ": not valid YAML: " + e.getMessage().replace('\n', ' '));
    }
    Path folder = path.toAbsolutePath().getParent();
    Source source = new Source(shown, folder == null ? Path.of(".") : folder);
    return build(Values.read(root == null ? Map.of() : root, "", TOP, source));
  }

  private static CairnConfig build(Values top) throws ConfigException {
    CairnConfig.Limits limits = limits(top.mapping(LIMITS));
    CairnConfig.Identity identity = identity(top.mapping(IDENTITY));
    CairnConfig.Tls tls = tls(top.mapping(TLS));
    CairnConfig.Xfr xfr = xfr(top.mapping(XFR));
    List<String> warnings = new ArrayList<>();
    List<CairnConfig.TsigKey> tsigKeys = tsigKeys(top.list(TSIG_KEYS), warnings);
    Set<Name> keyNames = new HashSet<>();
    tsigKeys.forEach(k -> keyNames.add(k.name()));
    List<TransferPolicy.Entry> allowQuery = allowList(top, ALLOW_QUERY_GLOBAL, keyNames);
    CairnConfig.Secondary secondary = secondary(top.mapping(SECONDARY));
    List<CairnConfig.ZoneEntry> zones = new ArrayList<>();
    for (Values zone : top.list(ZONES)) {
      zones.add(zone(zone, keyNames, secondary.transferLimits()));
    }
    return new CairnConfig(
        top.get(DATABASE),
        top.get(LISTEN),
        top.get(TLS_LISTEN),
        tls,
        limits,
        identity,
        cookies(top.mapping(COOKIES)),
        top.get(STORE_POLL_INTERVAL),
        xfr,
        secondary,
        tsigKeys,
        allowQuery,
        zones,
        control(top.mapping(CONTROL)),
        log(top.mapping(LOG)),
        new CairnConfig.Metrics(top.mapping(METRICS).get(METRICS_LISTEN)),
        warnings);
  }

  private static final List<String> LOG_LEVELS =
      List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  private static CairnConfig.Log log(Values log) throws ConfigException {
    String level = log.get(LOG_LEVEL);
    if (level != null) {
      level = level.toUpperCase(Locale.ROOT);
      if (!LOG_LEVELS.contains(level)) {
        throw log.error(
            LOG_LEVEL,
            "expected TRACE, DEBUG, INFO, WARN, ERROR or OFF, got \"" + log.get(LOG_LEVEL) + "\"");
      }
    }
    return new CairnConfig.Log(level, log.get(LOG_FILE), log.get(LOG_SYSLOG));
  }

  private static CairnConfig.Control control(Values control) throws ConfigException {
    InetSocketAddress listen = control.get(CONTROL_LISTEN);
    if (listen != null && !listen.getAddress().isLoopbackAddress()) {
      throw control.error(
          CONTROL_LISTEN,
          "must be a loopback address (127.0.0.1 or [::1]): the channel controls the server");
    }
    return new CairnConfig.Control(
        control.get(CONTROL_ENABLED), control.get(CONTROL_SOCKET), listen);
  }

  private static CairnConfig.Tls tls(Values tls) throws ConfigException {
    TlsSettings.Engine engine = tls.get(TLS_ENGINE);
    TlsSettings.MinVersion minVersion = tls.get(TLS_MIN_VERSION);
    Path certificate = tls.get(TLS_CERTIFICATE);
    Path key = tls.get(TLS_KEY);
    if ((certificate == null) != (key == null)) {
      throw tls.error(
          certificate == null ? TLS_CERTIFICATE : TLS_KEY,
          "tls.certificate and tls.key go together");
    }
    return new CairnConfig.Tls(
        certificate,
        key,
        tls.get(TLS_KEY_PASSWORD),
        tls.get(TLS_CLIENT_CA),
        minVersion,
        engine,
        tls.get(TLS_OCSP_RESPONSE));
  }

  private static CairnConfig.Limits limits(Values limits) throws ConfigException {
    return new CairnConfig.Limits(
        limits.get(TCP_IDLE_TIMEOUT),
        limits.get(TCP_CONNECTIONS),
        limits.get(TCP_CONNECTIONS_PER_ADDRESS),
        limits.get(TLS_HANDSHAKE_TIMEOUT),
        limits.get(UDP_PAYLOAD),
        limits.get(JOURNAL_STEPS),
        limits.get(TCP_QUERIES_IN_FLIGHT),
        limits.get(TCP_WRITE_BUFFER),
        limits.get(TCP_WRITE_TIMEOUT),
        limits.get(RESPONSE_CACHE_BYTES),
        limits.get(UDP_RECEIVE_BUFFER));
  }

  /** {@code id} defaults to {@code hostname}; neither set, both names are refused. */
  private static CairnConfig.Identity identity(Values identity) throws ConfigException {
    String hostname = identity.get(HOSTNAME);
    String id = identity.get(ID);
    return new CairnConfig.Identity(
        identity.get(CHAOS),
        identity.get(VERSION),
        hostname,
        id != null ? id : hostname,
        identity.get(NSID));
  }

  private static CairnConfig.Cookies cookies(Values cookies) throws ConfigException {
    boolean enabled = cookies.get(COOKIES_ENABLED);
    boolean require = cookies.get(COOKIES_REQUIRE);
    if (require && !enabled) {
      throw cookies.error(COOKIES_REQUIRE, "needs cookies.enabled: true");
    }
    return new CairnConfig.Cookies(enabled, require, cookies.get(COOKIES_SECRET));
  }

  private static CairnConfig.Xfr xfr(Values xfr) throws ConfigException {
    return new CairnConfig.Xfr(
        xfr.get(MESSAGE_SIZE),
        xfr.get(MAX_RECORDS_PER_MESSAGE),
        xfr.get(TRANSFERS_OUT),
        xfr.get(TRANSFERS_OUT_PER_ADDRESS),
        xfr.get(TRANSFER_WAIT),
        xfr.get(MAX_TRANSFER_TIME_OUT));
  }

  private static CairnConfig.Secondary secondary(Values s) throws ConfigException {
    return new CairnConfig.Secondary(
        s.get(TRANSFERS_IN),
        s.get(TRANSFERS_IN_PER_PRIMARY),
        s.get(CONNECTIONS_PER_PRIMARY),
        s.get(PIPELINED_PER_CONNECTION),
        s.get(SECONDARY_TIMEOUT),
        s.get(XOT_REPROBE),
        s.get(XOT_PROBES),
        new TransferLimits(s.get(MAX_RECORDS), s.get(MAX_ZONE_SIZE), s.get(MAX_TRANSFER_TIME_IN)));
  }

  /** RFC 8945 §6.1: a secret shorter than the algorithm's output weakens it; by output bytes. */
  private static final Map<String, Integer> TSIG_OUTPUT_BYTES =
      Map.of(
          "hmac-md5", 16,
          "hmac-sha1", 20,
          "hmac-sha224", 28,
          "hmac-sha256", 32,
          "hmac-sha384", 48,
          "hmac-sha512", 64);

  /** A secret file holds base64 text; anything this large is not one. */
  static final int SECRET_FILE_MAX_BYTES = 4096;

  /**
   * @param warnings gets a line for each unwise key: hmac-md5, a secret shorter than the
   *     algorithm's output, a secret file others may read
   */
  private static List<CairnConfig.TsigKey> tsigKeys(List<Values> entries, List<String> warnings)
      throws ConfigException {
    List<CairnConfig.TsigKey> keys = new ArrayList<>();
    for (Values k : entries) {
      Name name = k.get(TSIG_NAME);
      String secret = secret(k, warnings);
      String algorithm = k.get(TSIG_ALGORITHM);
      byte[] decoded;
      try {
        decoded = Base64.getDecoder().decode(secret);
        new TSIG(algorithm, name.toString(), secret);
      } catch (IllegalArgumentException e) {
        throw k.error("not a usable TSIG key: " + e.getMessage());
      }
      // hmac-md5.sig-alg.reg.int is hmac-md5
      String shortName = algorithm.toLowerCase(Locale.ROOT).split("\\.", 2)[0];
      if (shortName.equals("hmac-md5")) {
        warnings.add(
            k.warning(TSIG_ALGORITHM, "hmac-md5 is deprecated (RFC 8945 §6); use hmac-sha256"));
      }
      Integer output = TSIG_OUTPUT_BYTES.get(shortName);
      if (output != null && decoded.length < output) {
        warnings.add(
            k.warning(
                k.has(TSIG_SECRET_FILE) ? TSIG_SECRET_FILE : TSIG_SECRET,
                "the secret has "
                    + decoded.length
                    + " bytes, fewer than the "
                    + output
                    + " of "
                    + shortName
                    + "'s output (RFC 8945 §6.1); generate one with `tsig-keygen -a "
                    + shortName
                    + "`"));
      }
      keys.add(new CairnConfig.TsigKey(name, algorithm, secret));
    }
    return keys;
  }

  /**
   * The base64 secret, given inline or as {@code secret-file} (read now, trimmed), never both. A
   * file group or others may read gets a warning, as BIND gives for its key files.
   */
  private static String secret(Values k, List<String> warnings) throws ConfigException {
    Path file = k.get(TSIG_SECRET_FILE);
    if (file == null) {
      if (!k.has(TSIG_SECRET)) {
        throw k.error(TSIG_SECRET, "missing (or give secret-file)");
      }
      return k.get(TSIG_SECRET);
    }
    if (k.has(TSIG_SECRET)) {
      throw k.error(TSIG_SECRET_FILE, "give secret or secret-file, not both");
    }
    try {
      if (Files.size(file) > SECRET_FILE_MAX_BYTES) {
        throw k.error(
            TSIG_SECRET_FILE,
            file + " is larger than " + SECRET_FILE_MAX_BYTES + " bytes: not a base64 secret");
      }
      String secret = Files.readString(file).trim();
      if (secret.isEmpty()) {
        throw k.error(TSIG_SECRET_FILE, file + " is empty");
      }
      Set<PosixFilePermission> permissions = posixPermissions(file);
      if (permissions != null && !OWNER_ONLY.containsAll(permissions)) {
        warnings.add(
            k.warning(
                TSIG_SECRET_FILE,
                file
                    + " may be read by others ("
                    + PosixFilePermissions.toString(permissions)
                    + "); chmod 600 it"));
      }
      return secret;
    } catch (IOException e) {
      throw k.error(TSIG_SECRET_FILE, "cannot read " + file + ": " + e.getMessage());
    }
  }

  private static final Set<PosixFilePermission> OWNER_ONLY =
      Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  /** The file's POSIX permissions, or null where the file system has none (Windows). */
  private static Set<PosixFilePermission> posixPermissions(Path file) throws IOException {
    try {
      return Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return null;
    }
  }

  /**
   * @param keyNames the names in {@code tsig-keys}, which zones' {@code key} fields must name
   * @param transferLimits the {@code secondary} block's limits, which a zone's own keys override
   */
  private static CairnConfig.ZoneEntry zone(
      Values z, Set<Name> keyNames, TransferLimits transferLimits) throws ConfigException {
    Name name = z.get(ZONE_NAME);
    List<NotifySender.Target> notifyTargets = new ArrayList<>();
    for (Values target : z.list(NOTIFY)) {
      notifyTargets.add(
          new NotifySender.Target(target.get(NOTIFY_ADDRESS), target.get(NOTIFY_TRANSPORT)));
    }
    List<CairnConfig.Primary> primaries = new ArrayList<>();
    for (Values primary : z.list(PRIMARIES)) {
      primaries.add(primary(primary, keyNames));
    }
    Duration maxTime = z.get(ZONE_MAX_TRANSFER_TIME_IN);
    Long maxRecords = z.get(ZONE_MAX_RECORDS);
    Long maxBytes = z.get(ZONE_MAX_ZONE_SIZE);
    return new CairnConfig.ZoneEntry(
        name,
        z.get(ZONE_FILE),
        allowList(z, ALLOW_TRANSFER, keyNames),
        z.get(TRANSFER_TRANSPORTS),
        allowList(z, ALLOW_QUERY, keyNames),
        notifyTargets,
        keyName(z, NOTIFY_KEY, keyNames),
        z.get(NOTIFY_NS),
        primaries,
        new TransferLimits(
            Objects.requireNonNullElse(maxRecords, transferLimits.maxRecords()),
            Objects.requireNonNullElse(maxBytes, transferLimits.maxZoneBytes()),
            Objects.requireNonNullElse(maxTime, transferLimits.maxTime())),
        new ZoneValidator.Checks(z.get(ZONE_STRICT), z.get(ZONE_SIGNATURE_WARNING)));
  }

  private static CairnConfig.Primary primary(Values p, Set<Name> keyNames) throws ConfigException {
    PrimarySettings.Mode transport = p.get(PRIMARY_TRANSPORT);
    String address = p.get(PRIMARY_ADDRESS);
    int port = transport == PrimarySettings.Mode.TCP ? 53 : 853;
    InetSocketAddress a =
        p.read(
            PRIMARY_ADDRESS,
            ValueTypes.ADDRESS,
            address.contains(":") || address.startsWith("[") ? address : address + ":" + port);
    List<String> pins = p.get(PRIMARY_TLS_PINS);
    if (transport == PrimarySettings.Mode.TLS && pins.isEmpty() && !p.has(PRIMARY_TLS_CA)) {
      throw p.error(
          "strict XoT (transport: tls) needs tls-pins or tls-ca;"
              + " use opportunistic-tls for unauthenticated encryption");
    }
    if (p.has(PRIMARY_TLS_CA) && !p.has(PRIMARY_TLS_NAME)) {
      // A CA alone would accept any certificate it ever issued (RFC 8310 strict: a pin set or a
      // name).
      throw p.error(
          PRIMARY_TLS_NAME, "needed with tls-ca: the name the primary's certificate must carry");
    }
    return new CairnConfig.Primary(
        a,
        transport,
        keyName(p, PRIMARY_KEY, keyNames),
        pins,
        p.get(PRIMARY_TLS_CA),
        p.get(PRIMARY_TLS_NAME),
        p.get(PRIMARY_TLS_CERTIFICATE),
        p.get(PRIMARY_TLS_KEY));
  }

  /** The rules of an allow list in {@code owner}; a key they name must be in {@code tsig-keys}. */
  private static List<TransferPolicy.Entry> allowList(
      Values owner, AllowList list, Set<Name> keyNames) throws ConfigException {
    List<TransferPolicy.Entry> entries = new ArrayList<>();
    for (Values entry : owner.list(list.section())) {
      if (entry.isEmpty()) {
        throw entry.error("give at least one of address, key, tls-subject, tls-pin");
      }
      entries.add(
          new TransferPolicy.Entry(
              entry.get(list.address()),
              keyName(entry, list.key(), keyNames),
              entry.get(list.tlsSubject()),
              entry.get(list.tlsPin())));
    }
    return entries;
  }

  /** A TSIG key name that must be one of {@code tsig-keys}; null when absent. */
  private static Name keyName(Values m, Key<Name> key, Set<Name> keyNames) throws ConfigException {
    Name name = m.get(key);
    if (name != null && !keyNames.contains(name)) {
      throw m.error(key, "no TSIG key \"" + m.written(key) + "\" in tsig-keys");
    }
    return name;
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
}
