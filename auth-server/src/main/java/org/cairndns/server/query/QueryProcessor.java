package org.cairndns.server.query;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.cairndns.log.RateLimitedLog;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.xfr.RequestSignature;
import org.cairndns.xfr.TransferResponder;
import org.cairndns.xfr.acl.TransferPolicy;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.ZoneSnapshot;
import org.cairndns.zone.wire.MessageWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * Turns one request into what the transport sends, as Knot's process_query.c: decodes and checks
 * the request in RFC order (header, TSIG, opcode, question, OPT, class, zone), decides its kind and
 * hands it to that kind's answerer (NOTIFY, CHAOS, transfers, ordinary answers from a zone), then
 * finishes the response (OPT, TSIG, size). Pure: no I/O, no locks. Well-formed ordinary questions
 * are served from a per-snapshot cache of rendered responses.
 */
public final class QueryProcessor implements RequestHandler {
  // Header bits as they lie in the third byte of the wire header (QR, opcode, AA, TC, RD).
  private static final int QR_BYTE = (1 << (15 - Flags.QR)) >>> 8;
  private static final int RD_BYTE = (1 << (15 - Flags.RD)) >>> 8;
  private static final int OPCODE_BYTE = 0x78;
  private static final Logger log = LoggerFactory.getLogger(QueryProcessor.class);

  /** A bug a packet can trigger would otherwise log a stack per packet. */
  private static final RateLimitedLog failures =
      new RateLimitedLog(log, Level.WARN, "query-failed");

  static final int PADDING_BLOCK = 468; // RFC 8467 recommended response block

  private final ZoneSet zones;
  private final ZoneAnswerer answers;
  private final TransferAnswerer transfers;
  private final NotifyAnswerer notifies;
  private final LongAdder malformed = new LongAdder();

  /**
   * What answers depend on besides the zones, replaced whole by a reload: a request reads it once
   * and is answered under it to the end. Rendered responses depend on the settings, so new settings
   * come with an empty cache; new keys alone keep it (signed requests are never cached).
   */
  private record Settings(
      QueryConfig config,
      Map<Name, TSIG> keys,
      ChaosAnswerer chaos,
      ResponseCache cache,
      ServerCookies cookies) {}

  private volatile Settings settings;

  public QueryProcessor(
      ZoneSet zones, TransferResponder transfers, NotifyReceiver notifies, QueryConfig config) {
    this(zones, transfers, notifies, config, Map.of());
  }

  /**
   * @param keys TSIG keys by name, for signed queries (e.g. a secondary's SOA checks)
   */
  public QueryProcessor(
      ZoneSet zones,
      TransferResponder transfers,
      NotifyReceiver notifies,
      QueryConfig config,
      Map<Name, TSIG> keys) {
    this.zones = zones;
    this.answers = new ZoneAnswerer(zones);
    this.transfers = new TransferAnswerer(transfers);
    this.notifies = new NotifyAnswerer(notifies);
    this.settings =
        new Settings(
            config,
            Map.copyOf(keys),
            new ChaosAnswerer(config.chaos()),
            new ResponseCache(config.responseCacheBytes()),
            new ServerCookies(config.cookies()));
  }

  /**
   * Makes {@code config} and {@code keys} those of every request from now on (a reload); requests
   * being answered finish under the ones they started with. Cookie settings unchanged keep their
   * secrets, so clients' server cookies stay valid across a reload.
   */
  public void publish(QueryConfig config, Map<Name, TSIG> keys) {
    Settings now = settings;
    ResponseCache cache =
        config.equals(now.config()) ? now.cache() : new ResponseCache(config.responseCacheBytes());
    ServerCookies cookies =
        config.cookies().equals(now.config().cookies())
            ? now.cookies()
            : new ServerCookies(config.cookies());
    settings =
        new Settings(config, Map.copyOf(keys), new ChaosAnswerer(config.chaos()), cache, cookies);
  }

  /** Bytes held by the response cache (at most {@code config.responseCacheBytes()}). */
  public long responseCacheBytes() {
    return settings.cache().bytes();
  }

  /**
   * Requests answered FORMERR because they could not be parsed (counted, never logged one by one).
   */
  public long malformedRequests() {
    return malformed.sum();
  }

