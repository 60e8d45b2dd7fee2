package org.cairndns.zone.dnssec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;

/**
 * BouncyCastle's verification agrees with the JDK's signer (through dnsjava) for every algorithm,
 * and refuses changed data, a changed signature, a signature of the wrong length and a key that is
 * no point of its curve.
 */
class SignatureVerifierTest {
  private static final Name ORIGIN = Name.fromConstantString("v.test.");
  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  @ParameterizedTest
  @ValueSource(
      ints = {
        DNSSEC.Algorithm.ECDSAP256SHA256,
        DNSSEC.Algorithm.ECDSAP384SHA384,
        DNSSEC.Algorithm.ED25519,
        DNSSEC.Algorithm.RSASHA256
      })
  void verifiesWhatTheJdkSignedAndNothingElse(int algorithm) throws Exception {
    Signed signed = Signed.by(algorithm);
    RRset set = signed.rrset();
    RRSIGRecord sig = signed.sig();
    SignatureVerifier verifier = new SignatureVerifier(signed.key());
    assertTrue(verifier.verifies(set, sig));
    assertFalse(verifier.verifies(set("192.0.2.2"), sig), "changed data");
    byte[] flipped = sig.getSignature().clone();
    flipped[flipped.length / 3] ^= 1;
    assertFalse(verifier.verifies(set, withSignature(sig, flipped)), "changed signature");
    assertFalse(
        verifier.verifies(
            set,
            withSignature(sig, Arrays.copyOf(sig.getSignature(), sig.getSignature().length - 1))),
        "a byte short");
    assertFalse(verifier.verifies(set, withSignature(sig, new byte[0])), "empty");
  }

  @ParameterizedTest
  @ValueSource(ints = {DNSSEC.Algorithm.ECDSAP256SHA256, DNSSEC.Algorithm.ED25519})
  void aKeyThatIsNoPointOfItsCurveVerifiesNothing(int algorithm) throws Exception {
    Signed signed = Signed.by(algorithm);
    DNSKEYRecord good = signed.key();
    byte[] bad = good.getKey().clone();
    bad[bad.length - 1] ^= 1; // off the curve (or another Ed25519 key)
    for (byte[] key : new byte[][] {bad, new byte[3], new byte[0]}) {
      DNSKEYRecord broken =
          new DNSKEYRecord(
              ORIGIN, DClass.IN, 300, 256, DNSKEYRecord.Protocol.DNSSEC, algorithm, key);
      assertFalse(new SignatureVerifier(broken).verifies(signed.rrset(), signed.sig()));
    }
  }

  /** An A RRset signed by the JDK (through dnsjava) with a new key of {@code algorithm}. */
  private record Signed(DNSKEYRecord key, RRset rrset, RRSIGRecord sig) {
    static Signed by(int algorithm) throws Exception {
      KeyPair pair = keyPair(algorithm);
      DNSKEYRecord key =
          new DNSKEYRecord(
              ORIGIN,
              DClass.IN,
              300,
              256,
              DNSKEYRecord.Protocol.DNSSEC,
              algorithm,
              pair.getPublic());
      RRset set = set("192.0.2.1");
      return new Signed(
          key, set, DNSSEC.sign(set, key, pair.getPrivate(), NOW, NOW.plusSeconds(86400)));
    }
  }

  private static KeyPair keyPair(int algorithm) throws Exception {
    KeyPairGenerator generator;
    switch (algorithm) {
      case DNSSEC.Algorithm.ECDSAP256SHA256, DNSSEC.Algorithm.ECDSAP384SHA384 -> {
        generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(
            new ECGenParameterSpec(
                algorithm == DNSSEC.Algorithm.ECDSAP256SHA256 ? "secp256r1" : "secp384r1"));
      }
      case DNSSEC.Algorithm.ED25519 -> generator = KeyPairGenerator.getInstance("Ed25519");
      default -> {
        generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
      }
    }
    return generator.generateKeyPair();
  }

  private static RRset set(String address) throws Exception {
    return new RRset(
        new ARecord(
            Name.fromConstantString("www.v.test."),
            DClass.IN,
            300,
            InetAddress.getByName(address)));
  }

  private static RRSIGRecord withSignature(RRSIGRecord sig, byte[] signature) {
    return new RRSIGRecord(
        sig.getName(),
        sig.getDClass(),
        sig.getTTL(),
        sig.getTypeCovered(),
        sig.getAlgorithm(),
        sig.getOrigTTL(),
        sig.getExpire(),
        sig.getTimeSigned(),
        sig.getFootprint(),
        sig.getSigner(),
        signature);
  }
}
