package org.cairndns.server.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

class KeepaliveOptionTest {
  static final Name WWW = Name.fromConstantString("www.fx.test.");

  static Message answer(EDNSOption... options) throws Exception {
    Message m = Message.newQuery(Record.newRecord(WWW, Type.A, DClass.IN));
    m.getHeader().setFlag(Flags.QR);
    m.addRecord(
        new ARecord(WWW, DClass.IN, 300, java.net.InetAddress.getByName("192.0.2.80")),
        Section.ANSWER);
    m.addRecord(
        new NSRecord(
            Name.fromConstantString("fx.test."),
            DClass.IN,
            300,
            Name.fromConstantString("ns1.fx.test.")),
        Section.AUTHORITY);
    m.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(options)), Section.ADDITIONAL);
    return m;
  }

  static GenericEDNSOption keepalive(int units) {
    return new GenericEDNSOption(
        KeepaliveOption.CODE, new byte[] {(byte) (units >>> 8), (byte) units});
  }

  static int units(byte[] wire) throws Exception {
    byte[] o = new Message(wire).getOPT().getOptions(KeepaliveOption.CODE).get(0).toWire();
    return ((o[4] & 0xFF) << 8) | (o[5] & 0xFF);
  }

  @Test
  void theTimeoutBecomesZeroInACopy() throws Exception {
    // after another option, behind compressed names in every section
    byte[] wire = answer(new GenericEDNSOption(10, new byte[8]), keepalive(100)).toWire();
    byte[] before = wire.clone();
    byte[] patched = KeepaliveOption.withZeroTimeout(wire);
    assertEquals(0, units(patched));
    assertEquals(before.length, patched.length);
    assertArrayEquals(before, wire, "the original (maybe cached) response is left alone");
  }

  @Test
  void responsesWithoutTheOptionAreReturnedAsTheyAre() throws Exception {
    byte[] noOption = answer().toWire();
    assertSame(noOption, KeepaliveOption.withZeroTimeout(noOption));
    Message plain = answer();
    plain.removeRecord(plain.getOPT(), Section.ADDITIONAL);
    byte[] noOpt = plain.toWire();
    assertSame(noOpt, KeepaliveOption.withZeroTimeout(noOpt));
  }

  @Test
  void signedResponsesAreNotTouched() throws Exception {
    Message m = answer(keepalive(100));
    m.setTSIG(new TSIG(TSIG.HMAC_SHA256, "k.", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"));
    byte[] wire = m.toWire(65535); // signs
    assertEquals(Type.TSIG, new Message(wire).getSection(Section.ADDITIONAL).get(1).getType());
    assertSame(wire, KeepaliveOption.withZeroTimeout(wire), "the MAC covers the OPT record");
  }

  @Test
  void truncatedOrMalformedInputIsLeftAlone() throws Exception {
    byte[] wire = answer(keepalive(100)).toWire();
    for (int cut = 0; cut < wire.length; cut++) {
      byte[] part = java.util.Arrays.copyOf(wire, cut);
      assertSame(part, KeepaliveOption.withZeroTimeout(part), "cut at " + cut);
    }
  }
}
