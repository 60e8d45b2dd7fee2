package org.cairndns.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.cairndns.tls.TlsSettings.Engine;
import org.cairndns.tls.TlsSettings.MinVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The server side of DoT and XoT, checked by handshakes with a JDK client (in memory, no sockets).
 */
class ServerTlsContextTest {
  @TempDir Path dir;

  /**
   * Writes {@code credentials} as {@code name}.pem / {@code name}.key and returns settings that use
   * them.
   */
  TlsSettings settings(
      PemCredentials credentials, String name, MinVersion minVersion, Engine engine)
      throws Exception {
    Path cert = dir.resolve(name + ".pem");
    Path key = dir.resolve(name + ".key");
    SelfSignedCertificate.write(credentials, cert, key);
    return new TlsSettings(
        cert, key, null, null, minVersion, dir.resolve("self-signed"), "ns.test", engine, null);
  }

  static void assumeEngine(Engine engine) {
    assumeTrue(
        engine != Engine.OPENSSL || OpenSsl.isAvailable(), "netty-tcnative does not load here");
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"JDK", "OPENSSL"})
  void theConfiguredCertificateIsServedWithAlpnDotOverTls13(Engine engine) throws Exception {
    assumeEngine(engine);
    PemCredentials served = SelfSignedCertificate.generate("ns.test");
    ServerTlsContext context =
        ServerTlsContext.create(settings(served, "server", MinVersion.TLS_1_2, engine));
    assertEquals(engine == Engine.JDK ? SslProvider.JDK : SslProvider.OPENSSL, context.engine());
    assertEquals(SpkiPin.of(served.leaf()), context.spkiPin());

    SSLEngine client = InMemoryTls.client(served.leaf(), null);
    InMemoryTls.handshake(client, InMemoryTls.server(context));
    assertEquals(served.leaf(), client.getSession().getPeerCertificates()[0]);
    assertEquals("TLSv1.3", client.getSession().getProtocol());
    assertEquals(ServerTlsContext.ALPN_DOT, client.getApplicationProtocol());
  }

  @ParameterizedTest
  @EnumSource(
      value = Engine.class,
      names = {"JDK", "OPENSSL"})
  void tls12IsRefusedOnlyWhenTheMinimumIsTls13(Engine engine) throws Exception {
    assumeEngine(engine);
    PemCredentials served = SelfSignedCertificate.generate("ns.test");
    ServerTlsContext both =
        ServerTlsContext.create(settings(served, "both", MinVersion.TLS_1_2, engine));
    SSLEngine old = InMemoryTls.client(served.leaf(), null, "TLSv1.2");
    InMemoryTls.handshake(old, InMemoryTls.server(both));
    assertEquals("TLSv1.2", old.getSession().getProtocol());

    ServerTlsContext only13 =
        ServerTlsContext.create(settings(served, "only13", MinVersion.TLS_1_3, engine));
    assertThrows(
        SSLException.class,
        () ->
            InMemoryTls.handshake(
                InMemoryTls.client(served.leaf(), null, "TLSv1.2"), InMemoryTls.server(only13)));
  }

  @Test
  void withoutCertificateASelfSignedOneIsMadeAndServed() throws Exception {
    Path selfSigned = dir.resolve("self-signed");
    ServerTlsContext context =
        ServerTlsContext.create(
            new TlsSettings(
                null,
                null,
                null,
                null,
                MinVersion.TLS_1_2,
                selfSigned,
                "ns.test",
                Engine.JDK,
                null));
    X509Certificate made =
        PemCredentials.readCertificates(selfSigned.resolve(SelfSignedCertificate.CERT_FILE)).get(0);
    assertEquals("CN=ns.test", made.getSubjectX500Principal().getName());
    assertEquals(SpkiPin.of(made), context.spkiPin());
    SSLEngine client = InMemoryTls.client(made, null);
    InMemoryTls.handshake(
        client, InMemoryTls.server(context)); // the client checks the name ns.test too
    assertEquals(made, client.getSession().getPeerCertificates()[0]);
  }

  @Test
  void reloadSwapsInNewFilesAndKeepsTheOldContextWhenTheyAreBad() throws Exception {
    PemCredentials first = SelfSignedCertificate.generate("ns.test");
    TlsSettings settings = settings(first, "server", MinVersion.TLS_1_2, Engine.JDK);
    ServerTlsContext context = ServerTlsContext.create(settings);

    PemCredentials second = SelfSignedCertificate.generate("ns.test");
    SelfSignedCertificate.write(second, settings.certificate(), settings.key());
    context.reload();
    assertEquals(SpkiPin.of(second.leaf()), context.spkiPin());
    SSLEngine client = InMemoryTls.client(second.leaf(), null);
    InMemoryTls.handshake(client, InMemoryTls.server(context));
    assertEquals(
        second.leaf(),
        client.getSession().getPeerCertificates()[0],
        "new connections get the new certificate");

    // A certificate whose key is not the one in the key file: refused, naming the file, old context
    // kept.
    SelfSignedCertificate.write(
        SelfSignedCertificate.generate("ns.test"),
        settings.certificate(),
        dir.resolve("other.key"));
    TlsConfigException bad = assertThrows(TlsConfigException.class, context::reload);
    assertTrue(bad.getMessage().startsWith(settings.key() + ": "), bad.getMessage());
    assertEquals(SpkiPin.of(second.leaf()), context.spkiPin());
    SSLEngine after = InMemoryTls.client(second.leaf(), null);
    InMemoryTls.handshake(after, InMemoryTls.server(context));
    assertEquals(
        second.leaf(),
        after.getSession().getPeerCertificates()[0],
        "still served after the bad reload");
  }

  @Test
  void autoIsOpensslWhenItLoads() throws Exception {
    assertEquals(SslProvider.JDK, ServerTlsContext.engine(Engine.JDK));
    assertEquals(
        OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK,
        ServerTlsContext.engine(Engine.AUTO));
  }

  @Test
  void ocspStaplingNeedsTheOpensslEngine() throws Exception {
    PemCredentials served = SelfSignedCertificate.generate("ns.test");
    TlsSettings jdk = settings(served, "server", MinVersion.TLS_1_2, Engine.JDK);
    Path ocsp =
        Files.write(
            dir.resolve("ocsp.der"),
            new byte[] {0x30, 0x03, 0x0a, 0x01, 0x00}); // a DER OCSPResponse shell
    TlsConfigException e =
        assertThrows(
            TlsConfigException.class,
            () ->
                ServerTlsContext.create(
                    new TlsSettings(
                        jdk.certificate(),
                        jdk.key(),
                        null,
                        null,
                        MinVersion.TLS_1_2,
                        jdk.selfSignedDir(),
                        "ns.test",
                        Engine.JDK,
                        ocsp)));
    assertEquals(
        ocsp + ": OCSP stapling needs the OpenSSL engine (tls.engine: auto or openssl)",
        e.getMessage());
  }
}
