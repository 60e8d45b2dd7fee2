package org.cairndns.server.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.xfr.acl.TransferPolicy;
import org.cairndns.xfr.primary.TransferService;
import org.cairndns.xfr.primary.TransferSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.TSIG;

/**
 * Any request bytes over UDP, TCP or TLS (the first input byte picks which), answered from {@link
 * ZoneAnswererTest}'s zone with TSIG, NOTIFY and outgoing transfers enabled: the processor replies,
 * drops or streams a transfer; it never throws and logs nothing at WARN or above (an unexpected
 * exception inside it is logged and answered SERVFAIL: a failure here). Every reply parses, carries
 * the request's ID and opcode, fits the transport, and repeating the request (now possibly from the
 * response cache) gives the same bytes. See docs/fuzzing.md.
 */
class QueryProcessorFuzzTest {
  static final TSIG KEY =
      new TSIG(TSIG.HMAC_SHA256, "fuzz-key.", "Y2Fpcm4tZnV6ei10ZXN0LWtleS0zMi1ieXRlcy1sb25nIQ==");
  static final Map<Name, TSIG> KEYS = Map.of(Name.fromConstantString("fuzz-key."), KEY);
  static final TransferPolicy LOCAL =
      new TransferPolicy(
          List.of(
              new TransferPolicy.Entry(TransferPolicy.Cidr.parse("127.0.0.0/8"), null, null, null)),
          Set.of(Transport.TCP, Transport.TLS));
  static final QueryConfig CONFIG =
      new QueryConfig(
          1232, Duration.ofSeconds(10), new QueryConfig.ChaosIdentity("Cairn fuzz", "host1", null));
  static final int MAX_TRANSFER_MESSAGES = 1000;

  /** Everything logged at WARN or above under org.cairndns while an input runs. */
  static final List<ILoggingEvent> warnings = new CopyOnWriteArrayList<>();

  static final Logger projectLog = (Logger) LoggerFactory.getLogger("org.cairndns");
  static final AppenderBase<ILoggingEvent> collector =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
          warnings.add(event);
        }
      };

  @BeforeAll
  static void collectWarnings() {
    collector.start();
    projectLog.addAppender(collector);
    projectLog.setLevel(Level.WARN); // transfer INFO lines would be one per input
    projectLog.setAdditive(false);
  }

  @AfterAll
  static void restoreLogging() {
    projectLog.detachAppender(collector);
    projectLog.setLevel(null);
    projectLog.setAdditive(true);
  }

  @FuzzTest
  @SuppressWarnings("EnumOrdinal") // the input's first byte picks the transport by index
  void answerAnyRequest(byte[] input) {
    if (input.length == 0) {
      return;
    }
    Transport transport = Transport.values()[(input[0] & 0xFF) % Transport.values().length];
    byte[] request = Arrays.copyOfRange(input, 1, input.length);
    Requester requester = Requester.of(new InetSocketAddress("127.0.0.1", 5353), transport);
    // Fresh per input, so that no state (cache, transfer slots) carries from one input to the next.
    TransferService transfers =
        new TransferService(
            n -> ZoneAnswererTest.ZONES.get(n),
            (zone, serial) -> Optional.empty(),
            new TransferSettings(
                65_000,
                0,
                10,
                2,
                Duration.ofMillis(50),
                Map.of(Name.fromConstantString("q.test."), LOCAL),
                KEYS));
    QueryProcessor processor =
        new QueryProcessor(
            ZoneAnswererTest.ZONES, transfers, (notify, from) -> Rcode.NOERROR, CONFIG, KEYS);
    warnings.clear();

    Message query = parsedOrNull(request);
    Outcome first = processor.handle(request, requester);
    checkNoWarnings();
    if (first instanceof Outcome.Reply reply) {
      checkReply(request, query, reply.wire(), transport);
      if (query == null || query.getTSIG() == null) { // a TSIG reply carries the time it was signed
        Outcome again = processor.handle(request, requester);
        checkNoWarnings();
        assertArrayEquals(
            reply.wire(),
            assertInstanceOf(Outcome.Reply.class, again).wire(),
            "the same request answered differently");
      }
    } else if (first instanceof Outcome.Messages messages) {
      assertTrue(transport.isStream(), "a transfer over UDP");
      drain(request, messages.messages());
      checkNoWarnings();
    }
  }

  private static void checkNoWarnings() {
    if (warnings.isEmpty()) {
      return;
    }
    ILoggingEvent event = warnings.get(0);
    AssertionError failure =
        new AssertionError("logged for one request: " + event.getFormattedMessage());
    if (event.getThrowableProxy() instanceof ThrowableProxy proxy) {
      failure.initCause(proxy.getThrowable());
    }
    throw failure;
  }

  private static void checkReply(byte[] request, Message query, byte[] wire, Transport transport) {
    assertTrue(wire.length >= Header.LENGTH);
    assertEquals(request[0], wire[0], "ID");
    assertEquals(request[1], wire[1], "ID");
    assertTrue((wire[2] & 0x80) != 0, "QR");
    assertEquals(request[2] & 0x78, wire[2] & 0x78, "opcode");
    if (transport == Transport.UDP) {
      int limit = query != null && query.getOPT() == null ? 512 : CONFIG.udpPayload();
      assertTrue(wire.length <= limit, "UDP reply of " + wire.length + " bytes");
    }
    parse(wire);
  }

  private static void drain(byte[] request, Iterator<byte[]> messages) {
    try {
      for (int n = 0; messages.hasNext(); n++) {
        assertTrue(n < MAX_TRANSFER_MESSAGES, "endless transfer of a 30-record zone");
        byte[] wire = messages.next();
        assertEquals(request[0], wire[0], "ID");
        assertEquals(request[1], wire[1], "ID");
        parse(wire);
      }
    } finally {
      if (messages instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          fail("closing a transfer", e);
        }
      }
    }
  }

  private static Message parse(byte[] wire) {
    try {
      return new Message(wire);
    } catch (IOException e) {
      throw new AssertionError("a reply dnsjava cannot parse", e);
    }
  }

  /** The request as dnsjava reads it, or null when it cannot read all of it. */
  private static Message parsedOrNull(byte[] request) {
    try {
      Message query = new Message(request);
      query.getTSIG(); // throws when dnsjava read only part of the message (TC=1)
      return query;
    } catch (IOException | RuntimeException unparsable) {
      return null;
    }
  }
}
