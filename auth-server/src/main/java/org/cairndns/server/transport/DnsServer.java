package org.cairndns.server.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.cairndns.request.Transport;
import org.cairndns.server.query.RequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP, TCP and TLS listeners. Native epoll when available (one UDP socket per core on the same
 * port with SO_REUSEPORT, up to 16 datagrams read per recvmmsg call, TCP Fast Open), NIO elsewhere.
 * UDP and the streams (TCP, TLS) have event loops of their own, as Knot has udp-workers and
 * tcp-workers: a loop serving both gave its UDP socket one read batch per turn between connections
 * writing 31 KB answers, so a TCP flood (the cache amplifier) starved UDP clients; apart, the
 * kernel schedules the UDP threads beside the busy stream threads (one stream thread instead of one
 * per core did not help UDP under the attack benchmark on two cores). A wildcard UDP listener on
 * epoll binds each of the host's addresses beside it too ({@link LocalAddressSockets}), so replies
 * leave from the address asked. Pipelines only: the logic is in {@link UdpHandler} and {@link
 * StreamHandler}.
 */
public final class DnsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DnsServer.class);

  /**
   * Threads that prepare and stream outgoing transfers (and answer refused ones). Above
   * xfr.transfers-out (default 10) a thread would only wait for a transfer permit, so 32 leaves
   * room for refusals and waits; further transfers queue for a thread.
   */
  public static final int TRANSFER_THREADS = 32;

  static final String TRANSFER_THREAD_NAME = "cairn-transfer";

  /** Transfer threads above none in use end after this long idle. */
  private static final long TRANSFER_THREAD_IDLE_SECONDS = 60;

  /** UDP send buffer: room for bursts of answers while the kernel is busy. */
  private static final int UDP_SEND_BUFFER = 4 << 20;

  /** Largest UDP request read whole (Netty's datagram buffer: what it was before batched reads). */
  private static final int UDP_MAX_REQUEST = 2048;

  /** Datagrams one recvmmsg call reads (epoll): one system call per batch rather than per query. */
  private static final int UDP_READ_BATCH = 16;

  /** Connections the kernel completes and queues until they are accepted. */
  private static final int ACCEPT_BACKLOG = 1024;

  /** TCP Fast Open: connections pending with data in their SYN (Linux, epoll only). */
  private static final int TCP_FASTOPEN_QUEUE = 256;

  /** A DNS message over TCP or TLS: a two-byte length, then at most 65,535 bytes. */
  private static final int MAX_FRAME = 2 + 65_535;

  /**
   * Closing: each listener gets this long to close, the event loops a quiet period and a timeout.
   */
  private static final long CLOSE_LISTENER_SECONDS = 2;

  private static final long SHUTDOWN_QUIET_MILLIS = 100;
  private static final long SHUTDOWN_TIMEOUT_MILLIS = 2_000;
  private static final long SHUTDOWN_WAIT_SECONDS = 5;

  static final String UDP_THREAD_NAME = "cairn-udp";
  static final String STREAM_THREAD_NAME = "cairn-stream";

  private final EventLoopGroup udpGroup;
  private final EventLoopGroup streamGroup;
  private final ExecutorService transferExecutor;
  private final List<Channel> channels = new ArrayList<>();
  private final Map<Integer, LocalAddressSockets> localSockets = new HashMap<>();
  private final List<InetSocketAddress> udp = new ArrayList<>();
  private final List<InetSocketAddress> tcp = new ArrayList<>();
  private final List<InetSocketAddress> tls = new ArrayList<>();
  private final ServerCounters counters = new ServerCounters();
  private final boolean epoll = Epoll.isAvailable();

  /**
   * What each new TCP/TLS connection is held to, read once as it is accepted: a reload replaces it
   * whole, and connections open keep the settings they started with.
   */
  private volatile ListenerSettings connectionSettings;

  private DnsServer(int threads) {
    this.udpGroup = eventLoops(threads, UDP_THREAD_NAME);
    this.streamGroup = eventLoops(threads, STREAM_THREAD_NAME);
    // Bounded, unlike a cached pool that grew a thread per transfer asked for. The queue needs no
    // bound of its own: a connection hands over one transfer at a time, so it holds at most one
    // per connection, and tcp-connections bounds those.
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            TRANSFER_THREADS,
            TRANSFER_THREADS,
            TRANSFER_THREAD_IDLE_SECONDS,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, TRANSFER_THREAD_NAME);
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    this.transferExecutor = pool;
  }

  private EventLoopGroup eventLoops(int threads, String name) {
    return new MultiThreadIoEventLoopGroup(
        threads,
        new DefaultThreadFactory(name),
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  /**
   * @param tlsHandlers makes the TLS handler for a new connection, or null when no TLS listener
   */
  public static DnsServer start(
      ListenerSettings settings,
      RequestHandler handler,
      Function<SocketChannel, SslHandler> tlsHandlers)
      throws IOException {
    int threads = Runtime.getRuntime().availableProcessors();
    DnsServer server = new DnsServer(threads);
    server.connectionSettings = settings;
    try {
      ConnectionLimiter limiter =
          new ConnectionLimiter(
              settings.tcpConnections(), settings.tcpConnectionsPerAddress(), server.counters);
      for (InetSocketAddress address : settings.listen()) {
        InetSocketAddress bound = server.bindTcp(address, handler, limiter, Transport.TCP, null);
        server.tcp.add(bound);
        // UDP on the port TCP got, so an ephemeral port (0) gives one port for both.
        server.udp.add(
            server.bindUdp(
                new InetSocketAddress(address.getAddress(), bound.getPort()),
                handler,
                threads,
                settings.udpReceiveBuffer()));
      }
      if (!settings.tlsListen().isEmpty() && tlsHandlers == null) {
        throw new IOException("tls-listen is set but no TLS certificate is available");
      }
      for (InetSocketAddress address : settings.tlsListen()) {
        server.tls.add(server.bindTcp(address, handler, limiter, Transport.TLS, tlsHandlers));
      }
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    log.info(
        "event=listening transport={} udp={} tcp={} tls={}",
        server.epoll ? "epoll" : "nio",
        server.udp,
        server.tcp,
        server.tls);
    return server;
  }

  private InetSocketAddress bindUdp(
      InetSocketAddress address, RequestHandler handler, int threads, int receiveBuffer)
      throws IOException {
    Bootstrap b =
        new Bootstrap()
            .group(udpGroup)
            .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .option(ChannelOption.SO_RCVBUF, receiveBuffer)
            .option(ChannelOption.SO_SNDBUF, UDP_SEND_BUFFER)
            .handler(new UdpHandler(handler, counters, null));
    int sockets = 1;
    if (epoll) {
      b.option(EpollChannelOption.SO_REUSEPORT, true)
          .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, UDP_MAX_REQUEST)
          // a buffer of UDP_READ_BATCH slots; as many datagrams per wakeup as before, in one call
          .option(
              ChannelOption.RECVBUF_ALLOCATOR,
              new FixedRecvByteBufAllocator(UDP_MAX_REQUEST * UDP_READ_BATCH)
                  .maxMessagesPerRead(UDP_READ_BATCH));
      sockets = threads;
      if (address.getAddress().isAnyLocalAddress()) {
        b = wildcard(b, address.getPort(), sockets, handler);
      }
    }
    InetSocketAddress bound = null;
    for (int i = 0; i < sockets; i++) {
      Channel ch = bind(b.bind(bound == null ? address : bound), address, "udp");
      channels.add(ch);
      if (bound == null) {
        bound = (InetSocketAddress) ch.localAddress();
      }
    }
    return bound;
  }

  /**
   * Binds the host's addresses on {@code port} (once per port), and returns the wildcard socket's
   * bootstrap: it reads each datagram's destination (IPv4) and replies from the socket bound there.
   * Specific-address sockets read no destination: the cost stays with the wildcard socket, which
   * sees few queries once the host's addresses are bound.
   */
  private Bootstrap wildcard(Bootstrap specific, int port, int sockets, RequestHandler handler)
      throws IOException {
    LocalAddressSockets local = localSockets.get(port);
    if (local == null) {
      local = new LocalAddressSockets(specific, port, sockets);
      localSockets.put(port, local);
      log.info(
          "event=udp-addresses-bound port={} addresses={}",
          port,
          local.bindHostAddresses().stream().map(InetAddress::getHostAddress).toList());
    }
    return specific
        .clone()
        .option(EpollChannelOption.IP_RECVORIGDSTADDR, true)
        .handler(new UdpHandler(handler, counters, local));
  }

  /**
   * The per-connection limits of {@code next} (idle, handshake and write timeouts, queries in
   * flight, write buffer, transfer time) for connections accepted from now on. Its addresses, UDP
   * receive buffer and connection counts are not taken: they are fixed while the listeners run.
   */
  public void publish(ListenerSettings next) {
    connectionSettings = next;
  }

  private InetSocketAddress bindTcp(
      InetSocketAddress address,
      RequestHandler handler,
      ConnectionLimiter limiter,
      Transport transport,
      Function<SocketChannel, SslHandler> tlsHandlers)
      throws IOException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(streamGroup)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ListenerSettings settings = connectionSettings;
                    ch.config()
                        .setWriteBufferWaterMark(
                            new WriteBufferWaterMark(
                                settings.tcpWriteBuffer() / 2, settings.tcpWriteBuffer()));
                    ch.pipeline().addLast("limit", limiter);
                    if (tlsHandlers != null) {
                      SslHandler tls = tlsHandlers.apply(ch);
                      tls.setHandshakeTimeout( // as now, a reload may have changed it
                          settings.tlsHandshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
                      ch.pipeline().addLast("tls", tls);
                    }
                    ch.pipeline()
                        .addLast("frame", new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 2, 0, 2))
                        .addLast(
                            "flow",
                            new FlowControlHandler()) // holds decoded frames while reading is
                        // paused
                        .addLast(
                            "dns",
                            new StreamHandler(
                                handler, transport, counters, transferExecutor, limiter, settings));
                  }
                });
    if (epoll) {
      b.option(ChannelOption.TCP_FASTOPEN, TCP_FASTOPEN_QUEUE);
    }
    Channel ch = bind(b.bind(address), address, transport.name().toLowerCase(Locale.ROOT));
    channels.add(ch);
    return (InetSocketAddress) ch.localAddress();
  }

  private static Channel bind(
      io.netty.channel.ChannelFuture future, InetSocketAddress address, String what)
      throws IOException {
    future.awaitUninterruptibly();
    if (future.isSuccess()) {
      return future.channel();
    }
    Throwable cause = future.cause();
    // Only EACCES means a privileged port; "in use" is a BindException too and must say so.
    boolean denied = String.valueOf(cause.getMessage()).contains("ermission denied");
    String reason =
        denied && address.getPort() > 0 && address.getPort() < 1024
            ? "port " + address.getPort() + " needs root or CAP_NET_BIND_SERVICE"
            : cause instanceof BindException
                ? "address in use or not available (" + cause.getMessage() + ")"
                : String.valueOf(cause.getMessage());
    throw new IOException(
        "cannot listen on "
            + what
            + " "
            + address.getAddress().getHostAddress()
            + ":"
            + address.getPort()
            + ": "
            + reason,
        cause);
  }

  public List<InetSocketAddress> udpAddresses() {
    return List.copyOf(udp);
  }

  public List<InetSocketAddress> tcpAddresses() {
    return List.copyOf(tcp);
  }

  public List<InetSocketAddress> tlsAddresses() {
    return List.copyOf(tls);
  }

  public ServerCounters counters() {
    return counters;
  }

  /** Stops accepting, lets in-flight work finish briefly, then stops the event loops. */
  @Override
  public void close() {
    for (Channel ch : channels) {
      ch.close().awaitUninterruptibly(CLOSE_LISTENER_SECONDS, TimeUnit.SECONDS);
    }
    localSockets.values().forEach(LocalAddressSockets::close);
    Future<?> udpStopped =
        udpGroup.shutdownGracefully(
            SHUTDOWN_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    streamGroup
        .shutdownGracefully(SHUTDOWN_QUIET_MILLIS, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
    udpStopped.awaitUninterruptibly(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
    transferExecutor.shutdownNow();
    log.info("event=stopped counters={}", counters.snapshot());
  }
}
