package org.cairndns.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

class QtypeBucketsTest {
  static byte[] query(String name, int type) throws Exception {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)).toWire();
  }

  @Test
  void namedTypesHaveTheirBucketAndTheRestAreOther() throws Exception {
    assertEquals("A", QtypeBuckets.label(QtypeBuckets.of(query("www.example.", Type.A))));
    assertEquals("AAAA", QtypeBuckets.label(QtypeBuckets.of(query("example.", Type.AAAA))));
    assertEquals("IXFR", QtypeBuckets.label(QtypeBuckets.of(query("example.", Type.IXFR))));
    assertEquals("ANY", QtypeBuckets.label(QtypeBuckets.of(query(".", Type.ANY))));
    assertEquals("other", QtypeBuckets.label(QtypeBuckets.of(query("example.", Type.HINFO))));
    assertEquals("other", QtypeBuckets.label(QtypeBuckets.of(query("example.", 65_535))));
  }

  @Test
  void randomTypesStayWithinTheFixedBuckets() throws Exception {
    Random random = new Random(7);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      seen.add(QtypeBuckets.of(query("x.example.", random.nextInt(65_536))));
    }
    for (int bucket : seen) {
      assertEquals(true, bucket >= 0 && bucket < QtypeBuckets.COUNT, "bucket " + bucket);
    }
  }

  @Test
  void hostileRequestsAreOtherAndNeverThrow() throws Exception {
    byte[] ok = query("www.example.", Type.A);
    assertEquals(QtypeBuckets.OTHER, QtypeBuckets.of(new byte[0]));
    assertEquals(QtypeBuckets.OTHER, QtypeBuckets.of(new byte[11]));
    byte[] noQuestion = Arrays.copyOf(ok, ok.length);
    noQuestion[4] = 0;
    noQuestion[5] = 0;
    assertEquals(QtypeBuckets.OTHER, QtypeBuckets.of(noQuestion));
    for (int cut = 12; cut < ok.length - 2; cut++) { // every cut short of the whole type
      assertEquals(QtypeBuckets.OTHER, QtypeBuckets.of(Arrays.copyOf(ok, cut)), "cut " + cut);
    }
    byte[] longLabel = Arrays.copyOf(ok, ok.length);
    longLabel[12] = (byte) 0x3F; // a label running past the end
    assertEquals(QtypeBuckets.OTHER, QtypeBuckets.of(longLabel));
    // A compression pointer in the question ends the name; the type follows it.
    byte[] pointer = Arrays.copyOf(ok, 18);
    pointer[12] = (byte) 0xC0;
    pointer[13] = 12;
    pointer[14] = 0;
    pointer[15] = (byte) Type.MX;
    assertEquals("MX", QtypeBuckets.label(QtypeBuckets.of(pointer)));
    Random random = new Random(3);
    for (int i = 0; i < 10_000; i++) {
      byte[] junk = new byte[random.nextInt(64)];
      random.nextBytes(junk);
      int bucket = QtypeBuckets.of(junk);
      assertEquals(true, bucket >= 0 && bucket < QtypeBuckets.COUNT);
    }
  }
}
