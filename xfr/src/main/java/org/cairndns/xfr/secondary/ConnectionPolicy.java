package org.cairndns.xfr.secondary;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Set;

/**
 * Everything that decides how a connection to a primary is opened and authenticated: the pool keys
 * its connections by it, and {@link TlsClientSockets} opens a connection from it alone, so a
 * request only ever travels on a connection that was set up under its own zone's policy (a zone
 * with a wrong pin never rides on a connection that a zone with the right pin, or an opportunistic
 * one, opened).
 *
 * @param transport plain TCP, strict TLS, or opportunistic TLS (encrypted, not authenticated)
 * @param pins accepted SPKI pins (strict TLS), order does not matter
 * @param caFile CA the primary's certificate must chain to (strict TLS), or null
 * @param tlsName the name sent in SNI and, with a CA, checked in the certificate, or null
 * @param clientCertificate our certificate for mutual TLS, or null
 * @param clientKey its key, or null
 */
record ConnectionPolicy(
    InetSocketAddress address,
    Transport transport,
    Set<String> pins,
    Path caFile,
    String tlsName,
    Path clientCertificate,
    Path clientKey) {

  enum Transport {
    TCP,
    STRICT_TLS,
    OPPORTUNISTIC_TLS
  }

  ConnectionPolicy {
    pins = Set.copyOf(pins);
  }

  /**
   * The policy for {@code primary} when {@code tls} is the transport chosen for this request (an
   * opportunistic primary goes over TCP until a probe found it speaks TLS). Over plain TCP nothing
   * is authenticated, so the TLS settings are left out and every TCP request to the address shares.
   */
  static ConnectionPolicy of(PrimarySettings primary, boolean tls) {
    if (!tls) {
      return new ConnectionPolicy(
          primary.address(), Transport.TCP, Set.of(), null, null, null, null);
    }
    Transport transport =
        primary.mode() == PrimarySettings.Mode.OPPORTUNISTIC_TLS
            ? Transport.OPPORTUNISTIC_TLS
            : Transport.STRICT_TLS;
    return new ConnectionPolicy(
        primary.address(),
        transport,
        Set.copyOf(primary.pins()),
        primary.caFile(),
        primary.tlsName(),
        primary.clientCertificate(),
        primary.clientKey());
  }

  boolean tls() {
    return transport != Transport.TCP;
  }
}
