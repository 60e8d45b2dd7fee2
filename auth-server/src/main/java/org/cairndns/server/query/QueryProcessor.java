package org.cairndns.server.query;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.cairndns.log.RateLimitedLog;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.xfr.RequestSignature;
import org.cairndns.xfr.TransferResponder;
import org.cairndns.xfr.primary.IxfrRequest;
import org.cairndns.zone.LookupResult;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.ZoneSnapshot;
import org.cairndns.zone.store.Serials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Answers one request from the published zone snapshots. Pure: no I/O, no locks. Reads like NSD's
 * query_process: header, opcode, question, OPT, class, transfers, then the RFC 1034 lookup.
 * Well-formed ordinary questions are served from a per-snapshot cache of rendered responses.
 */
public final class QueryProcessor implements RequestHandler {
  // Header bits as they lie in the third byte of the wire header (QR, opcode, AA, TC, RD).
  private static final int QR_BYTE = (1 << (15 - Flags.QR)) >>> 8;
  private static final int RD_BYTE = (1 << (15 - Flags.RD)) >>> 8;
  private static final int OPCODE_BYTE = 0x78;
  private static final Logger log = LoggerFactory.getLogger(QueryProcessor.class);
  /** A bug a packet can trigger would otherwise log a stack per packet. */
  private static final RateLimitedLog failures = new RateLimitedLog(log, Level.WARN, "query-failed");
  private static final int MAX_CHAIN = 8;
  static final int PADDING_BLOCK = 468; // RFC 8467 recommended response block

  private final ZoneSet zones;
  private final TransferResponder transfers;
  private final NotifyReceiver notifies;
  private final QueryConfig config;
  private final Map<Name, TSIG> keys;
  private final ResponseCache cache;
  private final LongAdder malformed = new LongAdder();

  public QueryProcessor(ZoneSet zones, TransferResponder transfers, NotifyReceiver notifies, QueryConfig config) {
    this(zones, transfers, notifies, config, Map.of());
  }

  /** @param keys TSIG keys by name, for signed queries (e.g. a secondary's SOA checks) */
  public QueryProcessor(ZoneSet zones, TransferResponder transfers, NotifyReceiver notifies, QueryConfig config,
      Map<Name, TSIG> keys) {
    this.zones = zones;
    this.transfers = transfers;
    this.notifies = notifies;
    this.config = config;
    this.keys = Map.copyOf(keys);
    this.cache = new ResponseCache(config.responseCacheBytes());
  }

  /** Bytes held by the response cache (at most {@code config.responseCacheBytes()}). */
  public long responseCacheBytes() {
    return cache.bytes();
  }

  /** Requests answered FORMERR because they could not be parsed (counted, never logged one by one). */
  public long malformedRequests() {
    return malformed.sum();
  }

