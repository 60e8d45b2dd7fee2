package org.cairndns.xfr.secondary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which zones' requests may share a pooled connection: those whose whole policy is the same. */
class ConnectionPolicyTest {
  static final InetSocketAddress PRIMARY = new InetSocketAddress("127.0.0.1", 853);

  static PrimarySettings strict(
      List<String> pins, String ca, String name, String clientCertificate) {
    return new PrimarySettings(
        PRIMARY,
        PrimarySettings.Mode.TLS,
        null,
        pins,
        ca == null ? null : Path.of(ca),
        name,
        clientCertificate == null ? null : Path.of(clientCertificate),
        clientCertificate == null ? null : Path.of(clientCertificate + ".key"));
  }

  @Test
  void everyAuthenticationSettingSeparatesConnections() {
    ConnectionPolicy base =
        ConnectionPolicy.of(strict(List.of("pinA", "pinB"), "ca.pem", "primary.test", null), true);
    assertEquals(
        base,
        ConnectionPolicy.of(strict(List.of("pinB", "pinA"), "ca.pem", "primary.test", null), true),
        "the order of the pins does not matter");
    List<PrimarySettings> others =
        List.of(
            strict(List.of("pinA"), "ca.pem", "primary.test", null),
            strict(List.of("pinA", "pinB"), "other-ca.pem", "primary.test", null),
            strict(List.of("pinA", "pinB"), null, "primary.test", null),
            strict(List.of("pinA", "pinB"), "ca.pem", "other.test", null),
            strict(List.of("pinA", "pinB"), "ca.pem", "primary.test", "client.pem"),
            new PrimarySettings(
                PRIMARY,
                PrimarySettings.Mode.OPPORTUNISTIC_TLS,
                null,
                List.of("pinA", "pinB"),
                Path.of("ca.pem"),
                "primary.test",
                null,
                null));
    for (PrimarySettings other : others) {
      assertNotEquals(base, ConnectionPolicy.of(other, true), other.toString());
    }
  }

  @Test
  void plainTcpSharesWhateverTheTlsSettings() {
    PrimarySettings opportunisticOverTcp =
        new PrimarySettings(
            PRIMARY,
            PrimarySettings.Mode.OPPORTUNISTIC_TLS,
            null,
            List.of(),
            null,
            "primary.test",
            null,
            null);
    assertEquals(
        ConnectionPolicy.of(PrimarySettings.tcp(PRIMARY, null), false),
        ConnectionPolicy.of(opportunisticOverTcp, false));
    assertNotEquals(
        ConnectionPolicy.of(opportunisticOverTcp, false),
        ConnectionPolicy.of(opportunisticOverTcp, true));
  }
}