  @Override
  public Outcome handle(byte[] request, Requester requester) {
    if (request.length < Header.LENGTH || (request[2] & QR_BYTE) != 0) {
      return Outcome.DROP; // too short to answer, or itself a response
    }
    Settings s = settings;
    ResponseCache cache = s.cache();
    ResponseCache.Key key =
        ResponseCache.keyFor(request, requester.transport(), s.config().udpPayload());
    long generation = zones.generation();
    if (key != null) {
      Outcome.Reply cached = cache.lookup(key, generation, request, requester);
      if (cached != null) {
        return cached;
      }
    }
    Message query = parse(request);
    if (query == null) {
      malformed.increment();
      return new Outcome.Reply(headerOnly(request, Rcode.FORMERR));
    }
    try {
      Outcome outcome = process(s, query, request, requester);
      if (key != null && outcome instanceof Outcome.Reply reply) {
        // A cached request is never signed: its answer is for whom the zone's list lets ask
        // unsigned, and a refusal is not kept at all (another client may be allowed).
        QueryAccess access = s.config().access();
        TransferPolicy acl =
            access.restricts()
                ? policyFor(access, zones.find(query.getQuestion().getName()))
                : null;
        if (QueryAccess.allows(acl, requester, null)) {
          cache.store(key, generation, reply.wire(), acl);
        }
      }
      return outcome;
    } catch (RuntimeException e) {
      failures.log(
          "event=query-failed client={} error=\"{}\"", requester.address(), e.toString(), e);
      return new Outcome.Reply(headerOnly(request, Rcode.SERVFAIL));
    }
  }

  /**
   * The request as a dnsjava Message, or null when it is malformed. With TC set dnsjava keeps what
   * it could read of a cut-short message, leaving sections shorter than the header's counts (the
   * last-record lookups such as getTSIG then throw); such a request is malformed too.
   */
  private static Message parse(byte[] request) {
    try {
      Message query = new Message(request);
      Header header = query.getHeader();
      if (header.getFlag(Flags.TC)) {
        for (int section = Section.QUESTION; section <= Section.ADDITIONAL; section++) {
          if (query.getSection(section).size() != header.getCount(section)) {
            return null;
          }
        }
      }
      return query;
    } catch (IOException | RuntimeException malformed) {
      return null; // any parse failure is the packet's fault: FORMERR, never a log line
    }
  }

