package org.cairndns.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * A certificate chain and its private key read from PEM files with BouncyCastle: RSA, ECDSA and
 * Ed25519 keys in PKCS#1, PKCS#8 or encrypted PKCS#8 form.
 */
public record PemCredentials(List<X509Certificate> chain, PrivateKey key) {
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();

  public X509Certificate leaf() {
    return chain.get(0);
  }

  public static PemCredentials read(Path certificateFile, Path keyFile, String password)
      throws TlsConfigException {
    List<X509Certificate> chain = readCertificates(certificateFile);
    PrivateKey key = readKey(keyFile, password);
    boolean matching;
    try {
      matching = matches(chain.get(0).getPublicKey(), key);
    } catch (TlsConfigException e) {
      throw new TlsConfigException(keyFile + ": " + e.getMessage(), e);
    }
    if (!matching) {
      throw new TlsConfigException(
          keyFile + ": private key does not match the certificate in " + certificateFile);
    }
    return new PemCredentials(List.copyOf(chain), key);
  }

  public static List<X509Certificate> readCertificates(Path file) throws TlsConfigException {
    List<X509Certificate> chain = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(file);
        PEMParser pem = new PEMParser(in)) {
      Object o;
      JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
      while ((o = pem.readObject()) != null) {
        if (o instanceof X509CertificateHolder holder) {
          chain.add(converter.getCertificate(holder));
        }
      }
    } catch (IOException e) {
      throw new TlsConfigException(file + ": cannot read certificate: " + e.getMessage(), e);
    } catch (CertificateException e) {
      throw new TlsConfigException(file + ": not a valid certificate: " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new TlsConfigException(file + ": no PEM certificate in the file");
    }
    return chain;
  }

  public static PrivateKey readKey(Path file, String password) throws TlsConfigException {
    try (Reader in = Files.newBufferedReader(file);
        PEMParser pem = new PEMParser(in)) {
      Object o;
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BC);
      while ((o = pem.readObject()) != null) {
        if (o instanceof PEMKeyPair pair) {
          // SEC1 EC keys may omit the public key; the private key info is always there.
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
          requirePassword(file, password);
          PrivateKeyInfo info =
              encrypted.decryptPrivateKeyInfo(
                  new JceOpenSSLPKCS8DecryptorProviderBuilder()
                      .setProvider(BC)
                      .build(password.toCharArray()));
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMEncryptedKeyPair encrypted) {
          requirePassword(file, password);
          return converter.getPrivateKey(
              encrypted
                  .decryptKeyPair(
                      new JcePEMDecryptorProviderBuilder()
                          .setProvider(BC)
                          .build(password.toCharArray()))
                  .getPrivateKeyInfo());
        }
      }
    } catch (PKCSException | org.bouncycastle.openssl.EncryptionException e) {
      throw new TlsConfigException(
          file + ": cannot decrypt the private key (wrong key-password?)", e);
    } catch (IOException | OperatorCreationException e) {
      throw new TlsConfigException(file + ": cannot read private key: " + e.getMessage(), e);
    }
    throw new TlsConfigException(file + ": no PEM private key in the file");
  }

  private static void requirePassword(Path file, String password) throws TlsConfigException {
    if (password == null) {
      throw new TlsConfigException(file + ": the private key is encrypted; set tls.key-password");
    }
  }

  /**
   * Signs and verifies a probe: the only check that works for every key algorithm. A key of another
   * algorithm is refused rather than let through unchecked.
   */
  static boolean matches(PublicKey publicKey, PrivateKey key) throws TlsConfigException {
    String alg =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC", "ECDSA" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          case "Ed448" -> "Ed448";
          default ->
              throw new TlsConfigException(
                  "private key algorithm "
                      + key.getAlgorithm()
                      + " is not supported (RSA, EC, Ed25519 or Ed448 are)");
        };
    try {
      byte[] probe = "cairn-key-check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(alg, BC);
      signer.initSign(key);
      signer.update(probe);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance(alg, BC);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(sig);
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }
}
