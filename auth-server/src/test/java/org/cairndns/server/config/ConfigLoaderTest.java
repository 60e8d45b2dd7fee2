package org.cairndns.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.cairndns.request.Transport;
import org.cairndns.tls.TlsSettings;
import org.cairndns.xfr.notify.NotifySender;
import org.cairndns.xfr.secondary.TransferLimits;
import org.cairndns.zone.master.ZoneValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.Name;

class ConfigLoaderTest {
  @TempDir Path dir;

  CairnConfig load(String yaml) throws Exception {
    Path p = dir.resolve("cairn.yaml");
    Files.writeString(p, yaml);
    return ConfigLoader.load(p);
  }

  @Test
  void theSampleConfigurationLoads() throws Exception {
    CairnConfig c = ConfigLoader.load(Path.of("..", "zones-sample", "cairn.yaml"));
    assertEquals(2, c.zones().size());
    assertEquals(5300, c.listen().get(0).getPort());
    assertTrue(c.zones().get(0).file().toString().endsWith("example.com.zone"));
  }

  @Test
  void theServiceConfigurationLoads() throws Exception {
    CairnConfig c = ConfigLoader.load(Path.of("..", "dist", "cairn.yaml"));
    assertEquals(
        Path.of("/var/lib/cairn/cairn"),
        c.database(),
        "the folder dist/cairn.service lets it write");
    assertEquals(53, c.listen().get(0).getPort());
    assertEquals(853, c.tlsListen().get(0).getPort());
  }

