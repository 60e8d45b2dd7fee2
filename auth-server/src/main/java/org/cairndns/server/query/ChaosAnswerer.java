package org.cairndns.server.query;

import java.util.Locale;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * CHAOS class questions about the server itself: TXT version.bind / version.server, hostname.bind
 * and id.server (RFC 4892), as BIND and NSD answer them. Anything else in CHAOS, or any of them
 * when the identity is off, is REFUSED.
 */
final class ChaosAnswerer {
  private final QueryConfig.ChaosIdentity identity;

  /**
   * @param identity what the names reveal, or null to refuse them all
   */
  ChaosAnswerer(QueryConfig.ChaosIdentity identity) {
    this.identity = identity;
  }

  /**
   * Fills {@code response} (the skeleton of {@link QueryProcessor#response}) for {@code question}.
   */
  void answer(Record question, Message response) {
    String name = question.getName().toString().toLowerCase(Locale.ROOT);
    String text =
        identity == null
            ? null
            : switch (name) {
              case "version.bind.", "version.server." -> identity.version();
              case "hostname.bind." -> identity.hostname();
              case "id.server." -> identity.id() != null ? identity.id() : identity.hostname();
              default -> null;
            };
    int qtype = question.getType();
    if (text == null || (qtype != Type.TXT && qtype != Type.ANY)) {
      response.getHeader().setRcode(Rcode.REFUSED);
      return;
    }
    response.getHeader().setFlag(Flags.AA);
    response.addRecord(new TXTRecord(question.getName(), DClass.CH, 0, text), Section.ANSWER);
  }
}
