package org.cairndns.xfr.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.cairndns.request.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;

/**
 * NOTIFY out to a test secondary on loopback over UDP and TCP: signing, retries and what counts as
 * an acknowledgement.
 */
class NotifySenderIT {
  static final SOARecord SOA =
      new SOARecord(
          Name.fromConstantString("n.test."),
          DClass.IN,
          300,
          Name.fromConstantString("ns.n.test."),
          Name.fromConstantString("hm.n.test."),
          7,
          1,
          1,
          1,
          1);
  static final TSIG KEY =
      new TSIG("hmac-sha256", "notify-key.", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0");
  static final TSIG SAME_NAME_OTHER_SECRET =
      new TSIG("hmac-sha256", "notify-key.", "b3RoZXJvdGhlcm90aGVyb3RoZXI=");

  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  /** A NOTIFY response to {@code notify}, signed with {@code key} when not null. */
  static byte[] acknowledgement(Message notify, int rcode, TSIG key, int tsigError) {
    Message ack = new Message(notify.getHeader().getID());
    ack.getHeader().setOpcode(Opcode.NOTIFY);
    ack.getHeader().setFlag(Flags.QR);
    ack.getHeader().setFlag(Flags.AA);
    ack.getHeader().setRcode(rcode);
    ack.addRecord(notify.getQuestion(), Section.QUESTION);
    if (key != null) {
      ack.setTSIG(key, tsigError, notify.getTSIG());
    }
    return ack.toWire(512);
  }

  @ParameterizedTest
  @EnumSource(
      value = Transport.class,
      names = {"UDP", "TCP"})
  void signedNotifyIsRetriedUntilTheSecondaryVerifiesAndAcknowledgesIt(Transport transport)
      throws Exception {
    try (Secondary secondary =
        new Secondary(
            transport,
            (notify, wire, n) ->
                n == 1
                    ? null
                    : acknowledgement(
                        notify, Rcode.NOERROR, KEY, Rcode.NOERROR))) { // the first goes unanswered
      NotifySender.Target target = new NotifySender.Target(secondary.address(), transport);
      NotifySender.Result result =
          new NotifySender(scheduler, Duration.ofMillis(200), 5)
              .notifyAll(SOA, List.of(target), KEY)
              .get(0)
              .get(10, TimeUnit.SECONDS);

      assertEquals(new NotifySender.Result(target, 2, OptionalInt.of(Rcode.NOERROR)), result);
      for (int i = 0; i < 2; i++) {
        Secondary.Received r = secondary.next();
        assertEquals(Opcode.NOTIFY, r.message().getHeader().getOpcode());
        assertTrue(r.message().getHeader().getFlag(Flags.AA));
        assertEquals(SOA, r.message().getSection(Section.ANSWER).get(0));
        assertEquals(
            Rcode.NOERROR, KEY.verify(r.message(), r.wire(), null), "signed with the zone's key");
      }
    }
  }

  @Test
  void unsignedNotifyIsAcknowledgedAndNotSentAgain() throws Exception {
    try (Secondary secondary =
        new Secondary(
            Transport.UDP, (notify, wire, n) -> acknowledgement(notify, Rcode.NOERROR, null, 0))) {
      NotifySender.Result result =
          new NotifySender(scheduler, Duration.ofMillis(100), 5)
              .notifyAll(SOA, List.of(NotifySender.Target.udp(secondary.address())), null)
              .get(0)
              .get(10, TimeUnit.SECONDS);
      assertEquals(1, result.tries());
      Secondary.Received first = secondary.next();
      assertNull(first.message().getTSIG());
      assertNull(
          secondary.received.poll(700, TimeUnit.MILLISECONDS),
          "no NOTIFY after the acknowledgement");
    }
  }

  @Test
  void aSecondaryWithAnotherSecretRejectsTheSignatureAndItsAnswerDoesNotCount() throws Exception {
    try (Secondary secondary =
        new Secondary(
            Transport.UDP,
            (notify, wire, n) -> {
              int verified = SAME_NAME_OTHER_SECRET.verify(notify, wire, null);
              return acknowledgement(
                  notify,
                  Rcode.NOTAUTH,
                  SAME_NAME_OTHER_SECRET,
                  verified); // RFC 8945 §5.2 error reply
            })) {
      NotifySender.Result result =
          new NotifySender(scheduler, Duration.ofMillis(50), 3)
              .notifyAll(SOA, List.of(NotifySender.Target.udp(secondary.address())), KEY)
              .get(0)
              .get(10, TimeUnit.SECONDS);
      assertEquals(
          OptionalInt.empty(), result.rcode(), "an unverifiable reply is no acknowledgement");
      assertEquals(3, result.tries());
      for (int i = 0; i < 3; i++) {
        Secondary.Received r = secondary.next();
        assertEquals(Rcode.BADSIG, SAME_NAME_OTHER_SECRET.verify(r.message(), r.wire(), null));
      }
    }
  }

  @Test
  void anUnsignedAnswerToASignedNotifyDoesNotCount() throws Exception {
    // A secondary that ignores TSIG (or anyone answering in its place) cannot stop the retries.
    try (Secondary secondary =
        new Secondary(
            Transport.TCP, (notify, wire, n) -> acknowledgement(notify, Rcode.NOERROR, null, 0))) {
      NotifySender.Result result =
          new NotifySender(scheduler, Duration.ofMillis(50), 2)
              .notifyAll(
                  SOA, List.of(new NotifySender.Target(secondary.address(), Transport.TCP)), KEY)
              .get(0)
              .get(10, TimeUnit.SECONDS);
      assertEquals(OptionalInt.empty(), result.rcode());
      assertNotNull(secondary.next().message().getTSIG());
      assertNotNull(secondary.next().message().getTSIG(), "sent again");
    }
  }

  @Test
  void aRefusedConnectionStillWaitsOutTheRetryInterval() throws Exception {
    InetSocketAddress closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = (InetSocketAddress) s.getLocalSocketAddress();
    }
    long started = System.nanoTime();
    NotifySender.Result result =
        new NotifySender(scheduler, Duration.ofMillis(100), 3)
            .notifyAll(SOA, List.of(new NotifySender.Target(closed, Transport.TCP)), null)
            .get(0)
            .get(10, TimeUnit.SECONDS);
    assertEquals(
        new NotifySender.Result(
            new NotifySender.Target(closed, Transport.TCP), 3, OptionalInt.empty()),
        result);
    assertTrue(System.nanoTime() - started >= 300_000_000L, "tries 1 and 2 waited 100 + 200 ms");
  }

