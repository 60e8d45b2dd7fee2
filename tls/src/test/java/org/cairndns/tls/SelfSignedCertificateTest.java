package org.cairndns.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificateTest {
  @TempDir Path dir;

  static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void theFolderItMakesAndTheKeyAreOwnerOnly() throws Exception {
    Path tls = dir.resolve("data/tls");
    SelfSignedCertificate.loadOrCreate(tls, "cairn.test");
    assertEquals("rwx------", mode(dir.resolve("data")));
    assertEquals("rwx------", mode(tls));
    assertEquals("rw-------", mode(tls.resolve(SelfSignedCertificate.KEY_FILE)));

    SelfSignedCertificate.write(
        SelfSignedCertificate.generate("other.test"),
        tls.resolve(SelfSignedCertificate.CERT_FILE),
        tls.resolve(SelfSignedCertificate.KEY_FILE));
    assertEquals(
        "rw-------", mode(tls.resolve(SelfSignedCertificate.KEY_FILE)), "a rewritten key too");
    PemCredentials reread = // the key as written reads back with its certificate
        PemCredentials.read(
            tls.resolve(SelfSignedCertificate.CERT_FILE),
            tls.resolve(SelfSignedCertificate.KEY_FILE),
            null);
    assertEquals("CN=other.test", reread.leaf().getSubjectX500Principal().getName());
  }
}
