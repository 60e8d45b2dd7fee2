package org.cairndns.xfr.notify;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.cairndns.request.Transport;
import org.cairndns.zone.ZoneSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

/**
 * Sends NOTIFY (RFC 1996) for a new zone version to each secondary over UDP or TCP, optionally
 * TSIG-signed, retrying with a doubling interval until the secondary answers (a NOTIFY response
 * with the same ID, and a valid TSIG when we signed) or the tries run out. Runs on the given
 * scheduler; nothing blocks the caller.
 */
public final class NotifySender {
  private static final Logger log = LoggerFactory.getLogger(NotifySender.class);

  /** Where a NOTIFY goes and how: UDP (RFC 1996's default) or TCP. */
  public record Target(InetSocketAddress address, Transport transport) {
    public Target {
      if (transport == Transport.TLS) {
        throw new IllegalArgumentException("NOTIFY goes over UDP or TCP");
      }
    }

    public static Target udp(InetSocketAddress address) {
      return new Target(address, Transport.UDP);
    }

    @Override
    public String toString() { // as logged: udp/192.0.2.1:53
      return transport.name().toLowerCase(java.util.Locale.ROOT)
          + "/"
          + address.getAddress().getHostAddress()
          + ":"
          + address.getPort();
    }
  }

  /**
   * How one target's NOTIFY ended: the rcode it answered with, or empty when no answer came in
   * {@code tries}.
   */
  public record Result(Target target, int tries, OptionalInt rcode) {}

  private final ScheduledExecutorService scheduler;
  private final Duration firstRetry;
  private final int tries;
  private final LongAdder answered = new LongAdder();
  private final LongAdder unanswered = new LongAdder();

  public NotifySender(ScheduledExecutorService scheduler, Duration firstRetry, int tries) {
    this.scheduler = scheduler;
    this.firstRetry = firstRetry;
    this.tries = tries;
  }

  /** NOTIFYs that their target answered (whatever the rcode), counting a target once per change. */
  public long answered() {
    return answered.sum();
  }

  /** NOTIFYs given up on after every try went unanswered, counting a target once per change. */
  public long unanswered() {
    return unanswered.sum();
  }

  /**
   * The addresses (port 53) of the zone's own name servers that this zone holds addresses for,
   * except the primary master named in the SOA MNAME (RFC 1996 §3.6: that is us).
   */
  public static List<InetSocketAddress> nsTargets(ZoneSnapshot zone) {
    List<InetSocketAddress> out = new ArrayList<>();
    RRset ns = zone.rrset(zone.origin(), Type.NS);
    if (ns == null) {
      return out;
    }
    for (Record r : ns.rrs(false)) {
      Name target = ((NSRecord) r).getTarget();
      if (target.equals(zone.soa().getHost())) {
        continue;
      }
      for (RRset addresses : zone.addresses(target)) {
        for (Record a : addresses.rrs(false)) {
          java.net.InetAddress ip =
              a instanceof ARecord v4 ? v4.getAddress() : ((AAAARecord) a).getAddress();
          out.add(new InetSocketAddress(ip, 53));
        }
      }
    }
    return out;
  }

  /**
   * Notifies every target of {@code soa}'s zone; {@code key} signs the NOTIFY when not null. Each
   * future completes when that target answered or was given up on.
   */
  public List<CompletableFuture<Result>> notifyAll(SOARecord soa, List<Target> targets, TSIG key) {
    List<CompletableFuture<Result>> results = new ArrayList<>();
    for (Target target : targets) {
      CompletableFuture<Result> done = new CompletableFuture<>();
      results.add(done);
      scheduler.execute(() -> attempt(soa, target, key, 1, firstRetry, done));
    }
    return results;
  }

