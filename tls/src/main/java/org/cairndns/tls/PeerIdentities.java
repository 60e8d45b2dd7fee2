package org.cairndns.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Reads the verified client certificate of a TLS session (mutual TLS) as a {@link PeerIdentity}.
 */
public final class PeerIdentities {
  private PeerIdentities() {}

  public static Optional<PeerIdentity> of(SSLSession session) throws SSLPeerUnverifiedException {
    Certificate[] chain = session.getPeerCertificates();
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return Optional.empty();
    }
    return Optional.of(of(leaf));
  }

  public static PeerIdentity of(X509Certificate leaf) {
    return new PeerIdentity(leaf.getSubjectX500Principal().getName(), SpkiPin.of(leaf));
  }
}
