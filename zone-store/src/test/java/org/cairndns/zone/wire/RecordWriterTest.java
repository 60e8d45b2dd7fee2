package org.cairndns.zone.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

class RecordWriterTest {
  private static final Name ORIGIN = Name.fromConstantString("Example.COM.");

  /** One of each type dnsjava compresses, and of types it does not, in mixed case. */
  private static final List<String> RECORDS =
      List.of(
          "@ SOA Ns1.Example.com. HostMaster.example.COM. 2026112901 3600 900 1209600 300",
          "@ NS ns1",
          "@ NS NS2.Other.NET.",
          "@ MX 10 Mail",
          "Www A 192.0.2.1",
          "www AAAA 2001:db8::1",
          "Alias CNAME Www",
          "4.2 PTR Host.Example.com.",
          "Old DNAME New.Example.COM.",
          "_sip._TCP SRV 0 5 5060 SipServer",
          "Txt TXT \"a\" \"B c\"",
          "Sub DS 12345 13 2 " + "49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE6DA0AFA2FC3A4C7B1B0B4D8A",
          "Sig RRSIG A 13 3 300 20261231000000 20261201000000 12345 Example.COM. AAAA",
          "Nsec NSEC Z.Example.COM. A RRSIG NSEC",
          "Rp RP Admin.Example.COM. Txt",
          "Kx KX 5 Mail",
          "Naptr NAPTR 100 10 \"S\" \"SIP+D2U\" \"\" _Sip._Udp",
          "Caa CAA 0 issue \"ca.example\"",
          "Unk TYPE65280 \\# 3 010203");

  /** Names in one case: the compression dnsjava gives a message, byte for byte. */
  @Test
  void writesWhatDnsjavaWritesInAMessage() throws Exception {
    Message message = new Message(7);
    DNSOutput out = header(RECORDS.size());
    NameCompression compression = new NameCompression();
    for (String text : RECORDS) {
      Record r =
          record(text.toLowerCase(java.util.Locale.ROOT), Name.fromConstantString("example.com."));
      message.addRecord(r, Section.ANSWER);
      RecordWriter.write(r, out, compression);
    }
    assertArrayEquals(message.toWire(), out.toByteArray());
  }

  /**
   * Names in mixed case come back as they were written: a suffix is pointed at only when it was
   * written in the same case (dnsjava sends the SOA's {@code Ns1.Example.com.} as {@code
   * Ns1.Example.COM.}, the owner's spelling).
   */
  @Test
  void compressedNamesKeepTheirCase() throws Exception {
    DNSOutput out = header(RECORDS.size());
    NameCompression compression = new NameCompression();
    compression.startMessage();
    List<Record> written = new java.util.ArrayList<>();
    for (String text : RECORDS) {
      Record r = record(text, ORIGIN);
      written.add(r);
      RecordWriter.write(r, out, compression);
    }
    List<Record> read = new Message(out.toByteArray()).getSection(Section.ANSWER);
    for (int i = 0; i < written.size(); i++) {
      assertArrayEquals(
          written.get(i).toWire(Section.ANSWER),
          read.get(i).toWire(Section.ANSWER),
          RECORDS.get(i));
    }
    assertTrue(
        out.current() < written.stream().mapToInt(r -> r.toWire(Section.ANSWER).length).sum(),
        "names are compressed");
  }

  private static DNSOutput header(int answers) {
    DNSOutput out = new DNSOutput();
    out.writeU16(7);
    out.writeU16(0); // flags
    out.writeU16(0);
    out.writeU16(answers);
    out.writeU16(0);
    out.writeU16(0);
    return out;
  }

  @Test
  void uncompressedAsRecordToWire() throws Exception {
    for (String text : RECORDS) {
      Record r = record(text, ORIGIN);
      DNSOutput out = new DNSOutput();
      RecordWriter.write(r, out, null);
      byte[] expected = r.toWire(Section.ANSWER);
      assertArrayEquals(expected, out.toByteArray(), text);

      DNSOutput rdata = new DNSOutput();
      RecordWriter.writeRdata(r, rdata, null);
      assertArrayEquals(
          Arrays.copyOfRange(expected, r.getName().length() + 10, expected.length),
          rdata.toByteArray(),
          text);
    }
  }

  private static Record record(String text, Name origin) throws Exception {
    String[] parts = text.split(" ", 3);
    return Record.fromString(
        parts[0].equals("@") ? origin : Name.fromString(parts[0], origin),
        org.xbill.DNS.Type.value(parts[1]),
        DClass.IN,
        300,
        parts[2],
        origin);
  }
}
