package org.cairndns.server.query;

import java.util.List;
import org.cairndns.request.Transport;
import org.cairndns.zone.DnssecProofs;
import org.cairndns.zone.LookupResult;
import org.cairndns.zone.ZoneSet;
import org.cairndns.zone.ZoneSnapshot;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Ordinary questions answered from a zone (RFC 1034 §4.3.2), as Knot's internet.c: the lookup's
 * result drives the sections. CNAME chains inside the zone (loops answer SERVFAIL like BIND), RFC
 * 6672 DNAME with a synthesized CNAME, RFC 4592 wildcards, referrals with glue (AA clear), RFC 2308
 * negatives with the SOA, addresses of in-zone NS/MX/SRV targets, RFC 8482 minimal ANY over UDP.
 * With DO from a signed zone, RFC 4035 §3.1: every authoritative RRset goes with its RRSIGs, and
 * negative, wildcard and referral answers with their proofs ({@link DnssecProofs}). Pure and
 * stateless per query.
 */
final class ZoneAnswerer {
  private static final int MAX_CHAIN = 8;

  /** Stateless, so one instance serves every query. */
  private static final LookupResult.Visitor<Boolean, Chain> ANSWER_STEP = new AnswerStep();

  private final ZoneSet zones;

  /**
   * @param zones where a CNAME or DNAME target is looked for, to follow it only within its zone
   */
  ZoneAnswerer(ZoneSet zones) {
    this.zones = zones;
  }