  /** What the test secondary answers to its n-th NOTIFY (from 1); null sends nothing. */
  interface Answer {
    byte[] to(Message notify, byte[] wire, int n);
  }

  /**
   * A secondary on loopback that records every NOTIFY it receives over UDP or TCP and answers as
   * told.
   */
  static final class Secondary implements AutoCloseable {
    record Received(Message message, byte[] wire) {}

    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Answer answer;

    Secondary(Transport transport, Answer answer) throws IOException {
      this.answer = answer;
      InetAddress loopback = InetAddress.getLoopbackAddress();
      udp = transport == Transport.UDP ? new DatagramSocket(0, loopback) : null;
      tcp = transport == Transport.TCP ? new ServerSocket(0, 5, loopback) : null;
      Thread t = new Thread(udp != null ? this::serveUdp : this::serveTcp, "test-secondary");
      t.setDaemon(true);
      t.start();
    }

    InetSocketAddress address() {
      return (InetSocketAddress)
          (udp != null ? udp.getLocalSocketAddress() : tcp.getLocalSocketAddress());
    }

    Received next() throws InterruptedException {
      Received r = received.poll(10, TimeUnit.SECONDS);
      assertNotNull(r, "a NOTIFY arrived");
      return r;
    }

    private byte[] record(byte[] wire) throws IOException {
      Message m = new Message(wire);
      received.add(new Received(m, wire));
      return answer.to(m, wire, received.size());
    }

    private void serveUdp() {
      byte[] buf = new byte[4096];
      try {
        while (true) {
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          udp.receive(p);
          byte[] reply = record(Arrays.copyOf(buf, p.getLength()));
          if (reply != null) {
            udp.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
          }
        }
      } catch (IOException closed) {
        // the test is over
      }
    }

    private void serveTcp() {
      try {
        while (true) {
          try (Socket c = tcp.accept()) {
            DataInputStream in = new DataInputStream(c.getInputStream());
            byte[] wire = new byte[in.readUnsignedShort()];
            in.readFully(wire);
            byte[] reply = record(wire);
            if (reply != null) {
              DataOutputStream out = new DataOutputStream(c.getOutputStream());
              out.writeShort(reply.length);
              out.write(reply);
              out.flush();
              in.read(); // until the sender hangs up
            }
          }
        }
      } catch (IOException closed) {
        // the test is over
      }
    }

    @Override
    public void close() throws IOException {
      if (udp != null) {
        udp.close();
      }
      if (tcp != null) {
        tcp.close();
      }
    }
  }
}
