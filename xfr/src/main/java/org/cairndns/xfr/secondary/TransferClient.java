package org.cairndns.xfr.secondary;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.cairndns.xfr.TransferTally;
import org.cairndns.xfr.secondary.PrimaryConnection.Exchange;
import org.cairndns.xfr.secondary.PrimaryConnection.Received;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * SOA checks and transfers against one primary over pooled connections: IXFR first when we have a
 * version, AXFR otherwise or when IXFR fails, on the same connection. TSIG-signed responses are
 * verified message by message. At most {@code transfersPerPrimary} transfers (not SOA checks) run
 * at once from one primary address, across all zones; one over the limit waits up to {@code
 * timeout}.
 */
public final class TransferClient {
  private static final Logger log = LoggerFactory.getLogger(TransferClient.class);

  private final PrimaryPool pool;
  private final Duration timeout;
  private final XotProbes probes;
  private final TransferSlots slots;
  private final TransferTally tally = new TransferTally();

  /**
   * @param timeout connect, per-message and transfer-slot wait
   * @param transfersPerPrimary transfers at once from one primary address (BIND's transfers-per-ns)
   */
  public TransferClient(
      PrimaryPool pool, Duration timeout, XotProbes probes, int transfersPerPrimary) {
    this.pool = pool;
    this.timeout = timeout;
    this.probes = probes;
    this.slots = new TransferSlots(transfersPerPrimary);
  }

  /**
   * The opportunistic-TLS probe state of {@code p}, or null when its transport is fixed (TCP or
   * TLS).
   */
  public XotProbes.Entry probe(PrimarySettings p) {
    return p.mode() == PrimarySettings.Mode.OPPORTUNISTIC_TLS && probes != null
        ? probes.entry(p.address())
        : null;
  }

  private boolean useTls(PrimarySettings p) {
    return switch (p.mode()) {
      case TCP -> false;
      case TLS -> true;
      case OPPORTUNISTIC_TLS ->
          probes != null && probes.useTls(p, primary -> speaksTls(primary, timeout));
    };
  }

