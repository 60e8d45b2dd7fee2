package org.cairndns.xfr.secondary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * TSIG on multi-message transfers (RFC 8945 §5.3.1) against a primary that signs only the messages
 * the test says: the first and the last message must be signed, at most 99 unsigned in between, and
 * each signature covers the unsigned messages before it.
 */
class TransferTsigIT {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Name ZONE = Name.fromConstantString("tsig.test.");
  static final Name KEY_NAME = Name.fromConstantString("xfr.tsig.test.");
  static final TSIG KEY = key("the secret both sides share!!!!!");

  /** Same name and algorithm, other secret: its MACs do not verify. */
  static final TSIG IMPOSTOR = key("a secret the primary made up....");

  static TSIG key(String secret) {
    return new TSIG(
        TSIG.HMAC_SHA256,
        KEY_NAME,
        Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.US_ASCII)));
  }

  /** How the primary signs one message of the stream. */
  enum Signing {
    SIGNED,
    UNSIGNED,
    BAD_MAC
  }

  /** One message of the AXFR stream: its answer records and how it is signed. */
  record Part(List<Record> records, Signing signing) {}

  /**
   * Signs a response stream as RFC 8945 §5.3.1 says: the first MAC covers the request's MAC, each
   * later one the previous MAC and every unsigned message since (dnsjava's own stream generator
   * signs every message).
   */
  static final class StreamSigner {
    private TSIGRecord previous;
    private final ByteArrayOutputStream unsigned = new ByteArrayOutputStream();
    private boolean first = true;

    StreamSigner(TSIGRecord request) {
      this.previous = request;
    }

    Message next(Message m, Signing signing) {
      byte[] wire = m.toWire();
      unsigned.writeBytes(wire);
      if (signing == Signing.UNSIGNED) {
        return m;
      }
      TSIG key = signing == Signing.SIGNED ? KEY : IMPOSTOR;
      TSIGRecord mac = key.generate(m, unsigned.toByteArray(), Rcode.NOERROR, previous, first);
      m.addRecord(mac, Section.ADDITIONAL);
      previous = mac;
      first = false;
      unsigned.reset();
      return m;
    }
  }

  /** A primary answering SOA queries signed, and AXFR with {@code parts}. */
  static FakePrimary primary(List<Part> parts) throws Exception {
    return new FakePrimary(
        (q, reply) -> {
          assertTrue(q.getTSIG() != null, "the secondary signs its requests");
          StreamSigner signer = new StreamSigner(q.getTSIG());
          if (q.getQuestion().getType() == Type.SOA) {
            reply.send(signer.next(FakePrimary.response(q, soa()), Signing.SIGNED));
            return;
          }
          List<Message> stream = new ArrayList<>();
          for (Part part : parts) {
            stream.add(
                signer.next(
                    FakePrimary.response(q, part.records().toArray(new Record[0])),
                    part.signing()));
          }
          reply.send(stream.toArray(new Message[0]));
        });
  }

  static Record soa() throws Exception {
    return TransfersPerPrimaryIT.zone(ZONE, 2).get(0);
  }

  /** The zone's records from SOA on (SOA, NS, the NS's address), without the closing SOA. */
  static List<Record> zone() throws Exception {
    return TransfersPerPrimaryIT.zone(ZONE, 2);
  }

  static Record host(int i) throws Exception {
    return new ARecord(
        Name.fromString("h" + i, ZONE),
        DClass.IN,
        300,
        java.net.InetAddress.getByName("192.0.2." + (i % 250 + 1)));
  }

  /** Signed zone head, {@code middles} one-record messages signed as said, a signed closing SOA. */
  static List<Part> stream(int middles, Signing middle) throws Exception {
    List<Part> parts = new ArrayList<>();
    parts.add(new Part(zone(), Signing.SIGNED));
    for (int i = 0; i < middles; i++) {
      parts.add(new Part(List.of(host(i)), middle));
    }
    parts.add(new Part(List.of(soa()), Signing.SIGNED));
    return parts;
  }

  static TransferReader.Result transfer(List<Part> parts) throws Exception {
    try (FakePrimary primary = primary(parts);
        PrimaryPool pool = new PrimaryPool(1, 4, (int) TIMEOUT.toMillis())) {
      TransferClient client = new TransferClient(pool, TIMEOUT, null, 1);
      PrimarySettings p = PrimarySettings.tcp(primary.address(), KEY);
      assertEquals(2, client.soaSerial(ZONE, p), "the SOA check verifies");
      return client.transfer(ZONE, -1, null, p);
    }
  }

  static void fails(List<Part> parts, String why) {
    TransferFailure f = assertThrows(TransferFailure.class, () -> transfer(parts));
    assertTrue(f.getMessage().contains("TSIG"), f.getMessage());
    assertTrue(f.getMessage().contains(why), f.getMessage());
  }

  @Test
  void anUnsignedLastMessageWithAnExtraRecordFailsTheTransfer() throws Exception {
    Record extra =
        new TXTRecord(
            Name.fromString("injected", ZONE), DClass.IN, 300, "not from the primary's key holder");
    fails(
        List.of(
            new Part(zone(), Signing.SIGNED), new Part(List.of(extra, soa()), Signing.UNSIGNED)),
        "last message");
  }

  @Test
  void everyMessageSignedTransfers() throws Exception {
    TransferReader.Result.Full full =
        assertInstanceOf(TransferReader.Result.Full.class, transfer(stream(3, Signing.SIGNED)));
    assertEquals(3 + 3, full.snapshot().size());
  }

  @Test
  void ninetyNineUnsignedBetweenSignedOnesTransfer() throws Exception {
    TransferReader.Result.Full full =
        assertInstanceOf(TransferReader.Result.Full.class, transfer(stream(99, Signing.UNSIGNED)));
    assertEquals(3 + 99, full.snapshot().size());
  }

  @Test
  void aHundredUnsignedInARowFail() throws Exception {
    fails(stream(100, Signing.UNSIGNED), "Missing required signature on message #101");
  }

  @Test
  void aBadMacInTheMiddleFails() throws Exception {
    List<Part> parts = stream(3, Signing.SIGNED);
    parts.set(2, new Part(parts.get(2).records(), Signing.BAD_MAC));
    fails(parts, "BADSIG");
  }

  @Test
  void aBadMacOnTheLastMessageFails() throws Exception {
    List<Part> parts = stream(3, Signing.UNSIGNED);
    parts.set(parts.size() - 1, new Part(List.of(soa()), Signing.BAD_MAC));
    fails(parts, "BADSIG");
  }
}