  private Outcome process(Settings s, Message query, byte[] wire, Requester requester) {
    Map<Name, TSIG> keys = s.keys();
    Header header = query.getHeader();
    int opcode = header.getOpcode();
    Record question = query.getQuestion();
    if (query.getTSIG() != null) {
      // First, so that no path (not even an early error) can answer a forged request signed.
      int tsigError = RequestSignature.verify(query, wire, keys);
      if (tsigError != Rcode.NOERROR) {
        return new Outcome.Reply(
            RequestSignature.failure(response(query, Rcode.NOTAUTH), query, tsigError, keys));
      }
    }
    if (opcode != Opcode.QUERY && opcode != Opcode.NOTIFY) {
      return reply(s, response(query, Rcode.NOTIMP), query, requester);
    }
    if (header.getCount(Section.QUESTION) != 1 || question == null) {
      return reply(s, response(query, Rcode.FORMERR), query, requester);
    }
    OPTRecord opt = query.getOPT();
    if (opt != null) {
      if (countOpt(query) > 1) {
        return reply(s, response(query, Rcode.FORMERR), query, requester);
      }
      if (opt.getVersion() > 0) {
        return reply(s, response(query, Rcode.BADVERS), query, requester);
      }
      if (requester.transport() == Transport.UDP
          && !opt.getOptions(EDNSOption.Code.TCP_KEEPALIVE).isEmpty()) {
        return reply(s, response(query, Rcode.FORMERR), query, requester); // RFC 7828 §3.2.1
      }
    }
    // The request is sound: the answerer of its kind fills in this response, as Knot's query
    // modules do.
    Message r = response(query, Rcode.NOERROR);
    // VALID is what RRL needs to exempt a UDP client (RFC 7873 §5.2.4).
    ServerCookies.Status cookie = s.cookies().answer(opt, requester, r);
    if (cookie == ServerCookies.Status.REFUSED) {
      return reply(s, r, query, requester);
    }
    if (opcode == Opcode.NOTIFY) {
      notifies.answer(query, r, requester);
      return reply(s, r, query, requester);
    }
    int qclass = question.getDClass();
    int qtype = question.getType();
    if (qclass == DClass.CH) {
      s.chaos().answer(question, r);
      return reply(s, r, query, requester);
    }
    if (qclass != DClass.IN) {
      r.getHeader().setRcode(Rcode.REFUSED);
      return reply(s, r, query, requester);
    }
    if (qtype == Type.OPT
        || qtype == Type.TSIG
        || qtype == Type.TKEY
        || qtype == Type.MAILA
        || qtype == Type.MAILB) {
      r.getHeader().setRcode(Rcode.NOTIMP);
      return reply(s, r, query, requester);
    }
    Name qname = question.getName();
    boolean transfer = qtype == Type.AXFR || qtype == Type.IXFR;
    // A transfer names a zone's apex; any other question is answered by the zone enclosing it.
    ZoneSnapshot zone = transfer ? zones.get(qname) : zones.find(qname);
    // Before the zone's state: a client refused learns nothing of it.
    QueryAccess access = s.config().access();
    if (!transfer && access.restricts()) {
      Name verifiedKey = query.isVerified() ? query.getTSIG().getName() : null;
      if (!QueryAccess.allows(policyFor(access, zone), requester, verifiedKey)) {
        r.getHeader().setRcode(Rcode.REFUSED); // as BIND: REFUSED with EDE 18 Prohibited
        withEde(r, ExtendedErrorCodeOption.PROHIBITED);
        return reply(s, r, query, requester);
      }
    }
    if (unavailable(r, qname, zone)) { // neither answered from nor transferred onwards
      return reply(s, r, query, requester);
    }
    if (transfer) {
      Iterator<byte[]> messages = transfers.answer(query, wire, zone, r, requester);
      return messages == null ? reply(s, r, query, requester) : new Outcome.Messages(messages);
    }
    if (zone == null) {
      r.getHeader().setRcode(Rcode.REFUSED);
      return reply(s, r, query, requester);
    }
    answers.answer(query, zone, r, requester.transport());
    return reply(s, r, query, requester);
  }

  /** The {@code allow-query} list for questions answered from {@code zone} (null: none). */
  private static TransferPolicy policyFor(QueryAccess access, ZoneSnapshot zone) {
    return access.policyFor(zone == null ? null : zone.origin());
  }

  /**
   * Makes {@code r} SERVFAIL for a configured secondary zone before its first transfer (as BIND and
   * Knot answer, with EDE 14 Not Ready, RFC 8914, when the client speaks EDNS) or past its expire
   * time (RFC 1035: stop answering); false when the zone can be answered from.
   */
  private boolean unavailable(Message r, Name qname, ZoneSnapshot zone) {
    ZoneSet.Unavailable why = zones.unavailable(qname, zone);
    if (why == null) {
      return false;
    }
    r.getHeader().setRcode(Rcode.SERVFAIL);
    if (why == ZoneSet.Unavailable.NOT_READY) {
      withEde(r, ExtendedErrorCodeOption.NOT_READY);
    }
    return true;
  }

