package org.cairndns.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Base64;

/** RFC 7469 SPKI pin: base64 SHA-256 of the SubjectPublicKeyInfo, as Stubby and kdig take it. */
public final class SpkiPin {
  private SpkiPin() {}

  public static String of(X509Certificate certificate) {
    try {
      byte[] spki = certificate.getPublicKey().getEncoded(); // X.509 SubjectPublicKeyInfo DER
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