  @Test
  void everyKeyIsRead() throws Exception {
    CairnConfig c =
        load(
            """
        database: store/db
        listen: ["127.0.0.1:5300", "[::1]:5300"]
        tls-listen: [127.0.0.1:8530]
        tls: {certificate: c.pem, key: k.pem, key-password: pw, client-ca: ca.pem, min-version: TLSv1.3, engine: jdk,
              ocsp-response: ocsp.der}
        limits: {tcp-idle-timeout: 500ms, tcp-connections: 10, tcp-connections-per-address: 2,
                 tls-handshake-timeout: 2s, udp-payload: 1400, journal-steps: 7,
                 tcp-queries-in-flight: 8, tcp-write-buffer: 32768, tcp-write-timeout: 3s,
                 response-cache-bytes: 1048576, udp-receive-buffer: 1048576}
        identity: {chaos: false, version: v, hostname: h, id: i}
        store-poll-interval: 2m
        xfr: {message-size: 16000, max-records-per-message: 1, transfers-out: 3, transfers-out-per-address: 1, transfer-wait: 1h,
              max-transfer-time-out: 90m}
        secondary: {transfers-in: 2, transfers-in-per-primary: 3, connections-per-primary: 1, pipelined-per-connection: 5, timeout: 9s, xot-reprobe: 5m, xot-probes: 1,
                    max-records: 5000000, max-zone-size: 64m, max-transfer-time-in: 30m}
        tsig-keys: [{name: k1, algorithm: hmac-sha512, secret: "c2VjcmV0"}]
        zones:
          - name: a.test
            file: a.zone
            allow-transfer: [{address: 192.0.2.0/24, key: k1}, {tls-subject: "CN=s", tls-pin: "abc="}]
            transfer-transports: [tls]
            notify: [192.0.2.9:53, {address: "192.0.2.10:5300", transport: tcp}]
            notify-key: k1
            strict: true
            signature-warning: 3d
          - name: b.test
            primaries: [{address: 192.0.2.1, transport: opportunistic-tls, key: k1}, {address: 192.0.2.2, transport: tcp}]
            max-records: 1000
            max-zone-size: 65536
            max-transfer-time-in: 90s
        """);
    assertEquals(dir.resolve("store/db"), c.database());
    assertEquals(2, c.listen().size());
    assertEquals(TlsSettings.MinVersion.TLS_1_3, c.tls().minVersion());
    assertEquals(TlsSettings.Engine.JDK, c.tls().engine());
    assertEquals(dir.resolve("ocsp.der"), c.tls().ocspResponse());
    assertEquals(dir.resolve("c.pem"), c.tls().certificate());
    assertEquals(Duration.ofMillis(500), c.limits().tcpIdleTimeout());
    assertEquals(1400, c.limits().udpPayload());
    assertEquals(7, c.limits().journalSteps());
    assertEquals(8, c.limits().tcpQueriesInFlight());
    assertEquals(32768, c.limits().tcpWriteBuffer());
    assertEquals(Duration.ofSeconds(3), c.limits().tcpWriteTimeout());
    assertEquals(1 << 20, c.limits().responseCacheBytes());
    assertEquals(1 << 20, c.limits().udpReceiveBuffer());
    assertEquals(false, c.identity().chaos());
    assertEquals(Duration.ofMinutes(2), c.storePollInterval());
    assertEquals(Duration.ofHours(1), c.xfr().transferWait());
    assertEquals(Duration.ofMinutes(90), c.xfr().maxTransferTimeOut());
    assertEquals(5, c.secondary().pipelinedPerConnection());
    assertEquals(3, c.secondary().transfersInPerPrimary());
    assertEquals("hmac-sha512", c.tsigKeys().get(0).algorithm());
    assertEquals(2, c.zones().get(0).allowTransfer().size());
    assertEquals(java.util.Set.of(Transport.TLS), c.zones().get(0).transferTransports());
    assertEquals(
        List.of(
            NotifySender.Target.udp(new InetSocketAddress("192.0.2.9", 53)),
            new NotifySender.Target(new InetSocketAddress("192.0.2.10", 5300), Transport.TCP)),
        c.zones().get(0).notifyTargets());
    assertEquals(Name.fromString("k1."), c.zones().get(0).notifyKey());
    assertEquals(853, c.zones().get(1).primaries().get(0).address().getPort(), "TLS default port");
    assertEquals(53, c.zones().get(1).primaries().get(1).address().getPort(), "TCP default port");
    assertEquals(
        new TransferLimits(5_000_000, 64L << 20, Duration.ofMinutes(30)),
        c.secondary().transferLimits());
    assertEquals(
        c.secondary().transferLimits(),
        c.zones().get(0).transferLimits(),
        "a zone inherits the secondary block's");
    assertEquals(
        new TransferLimits(1000, 65536, Duration.ofSeconds(90)), c.zones().get(1).transferLimits());
    assertEquals(new ZoneValidator.Checks(true, Duration.ofDays(3)), c.zones().get(0).fileChecks());
    assertEquals(ZoneValidator.Checks.LENIENT, c.zones().get(1).fileChecks());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      value = {
        "unknown top key       | colour: blue                                        | colour: unknown key",
        "unknown nested key    | limits: {tcp-idle: 5s}                              | limits.tcp-idle: unknown key (allowed here: journal-steps, response-cache-bytes, tcp-connections,",
        "unknown primary key   | zones: [{name: a.test, primaries: [{address: 192.0.2.1, transport: tcp, port: 53}]}] | zones[0].primaries[0].port: unknown key (allowed here: address, key, tls-ca,",
        "NOTIFY target alone   | zones: [{name: a.test, notify: {address: \"192.0.2.9:53\", transport: udp, via: x}}] | zones[0].notify[0].via: unknown key (allowed here: address, transport)",
        "TSIG key without secret | tsig-keys: [{name: k}]                            | tsig-keys[0].secret: missing",
        "zones not a list      | zones: {name: a.test}                               | zones: expected a list",
        "bad log level         | log: {level: loud}                                  | log.level: expected TRACE, DEBUG",
        "bad syslog address    | log: {syslog: loghost}                              | log.syslog: expected ADDRESS:PORT",
        "bad duration          | limits: {tcp-idle-timeout: ten}                     | limits.tcp-idle-timeout: expected a duration",
        "bad transfer deadline | xfr: {max-transfer-time-out: 2 hours}               | xfr.max-transfer-time-out: expected a duration",
        "zero transfer deadline | xfr: {max-transfer-time-out: 0s}                   | xfr.max-transfer-time-out: must be longer than 0",
        "number out of range   | limits: {udp-payload: 100}                          | limits.udp-payload: expected a whole number from 512 to 4096",
        "write buffer too small| limits: {tcp-write-buffer: 100}                     | limits.tcp-write-buffer: expected a whole number from 4096",
        "negative cache bytes  | limits: {response-cache-bytes: -1}                  | limits.response-cache-bytes: expected a whole number from 0 to 2147483647",
        "tiny UDP buffer       | limits: {udp-receive-buffer: 100}                   | limits.udp-receive-buffer: expected a whole number from 4096",
        "per-primary limit 0   | secondary: {transfers-in-per-primary: 0}            | secondary.transfers-in-per-primary: expected a whole number from 1 to 1000",
        "per-primary not a number | secondary: {transfers-in-per-primary: two}       | secondary.transfers-in-per-primary: expected a whole number from 1 to 1000",
        "max-records 0         | secondary: {max-records: 0}                         | secondary.max-records: expected a whole number of at least 1",
        "zone max-records text | zones: [{name: a.test, max-records: many}]         | zones[0].max-records: expected a whole number of at least 1",
        "bad max-zone-size     | zones: [{name: a.test, max-zone-size: 5t}]          | zones[0].max-zone-size: expected a size in bytes",
        "huge max-zone-size    | secondary: {max-zone-size: 99999999999999g}         | secondary.max-zone-size: expected a size in bytes",
        "zero transfer time    | secondary: {max-transfer-time-in: 0s}               | secondary.max-transfer-time-in: must be longer than 0",
        "bad transfer time     | zones: [{name: a.test, max-transfer-time-in: long}] | zones[0].max-transfer-time-in: expected a duration",
        "bad address           | listen: [not-an-ip:x]                               | listen: expected ADDRESS:PORT",
        "bad boolean           | identity: {chaos: maybe}                            | identity.chaos: expected true or false",
        "short cookie secret   | cookies: {secret: \"0123456789abcdef\"}          | cookies.secret: expected 16 bytes as 32 hex digits in quotes",
        "cookie secret not hex | cookies: {secret: \"0123456789abcdef0123456789abcdeg\"} | cookies.secret: expected 16 bytes as 32 hex digits",
        "cookie secret a list  | cookies: {secret: [a, b]}                           | cookies.secret: expected a single value",
        "require without cookies | cookies: {enabled: false, require: true}         | cookies.require: needs cookies.enabled: true",
        "bad TLS version       | tls: {min-version: SSLv3}                           | tls.min-version: expected TLSv1.2 or TLSv1.3",
        "bad TLS engine        | tls: {engine: boringssl}                            | tls.engine: expected auto, openssl or jdk, got \"boringssl\"",
        "key without cert      | tls: {key: k.pem}                                   | tls.certificate: tls.certificate and tls.key go together",
        "zone without name     | zones: [{file: x.zone}]                             | zones[0].name: missing",
        "bad zone name         | zones: [{name: \"a..b\"}]                           | zones[0].name: not a domain name",
        "bad transport         | zones: [{name: a.test, transfer-transports: [udp]}] | zones[0].transfer-transports: expected tcp or tls",
        "bad CIDR              | zones: [{name: a.test, allow-transfer: [{address: 10.0.0.0/99}]}] | zones[0].allow-transfer[0].address: prefix length out of range",
        "empty ACL entry       | zones: [{name: a.test, allow-transfer: [{}]}]       | zones[0].allow-transfer[0]: give at least one",
        "strict XoT without pin | zones: [{name: a.test, primaries: [{address: 192.0.2.1, transport: tls}]}] | zones[0].primaries[0]: strict XoT (transport: tls) needs tls-pins or tls-ca",
        "CA without a name     | zones: [{name: a.test, primaries: [{address: 192.0.2.1, transport: tls, tls-ca: ca.pem}]}] | zones[0].primaries[0].tls-name: needed with tls-ca",
        "bad primary transport | zones: [{name: a.test, primaries: [{address: 192.0.2.1, transport: ftp}]}] | zones[0].primaries[0].transport: expected tcp, tls or opportunistic-tls",
        "bad NOTIFY transport  | zones: [{name: a.test, notify: [{address: \"192.0.2.9:53\", transport: tls}]}] | zones[0].notify[0].transport: expected udp or tcp",
        "NOTIFY without address | zones: [{name: a.test, notify: [{transport: tcp}]}] | zones[0].notify[0].address: missing",
        "bad NOTIFY address    | zones: [{name: a.test, notify: [\"192.0.2.9:x\"]}]  | zones[0].notify[0]: expected ADDRESS:PORT",
        "NOTIFY key not defined | zones: [{name: a.test, notify-key: k9}]          | zones[0].notify-key: no TSIG key \"k9\" in tsig-keys",
        "primary key not defined | zones: [{name: a.test, primaries: [{address: 192.0.2.1, transport: tcp, key: k9}]}] | zones[0].primaries[0].key: no TSIG key",
        "transfer key not defined | zones: [{name: a.test, allow-transfer: [{key: k9}]}] | zones[0].allow-transfer[0].key: no TSIG key \"k9\" in tsig-keys",
        "query key not defined | allow-query: [{key: k9}]                            | allow-query[0].key: no TSIG key \"k9\" in tsig-keys",
        "zone query key undefined | zones: [{name: a.test, allow-query: [{address: 192.0.2.1, key: k9}]}] | zones[0].allow-query[0].key: no TSIG key",
        "empty query ACL entry | allow-query: [{}]                                   | allow-query[0]: give at least one",
        "bad query CIDR        | allow-query: [{address: 192.0.2.0/33}]              | allow-query[0].address: prefix length out of range",
        "NSID bad hex          | identity: {nsid: 0xabz}                             | identity.nsid: not hex after 0x",
        "NSID odd hex          | identity: {nsid: \"0xabc\"}                         | identity.nsid: not hex after 0x",
        "NSID unquoted hex     | identity: {nsid: 0x00ff10}                          | identity.nsid: expected text, got \"65296\"; quote it",
        "NSID empty hex        | identity: {nsid: \"0x\"}                            | identity.nsid: expected 1 to 128 bytes, got 0",
        "bad TSIG secret       | tsig-keys: [{name: k, secret: \"!!\"}]              | tsig-keys[0]: not a usable TSIG key",
        "host name, not address | listen: [\"localhost:53\"]                        | listen: expected ADDRESS:PORT",
        "key given twice       | {store-poll-interval: 1s, store-poll-interval: 2s}  | found duplicate key store-poll-interval",
        "duration too long     | store-poll-interval: 99999999999999999999s          | store-poll-interval: duration \"99999999999999999999s\" is too long",
        "huge base-60 number   | {4444444444444444444444444444411:26: x}            | not valid YAML: For input string",
        "list inside itself    | listen: &x [[*x]]                                   | not valid YAML: Number of aliases for non-scalar nodes",
        "list inside a key     | zones: [{? [&x [*x]] : 1}]                          | not valid YAML: Number of aliases for non-scalar nodes",
        "not YAML              | 'listen: [unclosed                                  | not valid YAML",
      })
  void badValuesNameTheKey(String rule, String yaml, String expected) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(yaml));
    assertTrue(e.getMessage().startsWith(dir.resolve("cairn.yaml") + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), rule + ": " + e.getMessage());
  }

  @Test
  void cookieSettingsAreRead() throws Exception {
    assertEquals(new CairnConfig.Cookies(true, false, null), ConfigLoader.defaults().cookies());
    assertEquals(
        new CairnConfig.Cookies(true, true, "0123456789abcdef0123456789abcdef"),
        load("cookies: {require: true, secret: \" 0123456789ABCDEF0123456789abcdef\"}\n")
            .cookies());
    assertEquals(
        new CairnConfig.Cookies(false, false, null), load("cookies: {enabled: false}\n").cookies());
  }

  @Test
  void identityIsHiddenUnlessConfiguredAndNsidIsTextOrHex() throws Exception {
    CairnConfig.Identity hidden = load("database: db\n").identity();
    assertEquals(null, hidden.hostname(), "hostname.bind refused by default, as NSD");
    assertEquals(null, hidden.id());
    assertEquals(null, hidden.nsid());
    assertEquals("Cairn", hidden.version());
    CairnConfig.Identity named = load("identity: {hostname: ns1, nsid: ns1.example}\n").identity();
    assertEquals("ns1", named.id(), "id.server follows hostname");
    assertEquals(new NSIDOption("ns1.example".getBytes(StandardCharsets.UTF_8)), named.nsid());
    CairnConfig.Identity hex = load("identity: {nsid: \"0x00ff10\"}\n").identity();
    assertEquals(new NSIDOption(new byte[] {0, (byte) 0xff, 0x10}), hex.nsid());
    ConfigException tooLong =
        assertThrows(
            ConfigException.class, () -> load("identity: {nsid: " + "n".repeat(129) + "}\n"));
    assertTrue(tooLong.getMessage().contains("identity.nsid: expected 1 to 128 bytes, got 129"));
  }

  @Test
  void queryListsAreReadGloballyAndPerZone() throws Exception {
    CairnConfig c =
        load(
            """
            tsig-keys: [{name: k1, secret: "c2VjcmV0"}]
            allow-query: [{address: 192.0.2.0/24}, {key: k1}]
            zones: [{name: a.test, allow-query: [{address: "2001:db8::/32"}]}, {name: b.test}]
            """);
    assertEquals(2, c.allowQuery().size());
    assertEquals(Name.fromString("k1."), c.allowQuery().get(1).tsigKey());
    assertEquals(1, c.zones().get(0).allowQuery().size());
    assertTrue(c.zones().get(1).allowQuery().isEmpty(), "b.test: the global list");
    assertTrue(load("database: db\n").allowQuery().isEmpty(), "unset: everyone");
  }

  static final String SECRET_32 = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAxMjM=";

  @Test
  void aGoodTsigKeyHasNoWarning() throws Exception {
    Path file = dir.resolve("k1.secret");
    Files.writeString(file, SECRET_32 + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    CairnConfig c =
        load(
            """
            tsig-keys: [{name: k1, secret: "%s"}, {name: k2, secret-file: k1.secret}]
            """
                .formatted(SECRET_32));
    assertEquals(List.of(), c.warnings());
    assertEquals(SECRET_32, c.tsigKeys().get(1).secret(), "read from the file, trimmed");
  }

  @Test
  void shortSecretsMd5AndASecretFileOthersMayReadAreWarnedOf() throws Exception {
    Path file = dir.resolve("shared.secret");
    Files.writeString(file, "c2VjcmV0");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    CairnConfig c =
        load(
            """
            tsig-keys:
              - {name: short, algorithm: hmac-sha512, secret: "%s"}
              - {name: old, algorithm: hmac-md5, secret: "%s"}
              - {name: filed, secret-file: shared.secret}
            """
                .formatted(SECRET_32, SECRET_32));
    String file0 = dir.resolve("cairn.yaml") + ": ";
    assertEquals(
        List.of(
            file0
                + "tsig-keys[0].secret: the secret has 32 bytes, fewer than the 64 of hmac-sha512's"
                + " output (RFC 8945 §6.1); generate one with `tsig-keygen -a hmac-sha512`",
            file0 + "tsig-keys[1].algorithm: hmac-md5 is deprecated (RFC 8945 §6); use hmac-sha256",
            file0
                + "tsig-keys[2].secret-file: "
                + file
                + " may be read by others (rw-r--r--); chmod 600 it",
            file0
                + "tsig-keys[2].secret-file: the secret has 6 bytes, fewer than the 32 of"
                + " hmac-sha256's output (RFC 8945 §6.1); generate one with `tsig-keygen -a"
                + " hmac-sha256`"),
        c.warnings());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "both given     | {name: k, secret: c2VjcmV0, secret-file: k.secret} | tsig-keys[0].secret-file: give secret or secret-file, not both",
        "file missing   | {name: k, secret-file: absent.secret}              | tsig-keys[0].secret-file: cannot read",
        "file empty     | {name: k, secret-file: empty.secret}               | tsig-keys[0].secret-file: ",
        "file too large | {name: k, secret-file: large.secret}               | is larger than 4096 bytes",
        "file not base64 | {name: k, secret-file: text.secret}               | tsig-keys[0]: not a usable TSIG key",
      })
  void badSecretFilesNameTheKey(String rule, String key, String expected) throws Exception {
    Files.writeString(dir.resolve("k.secret"), SECRET_32);
    Files.writeString(dir.resolve("empty.secret"), " \n");
    Files.writeString(dir.resolve("large.secret"), "A".repeat(5000));
    Files.writeString(dir.resolve("text.secret"), "not base64!");
    ConfigException e = assertThrows(ConfigException.class, () -> load("tsig-keys: [" + key + "]"));
    assertTrue(e.getMessage().contains(expected), rule + ": " + e.getMessage());
  }

  @Test
  void logSettingsAreRead() throws Exception {
    CairnConfig c = load("log: {level: debug, file: log/cairn.log, syslog: 127.0.0.1:514}\n");
    assertEquals(
        new CairnConfig.Log(
            "DEBUG", dir.resolve("log/cairn.log"), new InetSocketAddress("127.0.0.1", 514)),
        c.log());
  }

  @Test
  void metricsListenIsReadAndOffByDefault() throws Exception {
    assertEquals(
        new InetSocketAddress("127.0.0.1", 9153),
        load("metrics: {listen: 127.0.0.1:9153}\n").metrics().listen());
    assertEquals(null, ConfigLoader.defaults().metrics().listen(), "no endpoint unless asked");
    ConfigException e =
        assertThrows(ConfigException.class, () -> load("metrics: {listen: nowhere}\n"));
    assertTrue(e.getMessage().contains("metrics.listen"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> load("metrics: {port: 9153}\n"));
    assertTrue(e.getMessage().contains("listen"), "lists the section's keys: " + e.getMessage());
  }

  @Test
  void defaultsWithoutAFile() {
    CairnConfig c = ConfigLoader.defaults();
    assertEquals(
        new CairnConfig.Log(null, null, null), c.log(), "stderr at CAIRN_LOG_LEVEL or INFO");
    assertEquals(53, c.listen().get(0).getPort());
    assertEquals(1232, c.limits().udpPayload());
    assertEquals(Duration.ofSeconds(10), c.limits().tcpIdleTimeout());
    assertEquals(32, c.limits().tcpQueriesInFlight());
    assertEquals(65536, c.limits().tcpWriteBuffer());
    assertEquals(Duration.ofSeconds(10), c.limits().tcpWriteTimeout());
    assertEquals(64 << 20, c.limits().responseCacheBytes());
    assertEquals(4 << 20, c.limits().udpReceiveBuffer(), "as before it was configurable");
    assertEquals(2, c.secondary().transfersInPerPrimary(), "like BIND's transfers-per-ns");
    assertEquals(TransferLimits.DEFAULTS, c.secondary().transferLimits());
    assertEquals(
        10_000_000,
        TransferLimits.DEFAULTS.maxRecords(),
        "lets the 1M-record benchmark zone through");
    assertEquals(
        Duration.ofHours(2), TransferLimits.DEFAULTS.maxTime(), "BIND's max-transfer-time-in");
    assertEquals(
        Duration.ofHours(2), c.xfr().maxTransferTimeOut(), "like BIND's max-transfer-time-out");
    assertTrue(c.zones().isEmpty());
  }
}
