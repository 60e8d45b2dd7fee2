package org.cairndns.tls;

import java.nio.file.Path;

/**
 * Server TLS settings. Without certificate and key, a self-signed certificate is made in {@code
 * selfSignedDir}.
 *
 * @param clientCa CA certificates that client certificates must chain to (mutual TLS), or null
 * @param minVersion {@code TLSv1.2} or {@code TLSv1.3}
 * @param engine {@code auto}, {@code openssl} or {@code jdk}
 */
public record TlsSettings(Path certificate, Path key, String keyPassword, Path clientCa, String minVersion,
    Path selfSignedDir, String hostname, String engine) {}