  /**
   * A response skeleton: same ID, opcode, RD and CD, the question echoed, the given rcode (one over
   * 15 leaves a placeholder OPT for its upper bits). The answerers fill it in.
   */
  static Message response(Message query, int rcode) {
    Header qh = query.getHeader();
    Message r = new Message(qh.getID());
    Header h = r.getHeader();
    h.setFlag(Flags.QR);
    h.setOpcode(qh.getOpcode());
    if (qh.getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    if (qh.getFlag(Flags.CD)) {
      h.setFlag(Flags.CD);
    }
    Record q = query.getQuestion();
    if (q != null && qh.getCount(Section.QUESTION) == 1) {
      r.addRecord(q, Section.QUESTION);
    }
    h.setRcode(rcode & 0xF);
    if (rcode > 0xF) {
      r.addRecord(new OPTRecord(0, rcode >>> 4, 0), Section.ADDITIONAL); // replaced in reply()
    }
    return r;
  }

  /**
   * Adds an Extended DNS Error (RFC 8914), sent only when the query had OPT (see reply()), to the
   * placeholder OPT that may already hold the response's cookie.
   */
  private static void withEde(Message r, int infoCode) {
    OPTRecord placeholder = r.getOPT();
    List<EDNSOption> options = new ArrayList<>(2);
    int xrcode = 0;
    if (placeholder != null) {
      options.addAll(placeholder.getOptions());
      xrcode = placeholder.getExtendedRcode();
      removeOpt(r);
    }
    options.add(new ExtendedErrorCodeOption(infoCode));
    r.addRecord(new OPTRecord(0, xrcode, 0, 0, options), Section.ADDITIONAL);
  }

  /**
   * Adds OPT (with keepalive and padding as the transport allows) and renders within size limits.
   */
  private Outcome reply(Settings s, Message r, Message query, Requester requester) {
    QueryConfig config = s.config();
    OPTRecord qopt = query.getOPT();
    Transport transport = requester.transport();
    int limit;
    if (transport == Transport.UDP) {
      limit =
          qopt == null ? 512 : ResponseCache.udpLimit(qopt.getPayloadSize(), config.udpPayload());
    } else {
      limit = 65535;
    }
    // RequestSignature answered every other signed request.
    TSIG key = query.isVerified() ? s.keys().get(query.getTSIG().getName()) : null;
    if (qopt == null) {
      removeOpt(r);
      return new Outcome.Reply(MessageWriter.toWire(r, limit, key, query.getTSIG()));
    }
    int xrcode = 0;
    List<EDNSOption> options = new ArrayList<>(2);
    OPTRecord placeholder = r.getOPT();
    if (placeholder != null) { // from response() or withEde()
      xrcode = placeholder.getExtendedRcode();
      options.addAll(placeholder.getOptions());
      removeOpt(r);
    }
    if (config.nsid() != null && !qopt.getOptions(EDNSOption.Code.NSID).isEmpty()) {
      options.add(config.nsid()); // RFC 5001 §2.1: asked for with an empty option, whatever rcode
    }
    if (transport.isStream() && !qopt.getOptions(EDNSOption.Code.TCP_KEEPALIVE).isEmpty()) {
      int units = (int) Math.min(0xFFFF, config.tcpIdleTimeout().toMillis() / 100);
      options.add(
          new GenericEDNSOption(
              EDNSOption.Code.TCP_KEEPALIVE, new byte[] {(byte) (units >>> 8), (byte) units}));
    }
    int flags = qopt.getFlags() & ExtendedFlags.DO; // DO echoed
    r.addRecord(new OPTRecord(config.udpPayload(), xrcode, 0, flags, options), Section.ADDITIONAL);
    byte[] wire = MessageWriter.toWire(r, limit, key, query.getTSIG());
    if (transport.isEncrypted() && !qopt.getOptions(EDNSOption.Code.PADDING).isEmpty()) {
      // RFC 8467: pad to a multiple of the block size; the option header itself takes 4 bytes.
      int pad = (PADDING_BLOCK - ((wire.length + 4) % PADDING_BLOCK)) % PADDING_BLOCK;
      if (wire.length + 4 + pad <= limit) {
        removeOpt(r);
        List<EDNSOption> padded = new ArrayList<>(options);
        padded.add(new GenericEDNSOption(EDNSOption.Code.PADDING, new byte[pad]));
        r.addRecord(
            new OPTRecord(config.udpPayload(), xrcode, 0, flags, padded), Section.ADDITIONAL);
        wire = MessageWriter.toWire(r, limit, key, query.getTSIG());
      }
    }
    return new Outcome.Reply(wire);
  }

  private static void removeOpt(Message r) {
    for (Record rr : r.getSection(Section.ADDITIONAL)) {
      if (rr.getType() == Type.OPT) {
        r.removeRecord(rr, Section.ADDITIONAL);
      }
    }
  }

  private static int countOpt(Message m) {
    int n = 0;
    for (Record rr : m.getSection(Section.ADDITIONAL)) {
      if (rr.getType() == Type.OPT) {
        n++;
      }
    }
    return n;
  }

  /** A bare header reply for requests too broken to parse: ID and opcode kept, counts zero. */
  static byte[] headerOnly(byte[] request, int rcode) {
    byte[] out = new byte[Header.LENGTH];
    out[0] = request[0];
    out[1] = request[1];
    out[2] = (byte) (QR_BYTE | (request[2] & (OPCODE_BYTE | RD_BYTE))); // QR, opcode, RD kept
    out[3] = (byte) (rcode & 0xF);
    return out;
  }
}