  /** The probe: does a TLS handshake with the primary succeed? */
  static boolean speaksTls(PrimarySettings p, Duration timeout) {
    try {
      TlsClientSockets.open(ConnectionPolicy.of(p, true), (int) timeout.toMillis()).close();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private PrimaryConnection connection(PrimarySettings p) throws TransferFailure {
    try {
      return pool.connection(ConnectionPolicy.of(p, useTls(p)));
    } catch (IOException e) {
      throw new TransferFailure(
          "cannot connect to primary " + p.address() + ": " + e.getMessage(), e);
    }
  }

  /** The primary's current serial for {@code zone}. */
  public long soaSerial(Name zone, PrimarySettings p) throws TransferFailure {
    Message q = Message.newQuery(Record.newRecord(zone, Type.SOA, DClass.IN));
    q.addRecord(ednsWithKeepalive(), Section.ADDITIONAL);
    Exchange x = send(connection(p), q, p.tsig());
    try {
      Received r = x.next(timeout);
      verifySingle(r, x, p.tsig(), p);
      Message m = r.message();
      if (m.getRcode() != Rcode.NOERROR) {
        throw new TransferFailure(
            "primary "
                + p.address()
                + " answered "
                + Rcode.string(m.getRcode())
                + " to SOA "
                + zone);
      }
      for (Record rr : m.getSection(Section.ANSWER)) {
        if (rr instanceof SOARecord soa && soa.getName().equals(zone)) {
          return soa.getSerial();
        }
      }
      throw new TransferFailure("primary " + p.address() + " has no SOA for " + zone);
    } finally {
      x.done();
    }
  }

  /**
   * IXFR from {@code ourSerial} (or AXFR when it is negative), falling back to AXFR; the whole,
   * with the fallback, holds one of the primary's transfer slots.
   */
  public TransferReader.Result transfer(
      Name zone, long ourSerial, SOARecord ourSoa, PrimarySettings p) throws TransferFailure {
    try (TransferSlots.Slot slot = slots.acquire(p.address(), timeout)) {
      if (slot.waitedMillis() >= 0) {
        log.info(
            "zone={} event=transfer-slot-waited primary={} waited_ms={} transfers_per_primary={}",
            zone,
            p.address(),
            slot.waitedMillis(),
            slots.perPrimary());
      }
      return transferHoldingSlot(zone, ourSerial, ourSoa, p);
    }
  }

  /** The transfers this client ran, by type and result, and the bytes they brought. */
  public TransferTally tally() {
    return tally;
  }

  /** Transfers waiting for a slot from {@code primary} (tests wait on it). */
  int waitingForSlot(InetSocketAddress primary) {
    return slots.waiting(primary);
  }

  private TransferReader.Result transferHoldingSlot(
      Name zone, long ourSerial, SOARecord ourSoa, PrimarySettings p) throws TransferFailure {
    PrimaryConnection c = connection(p);
    if (ourSoa != null) {
      try {
        return run(c, zone, ourSerial, ourSoa, p);
      } catch (TransferFailure ixfrFailed) {
        if (!c.isOpen()) {
          throw ixfrFailed;
        }
        // fall through to AXFR on the same connection
      }
    }
    return run(c, zone, -1, null, p);
  }

  private TransferReader.Result run(
      PrimaryConnection c, Name zone, long ourSerial, SOARecord ourSoa, PrimarySettings p)
      throws TransferFailure {
    Message q =
        Message.newQuery(Record.newRecord(zone, ourSoa == null ? Type.AXFR : Type.IXFR, DClass.IN));
    if (ourSoa != null) {
      q.addRecord(ourSoa, Section.AUTHORITY);
    }
    q.addRecord(ednsWithKeepalive(), Section.ADDITIONAL);
    TransferTally.Kind kind = ourSoa == null ? TransferTally.Kind.AXFR : TransferTally.Kind.IXFR;
    TransferTally.Result outcome = TransferTally.Result.FAILED;
    Exchange x = send(c, q, p.tsig());
    TransferReader reader = new TransferReader(zone, ourSerial, p.limits());
    try {
      TSIG.StreamVerifier verifier =
          p.tsig() == null ? null : new TSIG.StreamVerifier(p.tsig(), x.sentTsig());
      while (true) {
        Received r = reader.next(x::next, timeout);
        tally.addBytes(r.wire().length);
        // Only the reader knows the message with the closing SOA is the last one, which RFC 8945
        // §5.3.1 requires to be signed (as the first, with at most 99 unsigned between); so it
        // reads
        // first, and what it read goes with it when the check fails.
        Message signed = verifier != null ? r.message() : null; // parsed once, for the reader too
        boolean last = reader.feed(r.wire(), signed);
        if (verifier != null) {
          int result = verifier.verify(signed, r.wire(), last);
          if (result != Rcode.NOERROR) {
            String detail =
                result == Rcode.FORMERR && verifier.getErrorMessage() != null
                    ? verifier.getErrorMessage()
                    : Rcode.TSIGstring(result);
            throw new TransferFailure(
                "TSIG check failed on transfer message "
                    + reader.messages()
                    + " from "
                    + p.address()
                    + ": "
                    + detail);
          }
        }
        if (last) {
          TransferReader.Result whole = reader.result();
          outcome = TransferTally.Result.SUCCESS;
          return whole;
        }
      }
    } finally {
      tally.record(kind, outcome);
      x.done();
      if (reader.limitExceeded()) {
        c.close(); // the rest of an endless response would keep coming: no fallback on this
        // connection
      }
    }
  }

  /** OPT asking for the primary's keepalive (RFC 7828: it only sends one when asked). */
  private static OPTRecord ednsWithKeepalive() {
    return new OPTRecord(
        1232,
        0,
        0,
        0,
        java.util.List.of(
            new org.xbill.DNS.GenericEDNSOption(EDNSOption.Code.TCP_KEEPALIVE, new byte[0])));
  }

  private static Exchange send(PrimaryConnection c, Message q, TSIG key) throws TransferFailure {
    if (key != null) {
      q.setTSIG(key);
    }
    try {
      return c.send(q);
    } catch (IOException e) {
      throw new TransferFailure("cannot send to primary: " + e.getMessage(), e);
    }
  }

  private static void verifySingle(Received r, Exchange x, TSIG key, PrimarySettings p)
      throws TransferFailure {
    if (key != null && key.verify(r.message(), r.wire(), x.sentTsig()) != Rcode.NOERROR) {
      throw new TransferFailure("TSIG check failed on the SOA answer from " + p.address());
    }
  }
}
