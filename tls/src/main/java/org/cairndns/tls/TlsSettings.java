package org.cairndns.tls;

import java.nio.file.Path;

/**
 * Server TLS settings. Without certificate and key, a self-signed certificate is made in {@code
 * selfSignedDir}.
 *
 * @param clientCa CA certificates that client certificates must chain to (mutual TLS), or null
 * @param minVersion {@code TLSv1.2} or {@code TLSv1.3}
 * @param engine {@code auto}, {@code openssl} or {@code jdk}
 * @param ocspResponse a DER OCSP response for the certificate to staple (OpenSSL engine), or null;
 *     kept fresh by whoever fetches it (as with nginx's ssl_stapling_file), re-read on reload
 */
public record TlsSettings(Path certificate, Path key, String keyPassword, Path clientCa, String minVersion,
    Path selfSignedDir, String hostname, String engine, Path ocspResponse) {}
