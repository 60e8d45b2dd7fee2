package org.cairndns.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

/** Pins as kdig and Stubby take them, checked against what OpenSSL computes for the same key. */
class SpkiPinTest {
  // Two certificates made with `openssl req -x509` for one P-256 key (CN=pin.test, then
  // CN=other.test).
  static final String PIN_TEST =
      """
      -----BEGIN CERTIFICATE-----
      MIIBfjCCASOgAwIBAgIUSL3rJqBHMsgDYiV9onjyQyifICMwCgYIKoZIzj0EAwIw
      EzERMA8GA1UEAwwIcGluLnRlc3QwIBcNMjYxMTI5MTU1OTIzWhgPMjEyNjExMDUx
      NTU5MjNaMBMxETAPBgNVBAMMCHBpbi50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0D
      AQcDQgAEAgR96u8mBe1ezsd+BXyGGR48ra59eVyoayWAl88auIJ8h9rxQ7kSCKfe
      pmd4gXMHWnL6JOOhkTAgtPbaIYrklaNTMFEwHQYDVR0OBBYEFNu0A3WZ0cDr8Uv2
      9PgrTaAjl/nXMB8GA1UdIwQYMBaAFNu0A3WZ0cDr8Uv29PgrTaAjl/nXMA8GA1Ud
      EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAPgFmissXRqGu1tCROInt7FI
      PvjVTmzFDDHWM/snAzIzAiEA9AB1fPhUnRPUHb6Iq11xhU/fNMjUtujvc8tP7lfl
      D7k=
      -----END CERTIFICATE-----
      """;
  static final String OTHER_TEST_SAME_KEY =
      """
      -----BEGIN CERTIFICATE-----
      MIIBgDCCASegAwIBAgIUUJ+xjjS/wLMLSkM7RRGTe79i2mwwCgYIKoZIzj0EAwIw
      FTETMBEGA1UEAwwKb3RoZXIudGVzdDAgFw0yNjExMjkxNTU5MjNaGA8yMTI2MTEw
      NTE1NTkyM1owFTETMBEGA1UEAwwKb3RoZXIudGVzdDBZMBMGByqGSM49AgEGCCqG
      SM49AwEHA0IABAIEfervJgXtXs7HfgV8hhkePK2ufXlcqGslgJfPGriCfIfa8UO5
      Egin3qZneIFzB1py+iTjoZEwILT22iGK5JWjUzBRMB0GA1UdDgQWBBTbtAN1mdHA
      6/FL9vT4K02gI5f51zAfBgNVHSMEGDAWgBTbtAN1mdHA6/FL9vT4K02gI5f51zAP
      BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIB6d825SylTW4ZQHRV2s
      PqLEkgRgbdasH4haU5w0GBI5AiBtvCfP7J2/3e7t65FJtugUuQWlCqDgeswf5H2U
      5U4BWw==
      -----END CERTIFICATE-----
      """;
  // openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary |
  // base64
  static final String OPENSSL_PIN = "k4Iagzfct9N+L9lPkSn5cG89fDqIMsHRRXV+OB9EkWM=";

  static X509Certificate certificate(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void thePinIsWhatOpensslComputesForTheKey() throws Exception {
    assertEquals(OPENSSL_PIN, SpkiPin.of(certificate(PIN_TEST)));
  }

  @Test
  void thePinFollowsTheKeyNotTheCertificate() throws Exception {
    assertEquals(
        OPENSSL_PIN,
        SpkiPin.of(certificate(OTHER_TEST_SAME_KEY)),
        "re-issued for the same key: same pin");
    assertNotEquals(
        OPENSSL_PIN,
        SpkiPin.of(SelfSignedCertificate.generate("pin.test").leaf()),
        "another key: another pin");
  }
}
