package org.cairndns.xfr.primary;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.cairndns.log.RateLimitedLog;
import org.cairndns.request.Requester;
import org.cairndns.xfr.KeyedPermits;
import org.cairndns.xfr.RequestSignature;
import org.cairndns.xfr.TransferResponder;
import org.cairndns.xfr.acl.TransferPolicy;
import org.cairndns.zone.ZoneSnapshot;
import org.cairndns.zone.store.ZoneDiff;
import org.cairndns.zone.store.ZoneStoreException;
import org.cairndns.zone.wire.AxfrRecords;
import org.cairndns.zone.wire.TransferMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

/**
 * Answers AXFR (RFC 5936) and IXFR (RFC 1995) from the published snapshot and the store's journal,
 * with access control, TSIG and limits on concurrent transfers. The records a transfer sends are
 * fixed when it starts, so a load landing mid-transfer does not change what it sends.
 */
public final class TransferService implements TransferResponder {
  private static final Logger log = LoggerFactory.getLogger(TransferService.class);

  /** (client, zone) denials remembered as logged; about 300 KB at most with the longest names. */
  static final int DENIALS_REMEMBERED = 1024;

  // Anyone can ask for a transfer: the lines a request triggers are rate-limited per call site.
  private static final RateLimitedLog denials =
      new RateLimitedLog(log, Level.INFO, "transfer-denied");
  private static final RateLimitedLog overLimit =
      new RateLimitedLog(log, Level.INFO, "transfer-limit");

  private final Function<Name, ZoneSnapshot> zones;
  private final JournalSource journal;

  /** Replaced whole by a reload; a transfer reads it once, when it is prepared. */
  private volatile TransferSettings settings;

  private final Semaphore total;
  private final KeyedPermits<InetAddress> perAddress;