  /**
   * Fills {@code response} (the skeleton of {@link QueryProcessor#response}) with the answer to
   * {@code query}'s question from {@code zone}, the zone closest enclosing its name.
   */
  void answer(Message query, ZoneSnapshot zone, Message response, Transport transport) {
    response.getHeader().setFlag(Flags.AA);
    Record question = query.getQuestion();
    OPTRecord opt = query.getOPT();
    boolean dnssec = opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0;
    Chain chain =
        new Chain(response, zones, zone, question.getName(), question.getType(), dnssec, transport);
    while (zone.lookup(chain.qname, chain.qtype).accept(ANSWER_STEP, chain)) {
      chain.hop++;
    }
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

    /** With DO from a signed zone, what proves its answers; else null. */
    final DnssecProofs proofs;

    final Transport transport;
    Name qname;
    int hop;

    /**
     * Owners rewritten on this chain, for loop detection: at most one per hop, made on the first
     * CNAME/DNAME.
     */
    private Name[] rewritten;

    private int rewrittenCount;

    Chain(
        Message response,
        ZoneSet zones,
        ZoneSnapshot zone,
        Name qname,
        int qtype,
        boolean dnssec,
        Transport transport) {
      this.response = response;
      this.zones = zones;
      this.zone = zone;
      this.qname = qname;
      this.qtype = qtype;
      this.dnssec = dnssec;
      this.proofs = dnssec ? zone.proofs() : null;
      this.transport = transport;
    }

    /** Records that {@code owner} was rewritten; false when it already was (a loop). */
    boolean rewrite(Name owner) {
      if (wasRewritten(owner)) {
        return false;
      }
      if (rewritten == null) {
        rewritten =
            new Name[MAX_CHAIN + 1]; // hop stops at MAX_CHAIN, and each hop adds at most one
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

    /**
     * Goes on at {@code target} when the chain may: within {@code MAX_CHAIN} hops and this zone (a
     * target elsewhere is the resolver's to follow). False when the response is complete.
     */
    boolean continueAt(Name target) {
      if (hop >= MAX_CHAIN || zones.find(target) != zone) {
        return false;
      }
      qname = target;
      return true;
    }
  }

  /**
   * One lookup's contribution to the response. Each method returns true when the chain goes on in
   * the same zone with {@code chain.qname} set to the next name, false when the response is
   * complete.
   */
  private static final class AnswerStep implements LookupResult.Visitor<Boolean, Chain> {
    @Override
    public Boolean answer(LookupResult.Answer a, Chain chain) {
      Message r = chain.response;
      List<RRset> sets = a.rrsets();
      if (chain.qtype == Type.ANY && chain.transport == Transport.UDP && sets.size() > 1) {
        sets = List.of(sets.get(0)); // RFC 8482: one RRset is enough over UDP
      }
      boolean signaturesOnly = chain.qtype == Type.RRSIG; // whatever the DO bit says
      for (RRset set : sets) {
        if (signaturesOnly) {
          echoCase(set, chain.qname).sigs().forEach(sig -> addRecord(r, sig, Section.ANSWER));
        } else {
          addRRset(r, echoCase(set, chain.qname), Section.ANSWER, chain.dnssec);
        }
      }
      if (a.wildcard() && chain.proofs != null) { // NSD and Knot prove type RRSIG's expansion too
        addProof(r, chain.proofs.wildcardAnswer(chain.qname, a.encloserLabels()));
      }
      if (!signaturesOnly) {
        addAdditional(r, chain.zone, sets, chain.dnssec);
      }
      return false;
    }

    @Override
    public Boolean cname(LookupResult.Cname c, Chain chain) {
      Message r = chain.response;
      Name qname = chain.qname;
      addRRset(r, echoCase(c.rrset(), qname), Section.ANSWER, chain.dnssec);
      if (c.wildcard() && chain.proofs != null) {
        addProof(r, chain.proofs.wildcardAnswer(qname, c.encloserLabels()));
      }
      Name target = c.cname().getTarget();
      chain.rewrite(qname);
      if (chain.wasRewritten(target)) {
        r.getHeader().setRcode(Rcode.SERVFAIL); // a CNAME loop: BIND 9 answers the same way
        return false;
      }
      return chain.continueAt(target);
    }

    @Override
    public Boolean dname(LookupResult.Dname d, Chain chain) {
      Message r = chain.response;
      Name qname = chain.qname;
      DNAMERecord dname = d.dname();
      addRRset(r, d.rrset(), Section.ANSWER, chain.dnssec); // the synthesized CNAME has no RRSIG
      Name synthesized;
      try {
        synthesized = qname.fromDNAME(dname);
      } catch (NameTooLongException e) {
        r.getHeader().setRcode(Rcode.YXDOMAIN);
        return false;
      }
      addRecord(r, new CNAMERecord(qname, DClass.IN, dname.getTTL(), synthesized), Section.ANSWER);
      return chain.rewrite(qname) && chain.continueAt(synthesized);
    }

    @Override
    public Boolean delegation(LookupResult.Delegation del, Chain chain) {
      Message r = chain.response;
      if (chain.hop == 0) {
        r.getHeader().unsetFlag(Flags.AA);
      }
      // The child's NS and the glue are not authoritative here: never signed (RFC 4035 §2.2).
      addRRset(r, del.ns(), Section.AUTHORITY, false);
      if (chain.proofs != null) {
        addProof(r, chain.proofs.referral(del.cut()));
      }
      for (RRset glue : del.glue()) {
        addRRset(r, glue, Section.ADDITIONAL, chain.dnssec && !glue.getName().subdomain(del.cut()));
      }
      return false;
    }

    @Override
    public Boolean noData(LookupResult.NoData noData, Chain chain) {
      addNegativeSoa(chain.response, chain.zone, chain.proofs);
      if (chain.proofs != null) {
        addProof(
            chain.response,
            chain.proofs.noData(chain.qname, noData.wildcard(), noData.encloserLabels()));
      }
      return false;
    }

    @Override
    public Boolean nxDomain(LookupResult.NxDomain nxDomain, Chain chain) {
      chain.response.getHeader().setRcode(Rcode.NXDOMAIN);
      addNegativeSoa(chain.response, chain.zone, chain.proofs);
      if (chain.proofs != null) {
        addProof(chain.response, chain.proofs.nxDomain(chain.qname, nxDomain.encloserLabels()));
      }
      return false;
    }
  }

  /** A proof's RRsets (NSEC, NSEC3 or DS), each with its RRSIGs, into the authority section. */
  private static void addProof(Message r, List<RRset> proof) {
    for (RRset set : proof) {
      addRRset(r, set, Section.AUTHORITY, true);
    }
  }

  /**
   * RFC 2308 §3: SOA in authority with TTL min(SOA TTL, SOA MINIMUM); with {@code proofs}, its
   * RRSIGs with the same TTL.
   */
  private static void addNegativeSoa(Message r, ZoneSnapshot zone, DnssecProofs proofs) {
    SOARecord soa = zone.soa();
    long ttl = Math.min(soa.getTTL(), soa.getMinimum());
    addRecord(
        r,
        ttl == soa.getTTL()
            ? soa
            : new SOARecord(
                soa.getName(),
                soa.getDClass(),
                ttl,
                soa.getHost(),
                soa.getAdmin(),
                soa.getSerial(),
                soa.getRefresh(),
                soa.getRetry(),
                soa.getExpire(),
                soa.getMinimum()),
        Section.AUTHORITY);
    if (proofs != null) {
      for (Record sig : proofs.negativeSoaSignatures()) {
        addRecord(r, sig, Section.AUTHORITY);
      }
    }
  }

  /** Addresses of in-zone NS, MX and SRV targets. */
  private static void addAdditional(
      Message r, ZoneSnapshot zone, List<RRset> sets, boolean dnssec) {
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
}
