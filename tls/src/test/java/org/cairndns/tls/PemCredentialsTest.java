package org.cairndns.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keys and certificates made here with BouncyCastle, written as PEM the way OpenSSL writes them.
 */
class PemCredentialsTest {
  @TempDir Path dir;

  static KeyPair keyPair(String algorithm) throws Exception {
    if (algorithm.equals("EC")) {
      // As `openssl ecparam -genkey -name prime256v1` makes it: a named curve in the key itself.
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
      g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    }
    KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
    if (algorithm.equals("RSA")) {
      g.initialize(2048);
    }
    return g.generateKeyPair();
  }

  static X509Certificate certificate(KeyPair pair, String algorithm) throws Exception {
    String sig =
        switch (algorithm) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> "Ed25519";
        };
    X500Name name = new X500Name("CN=pem.test");
    Instant now = Instant.now();
    return new JcaX509CertificateConverter()
        .getCertificate(
            new JcaX509v3CertificateBuilder(
                    name,
                    BigInteger.ONE,
                    Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(1))),
                    name,
                    pair.getPublic())
                .build(new JcaContentSignerBuilder(sig).build(pair.getPrivate())));
  }

  Path write(String file, Object pem) throws Exception {
    Path p = dir.resolve(file);
    try (Writer w = Files.newBufferedWriter(p);
        JcaPEMWriter out = new JcaPEMWriter(w)) {
      out.writeObject(pem);
    }
    return p;
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "RSA, pkcs1",
    "RSA, pkcs8",
    "EC, pkcs1",
    "EC, pkcs8",
    "Ed25519, pkcs8",
    "RSA, encrypted",
    "EC, encrypted",
    "Ed25519, encrypted"
  })
  void everyKeyKindAndForm(String algorithm, String form) throws Exception {
    KeyPair pair = keyPair(algorithm);
    X509Certificate cert = certificate(pair, algorithm);
    Path certFile = write("cert.pem", cert);
    Path keyFile =
        switch (form) {
          case "pkcs1" -> write("key.pem", pair.getPrivate()); // "BEGIN RSA/EC PRIVATE KEY"
          case "pkcs8" -> write("key.pem", new JcaPKCS8Generator(pair.getPrivate(), null));
          default ->
              write(
                  "key.pem",
                  new JcaPKCS8Generator(
                      pair.getPrivate(),
                      new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                          .setProvider(new BouncyCastleProvider())
                          .setPassword("s3cret".toCharArray())
                          .build()));
        };
    String header = Files.readString(keyFile).lines().findFirst().orElseThrow();
    assertTrue(
        form.equals("pkcs1")
            ? !header.contains("BEGIN PRIVATE KEY")
            : header.contains("PRIVATE KEY"),
        header);
    PemCredentials creds =
        PemCredentials.read(certFile, keyFile, form.equals("encrypted") ? "s3cret" : null);
    assertEquals(cert, creds.leaf());
    if (form.equals("encrypted")) {
      TlsConfigException wrong =
          assertThrows(
              TlsConfigException.class, () -> PemCredentials.read(certFile, keyFile, "nope"));
      assertTrue(wrong.getMessage().startsWith(keyFile + ": "), wrong.getMessage());
      TlsConfigException none =
          assertThrows(
              TlsConfigException.class, () -> PemCredentials.read(certFile, keyFile, null));
      assertTrue(none.getMessage().contains("set tls.key-password"), none.getMessage());
    }
  }

  @Test
  void aKeyThatDoesNotMatchIsRefusedNamingTheFiles() throws Exception {
    KeyPair a = keyPair("EC");
    KeyPair b = keyPair("EC");
    Path certFile = write("cert.pem", certificate(a, "EC"));
    Path keyFile = write("key.pem", new JcaPKCS8Generator(b.getPrivate(), null));
    TlsConfigException e =
        assertThrows(TlsConfigException.class, () -> PemCredentials.read(certFile, keyFile, null));
    assertEquals(
        keyFile + ": private key does not match the certificate in " + certFile, e.getMessage());
    Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
    assertTrue(
        assertThrows(
                TlsConfigException.class,
                () -> PemCredentials.readCertificates(dir.resolve("empty.pem")))
            .getMessage()
            .endsWith("empty.pem: no PEM certificate in the file"));
    assertTrue(
        assertThrows(
                TlsConfigException.class,
                () -> PemCredentials.read(dir.resolve("missing.pem"), keyFile, null))
            .getMessage()
            .contains("missing.pem: cannot read certificate"));
  }

  /** A key whose match cannot be checked was taken unchecked, a wrong one included. */
  @Test
  void aKeyOfAnotherAlgorithmIsRefusedNotTakenUnchecked() throws Exception {
    KeyPair a = keyPair("DSA");
    KeyPair b = keyPair("DSA");
    X500Name name = new X500Name("CN=dsa.test");
    Instant now = Instant.now();
    X509Certificate cert =
        new JcaX509CertificateConverter()
            .getCertificate(
                new JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.ONE,
                        Date.from(now.minus(Duration.ofHours(1))),
                        Date.from(now.plus(Duration.ofDays(1))),
                        name,
                        a.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withDSA").build(a.getPrivate())));
    Path certFile = write("cert.pem", cert);
    Path keyFile = write("key.pem", new JcaPKCS8Generator(b.getPrivate(), null));
    TlsConfigException e =
        assertThrows(TlsConfigException.class, () -> PemCredentials.read(certFile, keyFile, null));
    assertEquals(
        keyFile + ": private key algorithm DSA is not supported (RSA, EC, Ed25519 or Ed448 are)",
        e.getMessage());
  }

  @Test
  void selfSignedIsMadeOnceAndReused() throws Exception {
    PemCredentials first = SelfSignedCertificate.loadOrCreate(dir.resolve("tls"), "ns.test");
    PemCredentials again = SelfSignedCertificate.loadOrCreate(dir.resolve("tls"), "ns.test");
    assertEquals(first.leaf(), again.leaf());
    assertEquals("EC", first.key().getAlgorithm());
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve("tls/key.pem"))));
  }
}
