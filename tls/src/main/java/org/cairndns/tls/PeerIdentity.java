package org.cairndns.tls;

/**
 * A TLS client's verified certificate identity (mutual TLS).
 *
 * @param subject the certificate subject distinguished name, RFC 2253 form
 * @param spkiPin base64 SHA-256 of the certificate's SubjectPublicKeyInfo (RFC 7469 pin)
 */
public record PeerIdentity(String subject, String spkiPin) {}
