package org.cairndns.server;

import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.cairndns.tls.PemCredentials;

/**
 * A certificate authority for tests (BouncyCastle, ECDSA P-256, valid for a day) and the
 * certificates it issues.
 */
public final class TestCa {
  private final X500Name name;
  private final KeyPair key;
  private final X509Certificate certificate;
  private final AtomicLong serials = new AtomicLong(1);

  private TestCa(X500Name name, KeyPair key, X509Certificate certificate) {
    this.name = name;
    this.key = key;
    this.certificate = certificate;
  }

  public static TestCa create(String commonName) throws Exception {
    X500Name name = new X500Name("CN=" + commonName);
    KeyPair key = ecKey();
    X509Certificate certificate =
        sign(
            new JcaX509v3CertificateBuilder(
                    name, BigInteger.ONE, notBefore(), notAfter(), name, key.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true)),
            key);
    return new TestCa(name, key, certificate);
  }

  /**
   * A server certificate for {@code dnsName} (subject CN and DNS subjectAltName) and its key; the
   * chain ends with this CA.
   */
  public PemCredentials issue(String dnsName) throws Exception {
    KeyPair leafKey = ecKey();
    X509Certificate leaf =
        sign(
            new JcaX509v3CertificateBuilder(
                    name,
                    BigInteger.valueOf(serials.incrementAndGet()),
                    notBefore(),
                    notAfter(),
                    new X500Name("CN=" + dnsName),
                    leafKey.getPublic())
                .addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName))),
            key);
    return new PemCredentials(List.of(leaf, certificate), leafKey.getPrivate());
  }

  /** Writes the CA certificate as PEM (what {@code tls-ca} and {@code tls.client-ca} read). */
  public Path writeCertificate(Path file) throws Exception {
    try (Writer w = Files.newBufferedWriter(file);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(certificate);
    }
    return file;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public KeyPair key() {
    return key;
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static KeyPair ecKey() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static Date notBefore() {
    return Date.from(Instant.now().minus(Duration.ofHours(1)));
  }

  private static Date notAfter() {
    return Date.from(Instant.now().plus(Duration.ofDays(1)));
  }
}