  /** Denials already logged, so a secondary retrying the same refused transfer is logged once. */
  private final Map<String, Boolean> loggedDenials =
      Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size()
                  > DENIALS_REMEMBERED; // the names are the requester's choice: keep the latest
              // only
            }
          });

  public TransferService(
      Function<Name, ZoneSnapshot> zones, JournalSource journal, TransferSettings settings) {
    this.zones = zones;
    this.journal = journal;
    this.settings = settings;
    this.total = new Semaphore(settings.transfersOut(), true);
    this.perAddress = new KeyedPermits<>(settings.transfersOutPerAddress());
  }

  /**
   * Makes {@code next} the settings of every transfer prepared from now on; one already streaming
   * keeps those it started with. Its {@code transfersOut} and {@code transfersOutPerAddress} are
   * not taken: the slots are counted from start to stop (a restart changes them).
   */
  public void publish(TransferSettings next) {
    settings = next;
    loggedDenials.clear(); // under new ACLs a denial is news again
  }

  /**
   * Returns at once; the checks, the wait for a transfer slot and any journal read happen when the
   * transport first asks for a message, on its transfer thread rather than the event loop.
   */
  @Override
  public Iterator<byte[]> respond(Message request, byte[] wire, Requester requester) {
    return new Deferred(() -> prepare(request, wire, requester));
  }

  private Iterator<byte[]> prepare(Message request, byte[] wire, Requester requester) {
    TransferSettings settings = this.settings;
    Record question = request.getQuestion();
    Name zoneName = question.getName();
    TSIG key = null;
    TSIGRecord tsig = request.getTSIG();
    if (tsig != null) {
      int result = RequestSignature.verify(request, wire, settings.keys());
      if (result != Rcode.NOERROR) {
        logDenial(requester, zoneName, "tsig " + Rcode.TSIGstring(result));
        byte[] failure =
            RequestSignature.failure(
                refusal(request, Rcode.NOTAUTH, -1), request, result, settings.keys());
        return List.of(failure).iterator();
      }
      key = settings.keys().get(tsig.getName());
    }
    ZoneSnapshot zone = zones.apply(zoneName);
    if (zone == null) {
      return single(
          refusal(request, Rcode.NOTAUTH, ExtendedErrorCodeOption.NOT_AUTHORITATIVE), request, key);
    }
    TransferPolicy.Decision decision =
        settings.policy(zone.origin()).decide(requester, key == null ? null : tsig.getName());
    if (decision != TransferPolicy.Decision.ALLOWED) {
      logDenial(requester, zone.origin(), decision.name().toLowerCase(Locale.ROOT));
      int ede =
          decision == TransferPolicy.Decision.TRANSPORT_NOT_ALLOWED
              ? ExtendedErrorCodeOption.NOT_SUPPORTED
              : ExtendedErrorCodeOption.PROHIBITED;
      return single(refusal(request, Rcode.REFUSED, ede), request, key);
    }
    Runnable release = acquire(requester.address().getAddress(), settings.transferWait());
    if (release == null) {
      overLimit.log("event=transfer-limit client={} zone={}", requester.address(), zone.origin());
      return single(refusal(request, Rcode.SERVFAIL, -1), request, key);
    }
    try {
      List<Record> increment = question.getType() == Type.IXFR ? ixfrRecords(request, zone) : null;
      TransferMessages messages;
      int records;
      if (increment == null) { // the whole zone, written from the snapshot's bytes
        AxfrRecords whole = zone.axfrRecords();
        records = whole.count();
        messages =
            TransferMessages.of(
                request, whole, settings.messageSize(), settings.maxRecordsPerMessage(), key);
      } else {
        records = increment.size();
        messages =
            TransferMessages.of(
                request, increment, settings.messageSize(), settings.maxRecordsPerMessage(), key);
      }
      TransferStream stream = new TransferStream(messages, release);
      log.info(
          "event=transfer-out client={} transport={} zone={} type={} serial={} records={}",
          requester.address(),
          requester.transport(),
          zone.origin(),
          Type.string(question.getType()),
          zone.serial(),
          records);
      return stream;
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
  }

  /**
   * RFC 1995: single SOA when current, else incremental from the journal; null for the whole zone
   * (also when the difference has more records than the zone).
   */
  private List<Record> ixfrRecords(Message request, ZoneSnapshot zone) {
    long clientSerial = IxfrRequest.clientSerial(request);
    if (IxfrRequest.isCurrent(clientSerial, zone.serial())) {
      return List.of(zone.soa());
    }
    if (clientSerial != IxfrRequest.NO_SERIAL) {
      try {
        Optional<List<ZoneDiff>> steps = journal.journal(zone.origin(), clientSerial);
        if (steps.isPresent()
            && !steps.get().isEmpty()
            && steps.get().get(steps.get().size() - 1).toSerial() == zone.serial()) {
          // One condensed difference sequence (RFC 1995 allows it): smaller than every step.
          ZoneDiff diff = ZoneDiff.condense(steps.get());
          if (diff.deleted().size() + diff.added().size() > zone.size()) {
            // Larger than the zone (a re-signing replaces every RRSIG): the zone itself is
            // less to send and to apply, as BIND's max-ixfr-ratio (100%) decides.
            log.debug(
                "zone={} event=ixfr-as-axfr from_serial={} changes={} records={}",
                zone.origin(),
                clientSerial,
                diff.deleted().size() + diff.added().size(),
                zone.size());
            return null;
          }
          List<Record> records = new ArrayList<>(diff.deleted().size() + diff.added().size() + 4);
          records.add(zone.soa());
          records.add(diff.fromSoa());
          records.addAll(diff.deleted());
          records.add(diff.toSoa());
          records.addAll(diff.added());
          records.add(zone.soa());
          return records;
        }
      } catch (ZoneStoreException e) {
        log.warn(
            "zone={} event=journal-read-failed error=\"{}\" (sending the whole zone)",
            zone.origin(),
            e.getMessage());
      } catch (RuntimeException e) {
        log.error(
            "zone={} event=journal-read-failed error=\"{}\" (unexpected; sending the whole zone)",
            zone.origin(),
            e,
            e);
      }
    }
    return null;
  }

  /** Takes a total and a per-address permit, waiting at most the configured time; null if not. */
  private Runnable acquire(InetAddress client, Duration wait) {
    long waitNanos = wait.toNanos();
    long start = System.nanoTime();
    try {
      KeyedPermits<InetAddress>.Permit mine = perAddress.acquire(client, waitNanos);
      if (mine == null) {
        return null;
      }
      long left = Math.max(0, waitNanos - (System.nanoTime() - start));
      if (!total.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        mine.close();
        return null;
      }
      return () -> {
        total.release();
        mine.close();
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Client addresses with a transfer running or waiting (the per-address map's size). */
  int addressesTracked() {
    return perAddress.keys();
  }

  private void logDenial(Requester requester, Name zone, String why) {
    if (loggedDenials.put(
            requester.address().getAddress().getHostAddress() + "/" + zone, Boolean.TRUE)
        == null) {
      denials.log(
          "event=transfer-denied client={} transport={} zone={} reason={}",
          requester.address(),
          requester.transport(),
          zone,
          why);
    }
  }

  /** Denials remembered as logged (bounded by {@link #DENIALS_REMEMBERED}). */
  int denialsRemembered() {
    return loggedDenials.size();
  }

  /** An error response with the question, OPT (with EDE when given) if the request had OPT. */
  private static Message refusal(Message request, int rcode, int ede) {
    Message r = new Message(request.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setOpcode(request.getHeader().getOpcode());
    r.getHeader().setRcode(rcode);
    r.addRecord(request.getQuestion(), Section.QUESTION);
    OPTRecord opt = request.getOPT();
    if (opt != null) {
      List<EDNSOption> options = ede < 0 ? List.of() : List.of(new ExtendedErrorCodeOption(ede));
      r.addRecord(new OPTRecord(opt.getPayloadSize(), 0, 0, 0, options), Section.ADDITIONAL);
    }
    return r;
  }

  /** An iterator made on first use; closing it closes what it made. */
  private static final class Deferred implements Iterator<byte[]>, AutoCloseable {
    private final java.util.function.Supplier<Iterator<byte[]>> maker;
    private Iterator<byte[]> made;

    Deferred(java.util.function.Supplier<Iterator<byte[]>> maker) {
      this.maker = maker;
    }

    private Iterator<byte[]> made() {
      if (made == null) {
        made = maker.get();
      }
      return made;
    }

    @Override
    public boolean hasNext() {
      return made().hasNext();
    }

    @Override
    public byte[] next() {
      return made().next();
    }

    @Override
    public void close() {
      if (made instanceof TransferStream stream) {
        stream.close();
      }
    }
  }

  private static Iterator<byte[]> single(Message response, Message request, TSIG key) {
    if (key != null && request != null) {
      response.setTSIG(key, Rcode.NOERROR, request.getTSIG());
    }
    return List.of(response.toWire(65_535)).iterator(); // toWire(max) is what applies TSIG
  }
}