  private void attempt(
      SOARecord soa,
      Target target,
      TSIG key,
      int attempt,
      Duration wait,
      CompletableFuture<Result> done) {
    Message notify = Message.newQuery(Record.newRecord(soa.getName(), Type.SOA, soa.getDClass()));
    notify.getHeader().setOpcode(Opcode.NOTIFY);
    notify.getHeader().unsetFlag(Flags.RD);
    notify.getHeader().setFlag(Flags.AA);
    notify.addRecord(soa, Section.ANSWER);
    if (key != null) {
      notify.setTSIG(key);
    }
    long started = System.nanoTime();
    Exchange exchange =
        new Exchange(soa.getName(), target, notify.toWire(512), notify.getHeader().getID(), key);
    Message reply = null;
    try {
      reply = target.transport() == Transport.TCP ? exchange.overTcp(wait) : exchange.overUdp(wait);
    } catch (SocketTimeoutException noAnswerYet) {
      // retry below
    } catch (IOException e) {
      log.debug(
          "zone={} event=notify-error target={} error=\"{}\"", soa.getName(), target, e.toString());
    }
    if (reply != null) {
      log.info(
          "zone={} event=notify-acknowledged target={} serial={} rcode={} tries={}",
          soa.getName(),
          target,
          soa.getSerial(),
          Rcode.string(reply.getRcode()),
          attempt);
      answered.increment();
      done.complete(new Result(target, attempt, OptionalInt.of(reply.getRcode())));
      return;
    }
    if (attempt >= tries) {
      log.warn(
          "zone={} event=notify-gave-up target={} serial={} tries={}",
          soa.getName(),
          target,
          soa.getSerial(),
          attempt);
      unanswered.increment();
      done.complete(new Result(target, attempt, OptionalInt.empty()));
      return;
    }
    // A refused connection fails at once: the next try still waits out this try's interval.
    long rest = Math.max(0, wait.toNanos() - (System.nanoTime() - started));
    Duration next = wait.multipliedBy(2);
    scheduler.schedule(
        () -> attempt(soa, target, key, attempt + 1, next, done), rest, TimeUnit.NANOSECONDS);
  }

  /** One try: the NOTIFY on the wire, and how to recognise its answer. */
  private static final class Exchange {
    private final Name zone;
    private final Target target;
    private final byte[] wire;
    private final int id;
    private final TSIG key;
    private final TSIGRecord signature;

    Exchange(Name zone, Target target, byte[] wire, int id, TSIG key) {
      this.zone = zone;
      this.target = target;
      this.wire = wire;
      this.id = id;
      this.key = key;
      this.signature = key == null ? null : parse(wire).getTSIG(); // the reply's MAC covers ours
    }

    /**
     * Sends the datagram and waits for the answer; a connected socket takes replies from the target
     * only.
     */
    Message overUdp(Duration wait) throws IOException {
      try (DatagramSocket socket = new DatagramSocket()) {
        socket.connect(target.address());
        socket.send(new DatagramPacket(wire, wire.length));
        byte[] buf = new byte[4096];
        long deadline = System.nanoTime() + wait.toNanos();
        for (long left = wait.toMillis();
            left > 0;
            left = (deadline - System.nanoTime()) / 1_000_000) {
          socket.setSoTimeout((int) Math.max(1, left));
          DatagramPacket packet = new DatagramPacket(buf, buf.length);
          socket.receive(packet);
          Message reply = answer(Arrays.copyOf(buf, packet.getLength()));
          if (reply != null) {
            return reply;
          }
        }
        return null;
      }
    }

    /** Connects, sends the framed NOTIFY (RFC 7766) and reads framed replies until the answer. */
    Message overTcp(Duration wait) throws IOException {
      int millis = (int) Math.max(1, wait.toMillis());
      try (Socket socket = new Socket()) {
        socket.connect(target.address(), millis);
        socket.setSoTimeout(millis);
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeShort(wire.length);
        out.write(wire);
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        long deadline = System.nanoTime() + wait.toNanos();
        for (long left = wait.toMillis();
            left > 0;
            left = (deadline - System.nanoTime()) / 1_000_000) {
          socket.setSoTimeout(
              (int) Math.max(1, left)); // replies that are not ours do not stretch the wait
          byte[] frame = new byte[in.readUnsignedShort()];
          in.readFully(frame);
          Message reply = answer(frame);
          if (reply != null) {
            return reply;
          }
        }
        return null;
      }
    }

    /**
     * The reply when it answers our NOTIFY: same ID, a NOTIFY response, and when we signed, a TSIG
     * that verifies (RFC 8945: an unsigned or badly signed reply to a signed request is not
     * trusted, so it counts as no reply).
     */
    private Message answer(byte[] replyWire) {
      Message reply = parse(replyWire);
      if (reply == null
          || reply.getHeader().getID() != id
          || reply.getHeader().getOpcode() != Opcode.NOTIFY
          || !reply.getHeader().getFlag(Flags.QR)) {
        return null;
      }
      if (key != null) {
        int verified = key.verify(reply, replyWire, signature);
        if (verified != Rcode.NOERROR) {
          TSIGRecord tsig = reply.getTSIG();
          log.warn(
              "zone={} event=notify-reply-unverified target={} rcode={} tsig={}",
              zone,
              target,
              Rcode.string(reply.getRcode()),
              tsig == null ? "none" : Rcode.TSIGstring(tsig.getError()));
          return null;
        }
      }
      return reply;
    }

    private static Message parse(byte[] wire) {
      try {
        return new Message(wire);
      } catch (IOException malformed) {
        return null;
      }
    }
  }
}
