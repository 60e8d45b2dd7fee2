package org.cairndns.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.cairndns.tls.TlsSettings.Engine;
import org.cairndns.tls.TlsSettings.MinVersion;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The identity a secondary proves with its client certificate (mutual TLS), as the server's session
 * shows it.
 */
class PeerIdentitiesTest {
  @TempDir Path dir;

  /**
   * A server that asks for client certificates issued by {@code clientCa} (here the client's own,
   * self-signed).
   */
  ServerTlsContext server(PemCredentials served, PemCredentials clientCa, Engine engine)
      throws Exception {
    Path cert = dir.resolve("server.pem");
    Path key = dir.resolve("server.key");
    SelfSignedCertificate.write(served, cert, key);
    Path ca = dir.resolve("client-ca.pem");
    SelfSignedCertificate.write(clientCa, ca, dir.resolve("client-ca.key"));
    return ServerTlsContext.create(
        new TlsSettings(
            cert,
            key,
            null,
            ca,
            MinVersion.TLS_1_2,
            dir.resolve("self-signed"),
            "ns.test",
            engine,
            null));
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"JDK", "OPENSSL"})
  void theClientCertificateIsTheIdentitySubjectAndPin(Engine engine) throws Exception {
    assumeTrue(
        engine != Engine.OPENSSL || OpenSsl.isAvailable(), "netty-tcnative does not load here");
    PemCredentials served = SelfSignedCertificate.generate("ns.test");
    PemCredentials secondary = SelfSignedCertificate.generate("xfr.secondary.test");
    SSLEngine server = InMemoryTls.server(server(served, secondary, engine));
    InMemoryTls.handshake(InMemoryTls.client(served.leaf(), secondary), server);

    PeerIdentity expected = new PeerIdentity("CN=xfr.secondary.test", SpkiPin.of(secondary.leaf()));
    assertEquals(Optional.of(expected), PeerIdentities.of(server.getSession()));
    assertEquals(expected, PeerIdentities.of(secondary.leaf()));
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"JDK", "OPENSSL"})
  void aClientWithoutCertificateHasNoIdentity(Engine engine) throws Exception {
    assumeTrue(
        engine != Engine.OPENSSL || OpenSsl.isAvailable(), "netty-tcnative does not load here");
    PemCredentials served = SelfSignedCertificate.generate("ns.test");
    SSLEngine server =
        InMemoryTls.server(server(served, SelfSignedCertificate.generate("ca.test"), engine));
    InMemoryTls.handshake(
        InMemoryTls.client(served.leaf(), null), server); // client certificates are optional
    assertThrows(SSLPeerUnverifiedException.class, () -> PeerIdentities.of(server.getSession()));
  }
}
