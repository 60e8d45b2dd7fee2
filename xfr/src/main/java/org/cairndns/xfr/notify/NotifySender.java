package org.cairndns.xfr.notify;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * Sends NOTIFY (RFC 1996) for a new zone version to each secondary over UDP, retrying with a
 * doubling interval until the secondary acknowledges (a NOTIFY response with the same ID) or the
 * tries run out. Runs on the given scheduler; nothing blocks the caller.
 */
public final class NotifySender {
  private static final Logger log = LoggerFactory.getLogger(NotifySender.class);

  private final ScheduledExecutorService scheduler;
  private final Duration firstRetry;
  private final int tries;

  public NotifySender(ScheduledExecutorService scheduler, Duration firstRetry, int tries) {
    this.scheduler = scheduler;
    this.firstRetry = firstRetry;
    this.tries = tries;
  }

  /**
   * The addresses (port 53) of the zone's own name servers that this zone holds addresses for,
   * except the primary master named in the SOA MNAME (RFC 1996 §3.6: that is us).
   */
  public static List<InetSocketAddress> nsTargets(org.cairndns.zone.ZoneSnapshot zone) {
    List<InetSocketAddress> out = new java.util.ArrayList<>();
    org.xbill.DNS.RRset ns = zone.rrset(zone.origin(), Type.NS);
    if (ns == null) {
      return out;
    }
    for (Record r : ns.rrs(false)) {
      org.xbill.DNS.Name target = ((org.xbill.DNS.NSRecord) r).getTarget();
      if (target.equals(zone.soa().getHost())) {
        continue;
      }
      for (org.xbill.DNS.RRset addresses : zone.addresses(target)) {
        for (Record a : addresses.rrs(false)) {
          java.net.InetAddress ip = a instanceof org.xbill.DNS.ARecord v4 ? v4.getAddress()
              : ((org.xbill.DNS.AAAARecord) a).getAddress();
          out.add(new InetSocketAddress(ip, 53));
        }
      }
    }
    return out;
  }

  /** Notifies every target of {@code soa}'s zone; {@code key} signs the NOTIFY when not null. */
  public void notifyAll(SOARecord soa, List<InetSocketAddress> targets, TSIG key) {
    for (InetSocketAddress target : targets) {
      scheduler.execute(() -> attempt(soa, target, key, 1, firstRetry));
    }
  }

  private void attempt(SOARecord soa, InetSocketAddress target, TSIG key, int attempt, Duration wait) {
    Message notify = Message.newQuery(Record.newRecord(soa.getName(), Type.SOA, soa.getDClass()));
    notify.getHeader().setOpcode(Opcode.NOTIFY);
    notify.getHeader().unsetFlag(Flags.RD);
    notify.getHeader().setFlag(Flags.AA);
    notify.addRecord(soa, Section.ANSWER);
    if (key != null) {
      notify.setTSIG(key);
    }
    byte[] wire = notify.toWire(512);
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
      socket.send(new DatagramPacket(wire, wire.length, target));
      byte[] buf = new byte[4096];
      long deadline = System.nanoTime() + wait.toNanos();
      while (System.nanoTime() < deadline) {
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        socket.receive(packet);
        Message reply = new Message(java.util.Arrays.copyOf(buf, packet.getLength()));
        if (reply.getHeader().getID() == notify.getHeader().getID()
            && reply.getHeader().getOpcode() == Opcode.NOTIFY && reply.getHeader().getFlag(Flags.QR)) {
          log.info("zone={} event=notify-acknowledged target={} serial={} rcode={} tries={}", soa.getName(),
              target, soa.getSerial(), Rcode.string(reply.getRcode()), attempt);
          return;
        }
      }
    } catch (SocketTimeoutException noAnswerYet) {
      // retry below
    } catch (IOException e) {
      log.debug("zone={} event=notify-error target={} error=\"{}\"", soa.getName(), target, e.toString());
    }
    if (attempt >= tries) {
      log.warn("zone={} event=notify-gave-up target={} serial={} tries={}", soa.getName(), target, soa.getSerial(), attempt);
      return;
    }
    Duration next = wait.multipliedBy(2);
    scheduler.schedule(() -> attempt(soa, target, key, attempt + 1, next), 0, TimeUnit.MILLISECONDS);
  }
}
