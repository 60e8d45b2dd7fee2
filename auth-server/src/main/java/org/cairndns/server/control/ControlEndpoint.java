package org.cairndns.server.control;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.cairndns.server.config.CairnConfig;
import org.cairndns.zone.store.OwnerOnlyFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the operator's commands reach the running server ({@code cairn status}, {@code cairn zone
 * status}...): a Unix-domain socket beside the store, mode 0600, so only the server's user can
 * connect. Without epoll, or with {@code control.listen}, loopback TCP instead, with a random token
 * that the client reads from a 0600 file at the same path ({@code tcp ADDRESS TOKEN}).
 *
 * <p>One request line per connection, at most {@link #MAX_REQUEST_BYTES}, read within {@link
 * #READ_TIMEOUT}; one JSON reply; then the connection closes. One thread answers, apart from the
 * DNS event loops.
 */
public final class ControlEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlEndpoint.class);

  /** Longest request line: a command and a zone name need far less. */
  static final int MAX_REQUEST_BYTES = 1024;

  /** A connection that sends no whole line within this is closed. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

  /** sun_path's size on Linux, the terminating NUL included. */
  private static final int SOCKET_PATH_MAX = 108;

  /**
   * What binding in a folder beside the path adds to it ({@link #bindSocket}): ".", a temporary
   * number, "/s".
   */
  private static final int BIND_FOLDER_EXTRA = 24;

  /** What the token file starts with, so the client tells it from a socket's path. */
  public static final String TCP_PREFIX = "tcp ";

  private final EventLoopGroup group;
  private final Channel channel;
  private final Path path;

  private ControlEndpoint(EventLoopGroup group, Channel channel, Path path) {
    this.group = group;
    this.channel = channel;
    this.path = path;
  }

  /**
   * Where the control endpoint of the server on {@code database} is: {@code control.socket}, else
   * {@code DATABASE.ctl}.
   */
  public static Path path(CairnConfig.Control settings, Path database) {
    return settings.socket() != null
        ? settings.socket()
        : database.resolveSibling(database.getFileName() + ".ctl");
  }

  /**
   * Opens the endpoint at {@link #path}. A socket file left there by a server that is gone is
   * replaced; one a live server answers on is not.
   */
  public static ControlEndpoint start(
      CairnConfig.Control settings, Path database, ControlAnswerer answerer) throws IOException {
    Path path = path(settings, database).toAbsolutePath();
    Path parent = path.getParent();
    OwnerOnlyFiles.createDirectories(parent);
    boolean domain =
        settings.listen() == null
            && Epoll.isAvailable()
            && path.toString().getBytes(StandardCharsets.UTF_8).length + BIND_FOLDER_EXTRA
                < SOCKET_PATH_MAX;
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1,
            new DefaultThreadFactory("cairn-control", true),
            domain ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    try {
      if (domain) {
        refuseIfAnswered(path);
        return new ControlEndpoint(group, bindSocket(group, path, answerer), path);
      }
      if (settings.listen() == null) {
        log.warn(
            "event=control-fallback reason=\"{}\" transport=tcp",
            Epoll.isAvailable()
                ? "socket path longer than a Unix-domain address holds"
                : "epoll unavailable");
      }
      byte[] token = HexFormat.of().formatHex(randomBytes()).getBytes(StandardCharsets.US_ASCII);
      InetSocketAddress listen =
          settings.listen() != null ? settings.listen() : new InetSocketAddress("127.0.0.1", 0);
      Channel channel =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(initializer(answerer, token))
              .bind(listen)
              .sync()
              .channel();
      InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
      writeTokenFile(
          path,
          TCP_PREFIX
              + bound.getAddress().getHostAddress()
              + ":"
              + bound.getPort()
              + " "
              + new String(token, StandardCharsets.US_ASCII)
              + "\n");
      log.info("event=control-listening transport=tcp address={} token_file={}", bound, path);
      return new ControlEndpoint(group, channel, path);
    } catch (IOException | RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e;
    } catch (InterruptedException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      Thread.currentThread().interrupt();
      throw new IOException("control endpoint: interrupted", e);
    }
  }

  /**
   * Binds the socket in a fresh 0700 folder, narrows it to 0600 there, then renames it into place:
   * bind(2) creates the file with the umask's mode, and nobody else can reach it inside that folder
   * before it is narrowed. The rename replaces a stale socket atomically.
   */
  private static Channel bindSocket(EventLoopGroup group, Path path, ControlAnswerer answerer)
      throws IOException, InterruptedException {
    Path folder =
        Files.createTempDirectory(
            path.getParent(),
            path.getFileName() + ".",
            OwnerOnlyFiles.directoryMode(path.getParent()));
    Path inside = folder.resolve("s");
    try {
      Channel channel =
          new ServerBootstrap()
              .group(group)
              .channel(EpollServerDomainSocketChannel.class)
              .childHandler(initializer(answerer, null))
              .bind(new DomainSocketAddress(inside.toFile()))
              .sync()
              .channel();
      Files.setPosixFilePermissions(inside, PosixFilePermissions.fromString("rw-------"));
      Files.move(inside, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      log.info("event=control-listening transport=unix socket={}", path);
      return channel;
    } finally {
      Files.deleteIfExists(inside);
      Files.delete(folder);
    }
  }

  /** A live server answers on its socket; a crashed one's socket file refuses the connection. */
  private static void refuseIfAnswered(Path path) throws IOException {
    if (!Files.exists(path) || Files.isRegularFile(path)) {
      return;
    }
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(UnixDomainSocketAddress.of(path));
    } catch (IOException stale) {
      return;
    }
    throw new IOException("control socket " + path + " is answered by a running server");
  }

  private static void writeTokenFile(Path path, String content) throws IOException {
    Files.deleteIfExists(path); // a stale socket or token file
    try (SeekableByteChannel out =
        Files.newByteChannel(
            path,
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            OwnerOnlyFiles.fileMode(path))) {
      out.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII)));
    }
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  private static ChannelInitializer<Channel> initializer(ControlAnswerer answerer, byte[] token) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline()
            .addLast(
                new ReadTimeoutHandler(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                new LineBasedFrameDecoder(MAX_REQUEST_BYTES, true, true),
                new ControlHandler(answerer, token));
      }
    };
  }

  /** Where the endpoint is: the socket, or the token file. */
  public Path path() {
    return path;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      log.warn("event=control-cleanup-failed path={} error=\"{}\"", path, e.getMessage());
    }
  }
}
