package org.cairndns.server.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.cairndns.server.CairnServer;
import org.cairndns.server.ServerFixture;
import org.cairndns.server.TestCa;
import org.cairndns.tls.PemCredentials;
import org.cairndns.tls.SelfSignedCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configured OCSP response is stapled in the handshake, as `openssl s_client -status` sees. */
class OcspStaplingIT {
  @TempDir Path dir;

  @Test
  void theOcspResponseIsStapled() throws Exception {
    Path openssl = Peers.binary("openssl", "openssl");
    Instant now = Instant.now();
    TestCa testCa = TestCa.create("Test CA");
    PemCredentials chain = testCa.issue("dot.test");
    SelfSignedCertificate.write(chain, dir.resolve("chain.pem"), dir.resolve("key.pem"));
    X509Certificate ca = testCa.certificate();
    X509Certificate server = chain.leaf();
    X509CertificateHolder caHolder = new JcaX509CertificateHolder(ca);
    CertificateID id =
        new CertificateID(
            new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
            caHolder,
            server.getSerialNumber());
    BasicOCSPRespBuilder ocsp = new BasicOCSPRespBuilder(new RespID(caHolder.getSubject()));
    ocsp.addResponse(
        id, CertificateStatus.GOOD, Date.from(now), Date.from(now.plus(Duration.ofHours(12))));
    OCSPResp response =
        new OCSPRespBuilder()
            .build(
                OCSPRespBuilder.SUCCESSFUL,
                ocsp.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(testCa.key().getPrivate()),
                    new X509CertificateHolder[] {caHolder},
                    Date.from(now)));
    Files.write(dir.resolve("ocsp.der"), response.getEncoded());
    Files.writeString(dir.resolve("fx.test.zone"), ServerFixture.ZONE);

    try (CairnServer cairn =
        ServerFixture.startWith(
            dir,
            """
        database: db/cairn
        listen: [127.0.0.1:0]
        tls-listen: [127.0.0.1:0]
        tls: {certificate: chain.pem, key: key.pem, ocsp-response: ocsp.der}
        zones: [{name: fx.test, file: fx.test.zone}]
        """)) {
      int port = cairn.transport().tlsAddresses().get(0).getPort();
      Process p =
          new ProcessBuilder(
                  openssl.toString(),
                  "s_client",
                  "-connect",
                  "127.0.0.1:" + port,
                  "-status",
                  "-alpn",
                  "dot")
              .redirectErrorStream(true)
              .start();
      p.getOutputStream().close();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      String out =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(out.contains("OCSP Response Status: successful"), out);
      assertTrue(out.contains("Cert Status: good"), out);
    }
  }
}
