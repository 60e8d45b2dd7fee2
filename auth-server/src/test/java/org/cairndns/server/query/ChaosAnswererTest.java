package org.cairndns.server.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** CHAOS TXT identity questions: which name reveals what, and what is refused. */
class ChaosAnswererTest {
  static final QueryConfig.ChaosIdentity WITH_ID =
      new QueryConfig.ChaosIdentity("Cairn test", "host1", "node-7");
  static final QueryConfig.ChaosIdentity WITHOUT_ID =
      new QueryConfig.ChaosIdentity("Cairn test", "host1", null);

  static Stream<Arguments> questions() {
    // identity, qname, qtype; then the rcode and the TXT answer (null: none)
    return Stream.of(
        Arguments.of(WITH_ID, "version.bind.", Type.TXT, Rcode.NOERROR, "\"Cairn test\""),
        Arguments.of(WITH_ID, "VERSION.Server.", Type.TXT, Rcode.NOERROR, "\"Cairn test\""),
        Arguments.of(WITH_ID, "hostname.bind.", Type.ANY, Rcode.NOERROR, "\"host1\""),
        Arguments.of(WITH_ID, "id.server.", Type.TXT, Rcode.NOERROR, "\"node-7\""),
        Arguments.of(WITHOUT_ID, "id.server.", Type.TXT, Rcode.NOERROR, "\"host1\""),
        Arguments.of(WITH_ID, "version.bind.", Type.A, Rcode.REFUSED, null),
        Arguments.of(WITH_ID, "authors.bind.", Type.TXT, Rcode.REFUSED, null),
        Arguments.of(null, "version.bind.", Type.TXT, Rcode.REFUSED, null));
  }

  @ParameterizedTest(name = "{1} {2}")
  @MethodSource("questions")
  void identityNamesAnswerTxtAndTheRestIsRefused(
      QueryConfig.ChaosIdentity identity, String qname, int qtype, int rcode, String text)
      throws Exception {
    Message query = Message.newQuery(Record.newRecord(Name.fromString(qname), qtype, DClass.CH));
    Message r = QueryProcessor.response(query, Rcode.NOERROR);
    new ChaosAnswerer(identity).answer(query.getQuestion(), r);
    r = new Message(r.toWire());
    assertEquals(rcode, r.getRcode());
    assertEquals(text != null, r.getHeader().getFlag(Flags.AA));
    List<Record> answer = r.getSection(Section.ANSWER);
    if (text == null) {
      assertTrue(answer.isEmpty());
    } else {
      assertEquals(1, answer.size());
      Record txt = answer.get(0);
      assertEquals(
          List.of(qname, Type.TXT, DClass.CH, 0L, text),
          List.of(
              txt.getName().toString(),
              txt.getType(),
              txt.getDClass(),
              txt.getTTL(),
              txt.rdataToString()));
    }
  }
}
