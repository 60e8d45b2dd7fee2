package org.cairndns.xfr;

import java.util.Map;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;

/**
 * RFC 8945 §5.2 for a request that carries TSIG, shared by every path that answers one (queries,
 * NOTIFY, AXFR and IXFR over UDP, TCP and TLS). Only a request whose MAC verified is ever answered
 * signed: BADKEY and BADSIG get NOTAUTH with an unsigned TSIG holding the error, so a forged
 * request cannot make the server sign anything (no signing oracle); BADTIME, whose MAC did verify,
 * is answered signed.
 */
public final class RequestSignature {
  private RequestSignature() {}

  /**
   * Checks the request's TSIG against our keys: {@link Rcode#NOERROR} (then {@code
   * request.isVerified()} holds), {@link Rcode#BADKEY}, {@link Rcode#BADSIG} or {@link
   * Rcode#BADTIME}.
   */
  public static int verify(Message request, byte[] wire, Map<Name, TSIG> keys) {
    TSIGRecord tsig = request.getTSIG();
    TSIG key = keys.get(tsig.getName());
    if (key == null) {
      return Rcode.BADKEY;
    }
    int result = key.verify(request, wire, null); // BADKEY too when the algorithm differs
    return result == Rcode.FORMERR ? Rcode.BADSIG : result;
  }

  /**
   * Renders {@code response} as NOTAUTH with the TSIG RR RFC 8945 §5.2 asks for after {@code
   * error}: unsigned (empty MAC) for BADKEY and BADSIG, signed with the request's key for BADTIME.
   */
  public static byte[] failure(Message response, Message request, int error, Map<Name, TSIG> keys) {
    response.getHeader().setRcode(Rcode.NOTAUTH);
    TSIGRecord asked = request.getTSIG();
    TSIGRecord answer;
    if (error == Rcode.BADTIME) {
      TSIGRecord signed =
          keys.get(asked.getName())
              .generate(response, response.toWire(), Rcode.BADTIME, asked, true);
      // dnsjava 3.6 puts the server's time in Other Data but leaves it out of the MAC, so no
      // client could verify the signature; without it the MAC covers exactly what is sent.
      answer =
          new TSIGRecord(
              signed.getName(),
              DClass.ANY,
              0,
              signed.getAlgorithm(),
              signed.getTimeSigned(),
              signed.getFudge(),
              signed.getSignature(),
              signed.getOriginalID(),
              Rcode.BADTIME,
              null);
    } else {
      answer =
          new TSIGRecord(
              asked.getName(),
              DClass.ANY,
              0,
              asked.getAlgorithm(),
              asked.getTimeSigned(),
              asked.getFudge(),
              new byte[0],
              response.getHeader().getID(),
              error,
              null);
    }
    response.addRecord(answer, Section.ADDITIONAL); // last, after any OPT
    return response.toWire();
  }
}
