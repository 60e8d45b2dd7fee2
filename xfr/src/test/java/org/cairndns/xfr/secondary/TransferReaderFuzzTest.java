package org.cairndns.xfr.secondary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.cairndns.zone.store.Serials;
import org.cairndns.zone.wire.WireMessage;
import org.xbill.DNS.Name;
import org.xbill.DNS.WireParseException;

/**
 * Any bytes as the TCP stream of a transfer response (each message behind its two-byte length, as
 * RFC 1035 §4.2.2 frames it), read as an AXFR and as an IXFR from serial {@value #OUR_SERIAL}: a
 * result or a {@link TransferFailure}, nothing else. See docs/fuzzing.md.
 */
class TransferReaderFuzzTest {
  static final Name ZONE = Name.fromConstantString("r.test.");
  static final long OUR_SERIAL = 1;

  @FuzzTest
  void readResponseStream(byte[] stream) throws TransferFailure {
    read(stream, -1);
    read(stream, OUR_SERIAL);
  }

  private static void read(byte[] stream, long ourSerial) throws TransferFailure {
    TransferReader reader = new TransferReader(ZONE, ourSerial);
    boolean done = false;
    try {
      for (int p = 0; p + 2 <= stream.length && !done; ) {
        int length = ((stream[p] & 0xFF) << 8) | (stream[p + 1] & 0xFF);
        int end = Math.min(stream.length, p + 2 + length); // a short last frame is a cut connection
        byte[] message = Arrays.copyOfRange(stream, p + 2, end);
        p = end;
        WireMessage.keepaliveMillis(message); // the client reads it from every response
        done = reader.feed(message);
      }
    } catch (TransferFailure | WireParseException expected) {
      return;
    }
    if (!done) {
      assertThrows(TransferFailure.class, reader::result, "a stream that ends early is a failure");
      return;
    }
    TransferReader.Result result;
    try {
      result = reader.result();
    } catch (TransferFailure expected) {
      return;
    }
    if (result instanceof TransferReader.Result.Full full) {
      assertEquals(full.serial(), full.snapshot().serial());
      assertEquals(ZONE, full.snapshot().origin());
      assertTrue(full.snapshot().size() >= 1);
    } else if (result instanceof TransferReader.Result.Incremental incremental) {
      assertTrue(ourSerial >= 0, "an AXFR request is answered with the whole zone");
      long serial = ourSerial;
      for (var step : incremental.steps()) {
        assertEquals(serial, step.fromSerial());
        assertTrue(Serials.isNewer(step.toSerial(), step.fromSerial()));
        serial = step.toSerial();
      }
    } else if (result instanceof TransferReader.Result.UpToDate upToDate) {
      assertTrue(ourSerial >= 0);
      assertFalse(Serials.isNewer(upToDate.serial(), ourSerial));
    }
  }
}
