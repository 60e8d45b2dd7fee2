package org.cairndns.server.query;

import java.util.Iterator;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.xfr.TransferResponder;
import org.cairndns.xfr.primary.IxfrRequest;
import org.cairndns.zone.ZoneSnapshot;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * AXFR and IXFR questions, as Knot's axfr.c and ixfr.c: over a stream they go to the {@link
 * TransferResponder}, which sends the zone or its differences; over UDP an IXFR gets the one
 * message RFC 1995 §2 allows (the SOA when the client is current, else TC to ask for TCP) and an
 * AXFR gets FORMERR. Which client is current is {@link IxfrRequest#isCurrent}'s reading on both
 * paths.
 */
final class TransferAnswerer {
  private final TransferResponder transfers;

  /**
   * @param transfers the primary side, or null when this server sends no transfers (REFUSED)
   */
  TransferAnswerer(TransferResponder transfers) {
    this.transfers = transfers;
  }

  /**
   * Answers a transfer question for {@code zone} (the zone at exactly the question's name, or
   * null), which the caller has already found available.
   *
   * @param response the skeleton of {@link QueryProcessor#response}, filled when the answer is one
   *     message
   * @return the transfer's messages, or null when {@code response} is the answer
   */
  Iterator<byte[]> answer(
      Message query, byte[] wire, ZoneSnapshot zone, Message response, Requester requester) {
    if (requester.transport() == Transport.UDP) {
      if (zone == null || query.getQuestion().getType() == Type.AXFR) {
        response.getHeader().setRcode(zone == null ? Rcode.NOTAUTH : Rcode.FORMERR);
        return null;
      }
      response.getHeader().setFlag(Flags.AA);
      if (IxfrRequest.isCurrent(IxfrRequest.clientSerial(query), zone.serial())) {
        response.addRecord(zone.soa(), Section.ANSWER);
      } else {
        response.getHeader().setFlag(Flags.TC);
      }
      return null;
    }
    if (transfers == null) {
      response.getHeader().setRcode(Rcode.REFUSED);
      return null;
    }
    return transfers.respond(query, wire, requester);
  }
}
