package org.cairndns.tls;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate Cairn makes for itself when none is configured: ECDSA P-256, one year, written as
 * {@code cert.pem}/{@code key.pem} in a folder and reused while it is valid.
 */
public final class SelfSignedCertificate {
  private static final Logger log = LoggerFactory.getLogger(SelfSignedCertificate.class);
  public static final String CERT_FILE = "cert.pem";
  public static final String KEY_FILE = "key.pem";

  private SelfSignedCertificate() {}

  /** Reuses {@code dir/cert.pem} and {@code dir/key.pem} when valid, else makes new ones. */
  public static PemCredentials loadOrCreate(Path dir, String hostname) throws TlsConfigException {
    Path cert = dir.resolve(CERT_FILE);
    Path key = dir.resolve(KEY_FILE);
    if (Files.exists(cert) && Files.exists(key)) {
      PemCredentials existing = PemCredentials.read(cert, key, null);
      if (existing
          .leaf()
          .getNotAfter()
          .toInstant()
          .isAfter(Instant.now().plus(Duration.ofDays(1)))) {
        return existing;
      }
      log.info("event=self-signed-expired file={} (making a new one)", cert);
    }
    PemCredentials made = generate(hostname);
    write(made, cert, key);
    log.info("event=self-signed-created file={} spki_pin={}", cert, SpkiPin.of(made.leaf()));
    return made;
  }

  public static PemCredentials generate(String hostname) throws TlsConfigException {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair pair = gen.generateKeyPair();
      Instant now = Instant.now();
      X500Name subject = new X500Name("CN=" + hostname);
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(64, new SecureRandom()),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(365))),
              subject,
              pair.getPublic());
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(new GeneralName(GeneralName.dNSName, hostname)));
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
      return new PemCredentials(List.of(cert), pair.getPrivate());
    } catch (Exception e) {
      throw new TlsConfigException(
          "cannot generate a self-signed certificate: " + e.getMessage(), e);
    }
  }

  /**
   * Writes the certificate and, through a file created with mode 0600, the key; a folder it makes
   * is mode 0700. The modes are set as the files are created, so the key is never readable by
   * others, not even for a moment.
   */
  public static void write(PemCredentials credentials, Path certFile, Path keyFile)
      throws TlsConfigException {
    try {
      Path parent = certFile.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent, ownerOnly(parent, "rwx------"));
      }
      try (Writer w = Files.newBufferedWriter(certFile);
          JcaPEMWriter pem = new JcaPEMWriter(w)) {
        for (X509Certificate c : credentials.chain()) {
          pem.writeObject(c);
        }
      }
      Files.deleteIfExists(keyFile);
      try (Writer w =
              Channels.newWriter(
                  Files.newByteChannel(
                      keyFile,
                      EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                      ownerOnly(keyFile, "rw-------")),
                  StandardCharsets.US_ASCII);
          JcaPEMWriter pem = new JcaPEMWriter(w)) {
        pem.writeObject(
            new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(credentials.key(), null));
      }
    } catch (IOException e) {
      throw new TlsConfigException(
          "cannot write " + certFile + " / " + keyFile + ": " + e.getMessage(), e);
    }
  }

  /** The creation attribute for {@code permissions}, none on a file system without POSIX modes. */
  private static FileAttribute<?>[] ownerOnly(Path path, String permissions) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix")
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))
        }
        : new FileAttribute<?>[0];
  }
}
