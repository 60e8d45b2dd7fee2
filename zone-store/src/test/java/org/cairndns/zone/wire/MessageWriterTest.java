package org.cairndns.zone.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

class MessageWriterTest {
  private static final Name ORIGIN = Name.fromConstantString("Example.COM.");
  private static final TSIG KEY =
      new TSIG(TSIG.HMAC_SHA256, "Key.Example.COM.", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0");

  /** Owners, some of them long (an ip6.arpa name has 34 labels), all in mixed case. */
  private static final List<String> OWNERS =
      List.of(
          "@",
          "Www",
          "mail.Sub",
          "Ns1",
          "a.b.c.d.e.f.g.h.Deep",
          "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.Ip6.Arpa.",
          "*.Wild");

  private static final List<String> RDATA =
      List.of(
          "A 192.0.2.%d",
          "AAAA 2001:db8::%d",
          "NS Ns%d",
          "MX %d Mail.Sub",
          "TXT \"text %d\"",
          "SRV 0 5 %d Www",
          "PTR Host%d.Example.com.",
          "SOA Ns1.Example.com. HostMaster.example.COM. %d 3600 900 1209600 300");

  /**
   * With every name in one case, the bytes are dnsjava's {@code toWire(limit)} for every limit from
   * the header's size up to the whole message: compression, RRset grouping (RRSIGs included), TC,
   * the additional section cut without TC, OPT reserved.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void inOneCaseTheBytesAreDnsjavas(long seed) throws Exception {
    Message m = randomResponse(new Random(seed), true);
    int whole = m.toWire().length + 30;
    for (int limit = 0; limit <= whole; limit++) {
      assertArrayEquals(
          m.toWire(limit), MessageWriter.toWire(m, limit), "seed " + seed + " limit " + limit);
    }
  }

  /** Every name comes back in the case it was given; dnsjava spells them like earlier suffixes. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void namesKeepTheirCase(long seed) throws Exception {
    Message m = randomResponse(new Random(seed), false);
    Message read = new Message(MessageWriter.toWire(m, 65535));
    for (int section = Section.QUESTION; section <= Section.ADDITIONAL; section++) {
      assertEquals(spelled(m.getSection(section)), spelled(read.getSection(section)));
    }
    assertTrue(
        MessageWriter.toWire(m, 65535).length < m.toWire().length + uncompressedNames(m) / 2,
        "names are compressed");
  }

  /** The first answer RRset that does not fit sets TC and empties authority; OPT stays. */
  @Test
  void truncatesAtAWholeRRsetAndKeepsOpt() throws Exception {
    Message m = response();
    for (int i = 0; i < 60; i++) {
      m.addRecord(record("Www", String.format(Locale.ROOT, "A 192.0.2.%d", i)), Section.ANSWER);
    }
    m.addRecord(record("Www", "TXT \"small\""), Section.ANSWER);
    m.addRecord(record("@", "NS Ns1"), Section.AUTHORITY);
    m.addRecord(new OPTRecord(1232, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
    Message read = new Message(MessageWriter.toWire(m, 512));
    assertTrue(read.getHeader().getFlag(Flags.TC));
    assertEquals(List.of(), read.getSection(Section.ANSWER), "no part of the A RRset");
    assertEquals(List.of(), read.getSection(Section.AUTHORITY));
    assertEquals(1232, read.getOPT().getPayloadSize());
  }

  /** Glue that does not fit is left out without TC. */
  @Test
  void dropsAdditionalRecordsWithoutTc() throws Exception {
    Message m = response();
    m.addRecord(record("@", "NS Ns1"), Section.ANSWER);
    for (int i = 0; i < 60; i++) {
      m.addRecord(record("Ns1", String.format(Locale.ROOT, "A 192.0.2.%d", i)), Section.ADDITIONAL);
    }
    Message read = new Message(MessageWriter.toWire(m, 512));
    assertFalse(read.getHeader().getFlag(Flags.TC));
    assertEquals(1, read.getSection(Section.ANSWER).size());
    assertEquals(List.of(), read.getSection(Section.ADDITIONAL));
  }

  /** A signed response verifies, whole or truncated, and keeps its case. */
  @ParameterizedTest
  @ValueSource(ints = {65535, 512, 200})
  void signedResponsesVerify(int limit) throws Exception {
    Message query = Message.newQuery(Record.newRecord(ORIGIN, Type.A, DClass.IN));
    query.setTSIG(KEY);
    Message signedQuery = new Message(query.toWire(65535));
    Message m = randomResponse(new Random(limit), false);
    m.getHeader().setID(signedQuery.getHeader().getID());
    byte[] wire = MessageWriter.toWire(m, limit, KEY, signedQuery.getTSIG());
    assertTrue(wire.length <= limit);
    Message read = new Message(wire);
    assertEquals(Rcode.NOERROR, KEY.verify(read, wire, signedQuery.getTSIG()));
    assertTrue(read.isVerified());
    assertEquals(
        spelled(m.getSection(Section.QUESTION)), spelled(read.getSection(Section.QUESTION)));
  }

  /** Limits below a header render nothing, as dnsjava; a bare header with TC just fits. */
  @Test
  void tinyLimits() throws Exception {
    Message m = randomResponse(new Random(9), true);
    assertArrayEquals(new byte[0], MessageWriter.toWire(m, 11));
    Message header = new Message(MessageWriter.toWire(m, 12));
    assertTrue(header.getHeader().getFlag(Flags.TC));
    assertEquals(0, header.getHeader().getCount(Section.QUESTION));
  }

  /** A header with every flag, an opcode and an rcode, as dnsjava writes them. */
  @Test
  void headerFieldsAsDnsjava() {
    Message m = new Message(0xBEEF);
    for (int flag : new int[] {Flags.QR, Flags.AA, Flags.RD, Flags.RA, Flags.AD, Flags.CD}) {
      m.getHeader().setFlag(flag);
    }
    m.getHeader().setOpcode(Opcode.NOTIFY);
    m.getHeader().setRcode(Rcode.REFUSED);
    assertArrayEquals(m.toWire(512), MessageWriter.toWire(m, 512));
  }

  /** What compression saves at most: every name's bytes. */
  private static int uncompressedNames(Message m) {
    int bytes = 0;
    for (int section = Section.QUESTION; section <= Section.ADDITIONAL; section++) {
      for (Record r : m.getSection(section)) {
        bytes += r.getName().length();
      }
    }
    return bytes;
  }

  private static List<String> spelled(List<Record> records) {
    List<String> names = new ArrayList<>();
    for (Record r : records) {
      names.add(r.toString());
    }
    return names;
  }

  private static Message response() {
    Message m = new Message(7);
    m.getHeader().setFlag(Flags.QR);
    m.addRecord(
        Record.newRecord(Name.fromConstantString("www.example.com."), Type.A, DClass.IN),
        Section.QUESTION);
    return m;
  }

  /**
   * A response with RRsets (records of one owner and type together, some followed by an RRSIG) in
   * the answer, authority and additional sections, and OPT among the additional records.
   */
  private static Message randomResponse(Random random, boolean oneCase) throws Exception {
    Message m = new Message(random.nextInt(0x10000));
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setFlag(Flags.AA);
    Name qname = name(OWNERS.get(random.nextInt(OWNERS.size())), oneCase);
    m.addRecord(Record.newRecord(qname, Type.A, DClass.IN), Section.QUESTION);
    for (int section = Section.ANSWER; section <= Section.ADDITIONAL; section++) {
      for (int sets = random.nextInt(6); sets > 0; sets--) {
        Name owner = name(OWNERS.get(random.nextInt(OWNERS.size())), oneCase);
        String rdata = RDATA.get(random.nextInt(RDATA.size()));
        Record first = null;
        for (int n = 1 + random.nextInt(rdata.startsWith("SOA") ? 1 : 8); n > 0; n--) {
          String text = String.format(Locale.ROOT, rdata, n);
          Record r =
              Record.fromString(
                  owner,
                  Type.value(text.split(" ")[0]),
                  DClass.IN,
                  300,
                  oneCase
                      ? text.substring(text.indexOf(' ') + 1).toLowerCase(Locale.ROOT)
                      : text.substring(text.indexOf(' ') + 1),
                  origin(oneCase));
          m.addRecord(r, section);
          first = r;
        }
        if (random.nextBoolean()) {
          m.addRecord(
              Record.fromString(
                  owner,
                  Type.RRSIG,
                  DClass.IN,
                  300,
                  Type.string(first.getType())
                      + " 13 3 300 20261231000000 20261201000000 12345 "
                      + origin(oneCase)
                      + " AAAA",
                  origin(oneCase)),
              section);
        }
      }
      if (section == Section.ADDITIONAL && random.nextBoolean()) {
        m.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
      }
    }
    return m;
  }

  private static Name name(String owner, boolean oneCase) throws Exception {
    String text = oneCase ? owner.toLowerCase(Locale.ROOT) : owner;
    return text.equals("@") ? origin(oneCase) : Name.fromString(text, origin(oneCase));
  }

  private static Name origin(boolean oneCase) {
    return oneCase ? Name.fromConstantString("example.com.") : ORIGIN;
  }

  private static Record record(String owner, String text) throws Exception {
    return Record.fromString(
        name(owner, false),
        Type.value(text.split(" ")[0]),
        DClass.IN,
        300,
        text.substring(text.indexOf(' ') + 1),
        ORIGIN);
  }
}
