package org.cairndns.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of DNS-over-TLS and XoT: TLS 1.3 (and 1.2 unless disabled), ALPN {@code dot}
 * (clients without ALPN accepted, as RFC 7858 allows), session tickets, optional client
 * certificates. Reloadable: {@link #reload()} swaps in new files for new connections and keeps the
 * old context when the new files are bad.
 */
public final class ServerTlsContext {
  private static final Logger log = LoggerFactory.getLogger(ServerTlsContext.class);
  public static final String ALPN_DOT = "dot";

  /** The settings of the context in use: a reload with new ones swaps both together. */
  private volatile TlsSettings settings;

  private final AtomicReference<Loaded> current = new AtomicReference<>();

  private record Loaded(
      SslContext context, PemCredentials credentials, SslProvider engine, byte[] ocsp) {}

  private ServerTlsContext(TlsSettings settings) {
    this.settings = settings;
  }

  public static ServerTlsContext create(TlsSettings settings) throws TlsConfigException {
    ServerTlsContext ctx = new ServerTlsContext(settings);
    ctx.current.set(load(settings));
    return ctx;
  }

  /** Re-reads certificate and key; on failure the previous context stays in use. */
  public synchronized void reload() throws TlsConfigException {
    current.set(load(settings));
  }

  /**
   * Loads {@code next} (a reload changed the configuration's {@code tls} keys) for new connections;
   * on failure the previous settings and context stay in use.
   */
  public synchronized void reload(TlsSettings next) throws TlsConfigException {
    current.set(load(next));
    settings = next;
  }

  public String spkiPin() {
    return SpkiPin.of(current.get().credentials().leaf());
  }

  /** When the certificate in use stops being valid (its notAfter). */
  public java.time.Instant certificateExpiry() {
    return current.get().credentials().leaf().getNotAfter().toInstant();
  }

  /** The TLS engine in use (OpenSSL or JDK). */
  public SslProvider engine() {
    return current.get().engine();
  }

  public SslHandler newHandler(ByteBufAllocator alloc, Duration handshakeTimeout) {
    Loaded loaded = current.get();
    SslHandler handler = loaded.context().newHandler(alloc);
    if (loaded.ocsp() != null
        && handler.engine() instanceof io.netty.handler.ssl.ReferenceCountedOpenSslEngine openssl) {
      openssl.setOcspResponse(loaded.ocsp());
    }
    handler.setHandshakeTimeout(handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    return handler;
  }

  /** {@code AUTO}: OpenSSL (BoringSSL from netty-tcnative) when it loads, else the JDK's engine. */
  static SslProvider engine(TlsSettings.Engine choice) throws TlsConfigException {
    return switch (choice) {
      case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
      case OPENSSL -> {
        if (!OpenSsl.isAvailable()) {
          throw new TlsConfigException(
              "tls.engine is openssl but netty-tcnative did not load: "
                  + OpenSsl.unavailabilityCause());
        }
        yield SslProvider.OPENSSL;
      }
      case JDK -> SslProvider.JDK;
    };
  }

  private static Loaded load(TlsSettings settings) throws TlsConfigException {
    PemCredentials credentials =
        settings.certificate() != null
            ? PemCredentials.read(settings.certificate(), settings.key(), settings.keyPassword())
            : SelfSignedCertificate.loadOrCreate(settings.selfSignedDir(), settings.hostname());
    SslProvider provider = engine(settings.engine());
    List<String> protocols =
        settings.minVersion() == TlsSettings.MinVersion.TLS_1_3
            ? List.of("TLSv1.3")
            : List.of("TLSv1.3", "TLSv1.2");
    try {
      SslContextBuilder b =
          SslContextBuilder.forServer(
                  credentials.key(),
                  credentials.chain().toArray(new java.security.cert.X509Certificate[0]))
              .sslProvider(provider)
              .protocols(protocols)
              .applicationProtocolConfig(
                  new ApplicationProtocolConfig(
                      ApplicationProtocolConfig.Protocol.ALPN,
                      ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                      ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                      ALPN_DOT));
      byte[] ocsp = null;
      if (settings.ocspResponse() != null) {
        if (provider != SslProvider.OPENSSL) {
          throw new TlsConfigException(
              settings.ocspResponse()
                  + ": OCSP stapling needs the OpenSSL engine (tls.engine: auto or openssl)");
        }
        try {
          ocsp = java.nio.file.Files.readAllBytes(settings.ocspResponse());
        } catch (java.io.IOException e) {
          throw new TlsConfigException(
              settings.ocspResponse() + ": cannot read OCSP response: " + e.getMessage(), e);
        }
        b.enableOcsp(true);
      }
      if (settings.clientCa() != null) {
        b.trustManager(
                PemCredentials.readCertificates(settings.clientCa())
                    .toArray(new java.security.cert.X509Certificate[0]))
            .clientAuth(ClientAuth.OPTIONAL);
      }
      SslContext context = b.build();
      log.info(
          "event=tls-context engine={} protocols={} subject=\"{}\" spki_pin={}",
          provider,
          protocols,
          credentials.leaf().getSubjectX500Principal().getName(),
          SpkiPin.of(credentials.leaf()));
      return new Loaded(context, credentials, provider, ocsp);
    } catch (SSLException e) {
      throw new TlsConfigException("cannot build the TLS context: " + e.getMessage(), e);
    }
  }
}
