package org.cairndns.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Server TLS settings. Without certificate and key, a self-signed certificate is made in {@code
 * selfSignedDir}.
 *
 * @param clientCa CA certificates that client certificates must chain to (mutual TLS), or null
 * @param minVersion the oldest TLS version accepted
 * @param engine the TLS implementation
 * @param ocspResponse a DER OCSP response for the certificate to staple (OpenSSL engine), or null;
 *     kept fresh by whoever fetches it (as with nginx's ssl_stapling_file), re-read on reload
 */
public record TlsSettings(
    Path certificate,
    Path key,
    String keyPassword,
    Path clientCa,
    MinVersion minVersion,
    Path selfSignedDir,
    String hostname,
    Engine engine,
    Path ocspResponse) {

  public TlsSettings {
    Objects.requireNonNull(minVersion, "minVersion");
    Objects.requireNonNull(engine, "engine");
  }

  /** The oldest TLS version accepted; TLS 1.3 is always offered. */
  public enum MinVersion {
    TLS_1_2("TLSv1.2"),
    TLS_1_3("TLSv1.3");

    private final String protocol;

    MinVersion(String protocol) {
      this.protocol = protocol;
    }

    /** As JSSE and the configuration name it: {@code TLSv1.2}. */
    public String protocol() {
      return protocol;
    }
  }

  /** The TLS implementation. */
  public enum Engine {
    /** OpenSSL (BoringSSL from netty-tcnative) when it loads, else the JDK's. */
    AUTO,
    /** OpenSSL, or no start when netty-tcnative does not load. */
    OPENSSL,
    JDK
  }
}