  @Override
  public Outcome handle(byte[] request, Requester requester) {
    if (request.length < Header.LENGTH || (request[2] & QR_BYTE) != 0) {
      return Outcome.DROP; // too short to answer, or itself a response
    }
    ResponseCache.Key key = ResponseCache.keyFor(request, requester.transport(), config.udpPayload());
    long generation = zones.generation();
    if (key != null) {
      Outcome.Reply cached = cache.lookup(key, generation, request);
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
      Outcome outcome = process(query, request, requester);
      if (key != null && outcome instanceof Outcome.Reply reply) {
        cache.store(key, generation, reply.wire());
      }
      return outcome;
    } catch (RuntimeException e) {
      failures.log("event=query-failed client={} error=\"{}\"", requester.address(), e.toString(), e);
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

  private Outcome process(Message query, byte[] wire, Requester requester) {
    Header header = query.getHeader();
    int opcode = header.getOpcode();
    Record question = query.getQuestion();
    if (query.getTSIG() != null) {
      // First, so that no path (not even an early error) can answer a forged request signed.
      int tsigError = RequestSignature.verify(query, wire, keys);
      if (tsigError != Rcode.NOERROR) {
        return new Outcome.Reply(RequestSignature.failure(error(query, Rcode.NOTAUTH), query, tsigError, keys));
      }
    }
    if (opcode != Opcode.QUERY && opcode != Opcode.NOTIFY) {
      return reply(error(query, Rcode.NOTIMP), query, requester);
    }
    if (header.getCount(Section.QUESTION) != 1 || question == null) {
      return reply(error(query, Rcode.FORMERR), query, requester);
    }
    OPTRecord opt = query.getOPT();
    if (opt != null) {
      if (countOpt(query) > 1) {
        return reply(error(query, Rcode.FORMERR), query, requester);
      }
      if (opt.getVersion() > 0) {
        return reply(error(query, Rcode.BADVERS), query, requester);
      }
      if (requester.transport() == Transport.UDP && !opt.getOptions(EDNSOption.Code.TCP_KEEPALIVE).isEmpty()) {
        return reply(error(query, Rcode.FORMERR), query, requester); // RFC 7828 §3.2.1
      }
    }
    if (opcode == Opcode.NOTIFY) {
      int rcode = notifies == null ? Rcode.NOTIMP : notifies.onNotify(query, requester);
      Message r = error(query, rcode);
      if (rcode == Rcode.NOERROR) {
        r.getHeader().setFlag(Flags.AA);
      }
      return reply(r, query, requester);
    }
    int qclass = question.getDClass();
    int qtype = question.getType();
    if (qclass == DClass.CH) {
      return reply(chaos(query, question), query, requester);
    }
    if (qclass != DClass.IN) {
      return reply(error(query, Rcode.REFUSED), query, requester);
    }
    if (qtype == Type.AXFR || qtype == Type.IXFR) {
      return transfer(query, wire, question, requester);
    }
    if (qtype == Type.OPT || qtype == Type.TSIG || qtype == Type.TKEY || qtype == Type.MAILA || qtype == Type.MAILB) {
      return reply(error(query, Rcode.NOTIMP), query, requester);
    }
    ZoneSnapshot zone = zones.find(question.getName());
    Message unavailable = unavailable(query, question.getName(), zone);
    if (unavailable != null) {
      return reply(unavailable, query, requester);
    }
    if (zone == null) {
      return reply(error(query, Rcode.REFUSED), query, requester);
    }
    return reply(answer(query, question, zone, requester), query, requester);
  }

  /**
   * SERVFAIL for a configured secondary zone before its first transfer (as BIND and Knot answer,
   * with EDE 14 Not Ready, RFC 8914, when the client speaks EDNS) or past its expire time (RFC 1035:
   * stop answering); null when the zone can be answered from.
   */
  private Message unavailable(Message query, Name qname, ZoneSnapshot zone) {
    ZoneSet.Unavailable why = zones.unavailable(qname, zone);
    if (why == ZoneSet.Unavailable.NOT_READY) {
      return withEde(error(query, Rcode.SERVFAIL), ExtendedErrorCodeOption.NOT_READY);
    }
    return why == ZoneSet.Unavailable.EXPIRED ? error(query, Rcode.SERVFAIL) : null;
  }

  private Outcome transfer(Message query, byte[] wire, Record question, Requester requester) {
    ZoneSnapshot zone = zones.get(question.getName());
    // Neither a zone not transferred yet nor an expired one is transferred onwards.
    Message unavailable = unavailable(query, question.getName(), zone);
    if (unavailable != null) {
      return reply(unavailable, query, requester);
    }
    if (requester.transport() == Transport.UDP) {
      if (question.getType() == Type.AXFR || zone == null) {
        return reply(error(query, zone == null ? Rcode.NOTAUTH : Rcode.FORMERR), query, requester);
      }
      // RFC 1995 §2: over UDP, the single SOA when the client is current, else ask for TCP.
      Message r = error(query, Rcode.NOERROR);
      r.getHeader().setFlag(Flags.AA);
      long clientSerial = IxfrRequest.clientSerial(query);
      if (clientSerial != IxfrRequest.NO_SERIAL && !Serials.isNewer(zone.serial(), clientSerial)) {
        r.addRecord(zone.soa(), Section.ANSWER);
      } else {
        r.getHeader().setFlag(Flags.TC);
      }
      return reply(r, query, requester);
    }
    if (transfers == null) {
      return reply(error(query, Rcode.REFUSED), query, requester);
    }
    return new Outcome.Messages(transfers.respond(query, wire, requester));
  }

  /** Builds the answer for an ordinary question in {@code zone}. */
  Message answer(Message query, Record question, ZoneSnapshot zone, Requester requester) {
    Message r = error(query, Rcode.NOERROR);
    r.getHeader().setFlag(Flags.AA);
    boolean dnssec = query.getOPT() != null && (query.getOPT().getFlags() & ExtendedFlags.DO) != 0;
    Chain chain = new Chain(r, zones, zone, question.getName(), question.getType(), dnssec, requester.transport());
    while (zone.lookup(chain.qname, chain.qtype).accept(ANSWER_STEP, chain)) {
      chain.hop++;
    }
    return r;
  }

  /**
   * One question's answer as it is built, CNAME/DNAME chain included: the state the steps share.
   * With the response, the only objects allocated per answer: no visitor or set per query.
   */
  private static final class Chain {
    final Message response;
    final ZoneSet zones;
    final ZoneSnapshot zone;
    final int qtype;
    final boolean dnssec;
    final Transport transport;
    Name qname;
    int hop;
    /** Owners rewritten on this chain, for loop detection: at most one per hop, made on the first CNAME/DNAME. */
    private Name[] rewritten;
    private int rewrittenCount;

    Chain(Message response, ZoneSet zones, ZoneSnapshot zone, Name qname, int qtype, boolean dnssec,
        Transport transport) {
      this.response = response;
      this.zones = zones;
      this.zone = zone;
      this.qname = qname;
      this.qtype = qtype;
      this.dnssec = dnssec;
      this.transport = transport;
    }

    /** Records that {@code owner} was rewritten; false when it already was (a loop). */
    boolean rewrite(Name owner) {
      if (wasRewritten(owner)) {
        return false;
      }
      if (rewritten == null) {
        rewritten = new Name[MAX_CHAIN + 1]; // hop stops at MAX_CHAIN, and each hop adds at most one
      }
      rewritten[rewrittenCount++] = owner;
      return true;
    }

    boolean wasRewritten(Name owner) {
      for (int i = 0; i < rewrittenCount; i++) {
        if (rewritten[i].equals(owner)) {
          return true;
        }
      }
      return false;
    }

    /** Whether the chain can go on to {@code target}: only within this zone; else the resolver follows it. */
    boolean staysInZone(Name target) {
      return zones.find(target) == zone;
    }
  }

  /** Stateless, so one instance serves every query. */
  private static final LookupResult.Visitor<Boolean, Chain> ANSWER_STEP = new AnswerStep();

  /**
   * One lookup's contribution to the response. Each method returns true when the chain goes on in
   * the same zone with {@code chain.qname} set to the next name, false when the response is complete.
   */
  private static final class AnswerStep implements LookupResult.Visitor<Boolean, Chain> {
    @Override
    public Boolean answer(LookupResult.Answer a, Chain chain) {
      Message r = chain.response;
      List<RRset> sets = a.rrsets();
      if (chain.qtype == Type.ANY && chain.transport == Transport.UDP && sets.size() > 1) {
        sets = List.of(sets.get(0)); // RFC 8482: one RRset is enough over UDP
      }
      if (chain.qtype == Type.RRSIG) { // the signatures alone, whatever the DO bit says
        for (RRset set : sets) {
          echoCase(set, chain.qname).sigs().forEach(sig -> addRecord(r, sig, Section.ANSWER));
        }
        return false;
      }
      for (RRset set : sets) {
        addRRset(r, echoCase(set, chain.qname), Section.ANSWER, chain.dnssec);
      }
      addAdditional(r, chain.zone, sets, chain.dnssec);
      return false;
    }

    @Override
    public Boolean cname(LookupResult.Cname c, Chain chain) {
      Message r = chain.response;
      Name qname = chain.qname;
      addRecord(r, c.cname().getName().equals(qname) ? c.cname().withName(qname) : c.cname(), Section.ANSWER);
      Name target = c.cname().getTarget();
      chain.rewrite(qname);
      if (chain.wasRewritten(target)) {
        r.getHeader().setRcode(Rcode.SERVFAIL); // a CNAME loop: BIND 9 answers the same way
        return false;
      }
      if (chain.hop >= MAX_CHAIN || !chain.staysInZone(target)) {
        return false;
      }
      chain.qname = target;
      return true;
    }

    @Override
    public Boolean dname(LookupResult.Dname d, Chain chain) {
      Message r = chain.response;
      Name qname = chain.qname;
      DNAMERecord dname = d.dname();
      addRecord(r, dname, Section.ANSWER);
      Name synthesized;
      try {
        synthesized = qname.fromDNAME(dname);
      } catch (NameTooLongException e) {
        r.getHeader().setRcode(Rcode.YXDOMAIN);
        return false;
      }
      addRecord(r, new CNAMERecord(qname, DClass.IN, dname.getTTL(), synthesized), Section.ANSWER);
      if (!chain.rewrite(qname) || chain.hop >= MAX_CHAIN || !chain.staysInZone(synthesized)) {
        return false;
      }
      chain.qname = synthesized;
      return true;
    }

    @Override
    public Boolean delegation(LookupResult.Delegation del, Chain chain) {
      Message r = chain.response;
      if (chain.hop == 0) {
        r.getHeader().unsetFlag(Flags.AA);
      }
      addRRset(r, del.ns(), Section.AUTHORITY, chain.dnssec);
      for (RRset glue : del.glue()) {
        addRRset(r, glue, Section.ADDITIONAL, chain.dnssec);
      }
      return false;
    }

    @Override
    public Boolean noData(LookupResult.NoData noData, Chain chain) {
      addNegativeSoa(chain.response, chain.zone);
      return false;
    }

    @Override
    public Boolean nxDomain(LookupResult.NxDomain nxDomain, Chain chain) {
      chain.response.getHeader().setRcode(Rcode.NXDOMAIN);
      addNegativeSoa(chain.response, chain.zone);
      return false;
    }
  }

  /** RFC 2308 §3: SOA in authority with TTL min(SOA TTL, SOA MINIMUM). */
  private static void addNegativeSoa(Message r, ZoneSnapshot zone) {
    SOARecord soa = zone.soa();
    long ttl = Math.min(soa.getTTL(), soa.getMinimum());
    addRecord(r, ttl == soa.getTTL() ? soa : new SOARecord(soa.getName(), soa.getDClass(), ttl, soa.getHost(),
        soa.getAdmin(), soa.getSerial(), soa.getRefresh(), soa.getRetry(), soa.getExpire(), soa.getMinimum()),
        Section.AUTHORITY);
  }

  /** Addresses of in-zone NS, MX and SRV targets. */
  private static void addAdditional(Message r, ZoneSnapshot zone, List<RRset> sets, boolean dnssec) {
    for (RRset set : sets) {
      int type = set.getType();
      if (type != Type.NS && type != Type.MX && type != Type.SRV) {
        continue;
      }
      for (Record rr : set.rrs(false)) {
        Name target = rr.getAdditionalName();
        if (target != null) {
          for (RRset addr : zone.addresses(target)) {
            addRRset(r, addr, Section.ADDITIONAL, dnssec);
          }
        }
      }
    }
  }

  private static RRset echoCase(RRset set, Name qname) {
    Name owner = set.getName();
    if (!owner.equals(qname) || owner.toString().equals(qname.toString())) {
      return set;
    }
    return ZoneSnapshot.renamed(set, qname);
  }

  private static void addRRset(Message r, RRset set, int section, boolean dnssec) {
    for (Record rr : set.rrs(false)) {
      addRecord(r, rr, section);
    }
    if (dnssec) {
      for (Record sig : set.sigs()) {
        addRecord(r, sig, section);
      }
    }
  }

  private static void addRecord(Message r, Record rr, int section) {
    if (!r.findRecord(rr, section)) {
      r.addRecord(rr, section);
    }
  }

  private Message chaos(Message query, Record question) {
    QueryConfig.ChaosIdentity id = config.chaos();
    String name = question.getName().toString().toLowerCase(java.util.Locale.ROOT);
    String text = id == null ? null : switch (name) {
      case "version.bind.", "version.server." -> id.version();
      case "hostname.bind." -> id.hostname();
      case "id.server." -> id.id() != null ? id.id() : id.hostname();
      default -> null;
    };
    int qtype = question.getType();
    if (text == null || (qtype != Type.TXT && qtype != Type.ANY)) {
      return error(query, Rcode.REFUSED);
    }
    Message r = error(query, Rcode.NOERROR);
    r.getHeader().setFlag(Flags.AA);
    r.addRecord(new TXTRecord(question.getName(), DClass.CH, 0, text), Section.ANSWER);
    return r;
  }

  /** A response skeleton: same ID, opcode and RD, the question echoed, the given rcode. */
  private static Message error(Message query, int rcode) {
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

  /** Adds an Extended DNS Error (RFC 8914), sent only when the query had OPT (see reply()). */
  private static Message withEde(Message r, int infoCode) {
    r.addRecord(new OPTRecord(0, 0, 0, 0, List.of(new ExtendedErrorCodeOption(infoCode))), Section.ADDITIONAL);
    return r;
  }

  /** Adds OPT (with keepalive and padding as the transport allows) and renders within size limits. */
  private Outcome reply(Message r, Message query, Requester requester) {
    OPTRecord qopt = query.getOPT();
    Transport transport = requester.transport();
    int limit;
    if (transport == Transport.UDP) {
      limit = qopt == null ? 512 : ResponseCache.udpLimit(qopt.getPayloadSize(), config.udpPayload());
    } else {
      limit = 65535;
    }
    if (query.isVerified()) { // RequestSignature answered every other signed request
      r.setTSIG(keys.get(query.getTSIG().getName()), Rcode.NOERROR, query.getTSIG());
    }
    if (qopt == null) {
      removeOpt(r);
      return new Outcome.Reply(r.toWire(limit));
    }
    int xrcode = 0;
    List<EDNSOption> options = new ArrayList<>(2);
    OPTRecord placeholder = r.getOPT();
    if (placeholder != null) { // from error() or withEde()
      xrcode = placeholder.getExtendedRcode();
      options.addAll(placeholder.getOptions());
      removeOpt(r);
    }
    if (transport.isStream() && !qopt.getOptions(EDNSOption.Code.TCP_KEEPALIVE).isEmpty()) {
      int units = (int) Math.min(0xFFFF, config.tcpIdleTimeout().toMillis() / 100);
      options.add(new GenericEDNSOption(EDNSOption.Code.TCP_KEEPALIVE, new byte[] {(byte) (units >>> 8), (byte) units}));
    }
    int flags = qopt.getFlags() & ExtendedFlags.DO; // DO echoed
    r.addRecord(new OPTRecord(config.udpPayload(), xrcode, 0, flags, options), Section.ADDITIONAL);
    byte[] wire = r.toWire(limit);
    if (transport.isEncrypted() && !qopt.getOptions(EDNSOption.Code.PADDING).isEmpty()) {
      // RFC 8467: pad to a multiple of the block size; the option header itself takes 4 bytes.
      int pad = (PADDING_BLOCK - ((wire.length + 4) % PADDING_BLOCK)) % PADDING_BLOCK;
      if (wire.length + 4 + pad <= limit) {
        removeOpt(r);
        List<EDNSOption> padded = new ArrayList<>(options);
        padded.add(new GenericEDNSOption(EDNSOption.Code.PADDING, new byte[pad]));
        r.addRecord(new OPTRecord(config.udpPayload(), xrcode, 0, flags, padded), Section.ADDITIONAL);
        wire = r.toWire(limit);
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
