package org.cairndns.zone.dnssec;

import java.time.Instant;
import java.util.Optional;
import org.cairndns.zone.ZoneSnapshot;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * The signature of a zone that expires first: expired signatures are the commonest DNSSEC outage,
 * so loading warns of it and a server logs it at each publish. Fed one RRSIG at a time, from
 * records or, without decoding a record, from a snapshot's bytes.
 */
public final class SignatureExpiry {
  /** The RRSIG at {@code owner} over its {@code covered} RRset expires at {@code expires}. */
  public record Signature(Name owner, int covered, Instant expires) {
    @Override
    public String toString() {
      return owner + " RRSIG " + Type.string(covered) + " expires " + expires;
    }
  }

  /**
   * RRSIG RDATA: type covered, algorithm, labels, original TTL, then the expiration (RFC 4034
   * §3.1).
   */
  private static final int EXPIRATION_OFFSET = 8;

  private long earliestSeconds = Long.MAX_VALUE;
  private Name owner;
  private int covered;

  /**
   * The earliest expiring signature of {@code zone}, or empty for an unsigned zone; reads its bytes
   * only.
   */
  public static Optional<Signature> earliest(ZoneSnapshot zone) {
    SignatureExpiry expiry = new SignatureExpiry();
    zone.forEachRecordAfterSoa(
        (name, nameOffset, type, dclass, ttl, rdata, rdataOffset, rdataLength) -> {
          if (type == Type.RRSIG && rdataLength >= EXPIRATION_OFFSET + 4) {
            long expires = u32(rdata, rdataOffset + EXPIRATION_OFFSET);
            if (expires < expiry.earliestSeconds) { // the name is decoded for a new earliest only
              expiry.earliestSeconds = expires;
              expiry.owner = wireName(name, nameOffset);
              expiry.covered = (rdata[rdataOffset] & 0xff) << 8 | (rdata[rdataOffset + 1] & 0xff);
            }
          }
        });
    return expiry.earliest();
  }

  void add(RRSIGRecord sig) {
    long expires = sig.getExpire().getEpochSecond();
    if (expires < earliestSeconds) {
      earliestSeconds = expires;
      owner = sig.getName();
      covered = sig.getTypeCovered();
    }
  }

  Optional<Signature> earliest() {
    return owner == null
        ? Optional.empty()
        : Optional.of(new Signature(owner, covered, Instant.ofEpochSecond(earliestSeconds)));
  }

  private static long u32(byte[] b, int at) {
    return (b[at] & 0xffL) << 24
        | (b[at + 1] & 0xffL) << 16
        | (b[at + 2] & 0xffL) << 8
        | (b[at + 3] & 0xffL);
  }

  private static Name wireName(byte[] name, int offset) {
    try {
      DNSInput in = new DNSInput(name);
      in.jump(offset);
      return new Name(in);
    } catch (WireParseException e) { // the snapshot holds only names it could parse
      throw new IllegalStateException(e);
    }
  }
}
