package org.cairndns.xfr.secondary;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.cairndns.tls.PemCredentials;
import org.cairndns.tls.SpkiPin;
import org.cairndns.tls.TlsConfigException;

/**
 * Client sockets to primaries: plain TCP, or TLS 1.3 with ALPN {@code dot} authenticated as RFC
 * 9103 asks: strict (SPKI pin or CA plus expected name; a failure is a failure, never a fallback to
 * clear text), opportunistic (encrypted, not authenticated), with an optional client certificate.
 */
final class TlsClientSockets {
  private TlsClientSockets() {}

  /** A connection set up as {@code p} says; the TLS handshake, if any, is done when it returns. */
  static Socket open(ConnectionPolicy p, int timeoutMillis) throws IOException {
    Socket plain = new Socket();
    try {
      plain.connect(p.address(), timeoutMillis);
    } catch (IOException e) {
      plain.close();
      throw e;
    }
    plain.setTcpNoDelay(true);
    if (!p.tls()) {
      return plain;
    }
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keyManagers(p), new TrustManager[] {trustManager(p)}, null);
      InetSocketAddress a = p.address();
      SSLSocket s =
          (SSLSocket)
              ctx.getSocketFactory()
                  .createSocket(
                      plain,
                      p.tlsName() != null ? p.tlsName() : a.getAddress().getHostAddress(),
                      a.getPort(),
                      true);
      SSLParameters params = s.getSSLParameters();
      params.setApplicationProtocols(new String[] {"dot"});
      params.setProtocols(new String[] {"TLSv1.3"}); // RFC 9103 §9: XoT requires TLS 1.3
      if (p.transport() == ConnectionPolicy.Transport.STRICT_TLS
          && p.caFile() != null
          && p.tlsName() != null) {
        params.setEndpointIdentificationAlgorithm("HTTPS"); // checks the certificate's names
      }
      s.setSSLParameters(params);
      s.setSoTimeout(timeoutMillis);
      s.startHandshake();
      s.setSoTimeout(0);
      return s;
    } catch (GeneralSecurityException | TlsConfigException e) {
      plain.close();
      throw new IOException("TLS to " + p.address() + ": " + e.getMessage(), e);
    } catch (IOException e) {
      plain.close();
      throw e;
    }
  }

  private static javax.net.ssl.KeyManager[] keyManagers(ConnectionPolicy p)
      throws GeneralSecurityException, TlsConfigException, IOException {
    if (p.clientCertificate() == null) {
      return null;
    }
    PemCredentials creds = PemCredentials.read(p.clientCertificate(), p.clientKey(), null);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "client", creds.key(), new char[0], creds.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    return kmf.getKeyManagers();
  }

  private static X509TrustManager trustManager(ConnectionPolicy p)
      throws GeneralSecurityException, TlsConfigException, IOException {
    if (p.transport() == ConnectionPolicy.Transport.OPPORTUNISTIC_TLS) {
      return new Pinned(Set.of(), null); // encrypted, unauthenticated
    }
    X509TrustManager ca = null;
    if (p.caFile() != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      int i = 0;
      for (X509Certificate c : PemCredentials.readCertificates(p.caFile())) {
        ks.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      ca = (X509TrustManager) tmf.getTrustManagers()[0];
    }
    if (ca == null && p.pins().isEmpty()) {
      throw new TlsConfigException("strict XoT to " + p.address() + " needs tls-pins or tls-ca");
    }
    return new Pinned(p.pins(), ca);
  }

  /** Accepts a server whose leaf SPKI pin is listed, or which the CA trust manager accepts. */
  private static final class Pinned implements X509TrustManager {
    private final Set<String> pins;
    private final X509TrustManager ca;

    Pinned(Set<String> pins, X509TrustManager ca) {
      this.pins = pins;
      this.ca = ca;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      if (pins.isEmpty() && ca == null) {
        return; // opportunistic
      }
      if (!pins.isEmpty() && pins.contains(SpkiPin.of(chain[0]))) {
        return;
      }
      if (ca != null) {
        ca.checkServerTrusted(chain, authType);
        return;
      }
      throw new CertificateException(
          "primary's certificate pin "
              + SpkiPin.of(chain[0])
              + " is not among the configured pins");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("client side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
