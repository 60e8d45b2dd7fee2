package org.cairndns.server.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP sockets behind a wildcard listener ({@code 0.0.0.0}, {@code [::]}), one group per address
 * of the host, so that each reply leaves from the address its query came to. From the wildcard
 * socket a reply leaves from the address the kernel's route picks, and a client that asked another
 * of the host's addresses from a connected socket (as resolvers do) drops it.
 *
 * <p>Knot sets the source of each reply with IP_PKTINFO; Netty's epoll transport cannot (its
 * sendmmsg passes no control message), though it reads a datagram's IPv4 destination
 * (IP_RECVORIGDSTADDR). So this does what BIND does: bind each of the host's addresses on the
 * listener's port at start, beside the wildcard socket (SO_REUSEPORT). The kernel hands a datagram
 * to the most specific socket bound, so these serve as specific listeners do (recvmmsg, no control
 * messages), and the wildcard socket sees only queries to addresses not bound: an IPv4 address the
 * host gained since the start, or one of 127/8 beyond 127.0.0.1. Such an address is bound on its
 * first query, which is answered from the new socket; at most {@link #MAX_LEARNED} of them, one
 * socket each (not one per core, so the bound holds in sockets too), past which replies leave from
 * the wildcard socket as the kernel routes them. Netty reads no IPv6 destination, so an IPv6
 * address added after the start needs a restart.
 */
final class LocalAddressSockets {
  private static final Logger log = LoggerFactory.getLogger(LocalAddressSockets.class);

  /**
   * Addresses bound on their first query. Only the host's own can be, but on Linux all 16 million
   * of 127/8 are: local programs could otherwise make us open sockets without end.
   */
  static final int MAX_LEARNED = 64;

  private static final long CLOSE_SECONDS = 2;

  private final Bootstrap bootstrap;
  private final int port;
  private final int socketsPerAddress;

  /**
   * The socket to reply from, by the address a query came to: the first of the address's group
   * (bound, or still binding), a failed bind, or a wildcard socket for an address that is not the
   * host's (a broadcast, say), which is then not looked up again.
   */
  private final Map<InetAddress, ChannelFuture> replySockets = new ConcurrentHashMap<>();

  private final List<Channel> channels = new ArrayList<>(); // guarded by this
  private int learned; // guarded by this
  private boolean closed; // guarded by this

  /**
   * @param bootstrap binds a specific-address socket: the options and handler of a specific
   *     listener
   */
  LocalAddressSockets(Bootstrap bootstrap, int port, int socketsPerAddress) {
    this.bootstrap = bootstrap;
    this.port = port;
    this.socketsPerAddress = socketsPerAddress;
  }

  /**
   * Binds each address of the host's interfaces that are up, but link-local ones (they need a
   * scope, and a reply to a link-local client leaves from the link's address anyway). An address
   * that fails to bind is answered from the wildcard socket; the start goes on.
   *
   * @return the addresses bound
   */
  List<InetAddress> bindHostAddresses() throws SocketException {
    List<InetAddress> bound = new ArrayList<>();
    for (InetAddress address : hostAddresses()) {
      ChannelFuture socket = bindGroup(address, socketsPerAddress);
      replySockets.put(address, socket);
      if (socket.awaitUninterruptibly().isSuccess()) {
        bound.add(address);
      }
    }
    return bound;
  }

  private static List<InetAddress> hostAddresses() throws SocketException {
    List<InetAddress> addresses = new ArrayList<>();
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nif.isUp()) {
        for (InetAddress address : Collections.list(nif.getInetAddresses())) {
          if (!address.isLinkLocalAddress()) {
            addresses.add(withoutScope(address));
          }
        }
      }
    }
    return addresses;
  }

  /** Java gives interface addresses their interface as scope; a bound address needs none. */
  private static InetAddress withoutScope(InetAddress address) {
    try {
      return InetAddress.getByAddress(address.getAddress());
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of 4 or 16 bytes: " + address, e);
    }
  }

  /**
   * Sends {@code reply} to a query that came to {@code recipient} through the wildcard socket of
   * {@code ctx}: from the socket bound to that address (binding it now if it is the host's), or
   * from the wildcard socket when the destination is not known (IPv6) or cannot be bound.
   */
  void reply(ChannelHandlerContext ctx, InetSocketAddress recipient, DatagramPacket reply) {
    InetAddress destination = recipient.getAddress();
    ChannelFuture socket =
        destination.isAnyLocalAddress() ? null : socketFor(destination, ctx.channel());
    if (socket == null) {
      ctx.write(reply, ctx.voidPromise());
    } else if (socket.isDone()) {
      send(socket, ctx, reply);
    } else {
      socket.addListener(f -> send(socket, ctx, reply)); // the first query to a new address
    }
  }

  private static void send(ChannelFuture socket, ChannelHandlerContext ctx, DatagramPacket reply) {
    if (socket.isSuccess()) {
      Channel channel = socket.channel();
      channel.writeAndFlush(reply, channel.voidPromise());
    } else {
      ctx.writeAndFlush(reply, ctx.voidPromise());
    }
  }

  private ChannelFuture socketFor(InetAddress destination, Channel wildcard) {
    ChannelFuture socket = replySockets.get(destination);
    return socket != null ? socket : learn(destination, wildcard);
  }

  private synchronized ChannelFuture learn(InetAddress destination, Channel wildcard) {
    ChannelFuture socket = replySockets.get(destination);
    if (socket != null || closed) {
      return socket;
    }
    if (learned == MAX_LEARNED) {
      return null;
    }
    if (++learned == MAX_LEARNED) {
      log.warn(
          "event=udp-addresses-full port={} bound-on-demand={} note=\"replies to further"
              + " addresses leave from the address the kernel picks; list them in listen\"",
          port,
          MAX_LEARNED);
    }
    if (isHostAddress(destination)) {
      log.info("event=udp-address-bound address={} port={}", destination.getHostAddress(), port);
      socket = bindGroup(destination, 1);
    } else {
      socket = wildcard.newSucceededFuture();
    }
    replySockets.put(destination, socket);
    return socket;
  }

  /**
   * Whether a socket can be bound on the address to reply from: an interface's own address, or one
   * inside a loopback interface's IPv4 prefix (Linux routes all of 127/8 to the host) but for the
   * prefix's network and broadcast addresses. Not a broadcast the wildcard socket also gets, which
   * would be answered from the broadcast address.
   */
  static boolean isHostAddress(InetAddress address) {
    try {
      if (NetworkInterface.getByInetAddress(address) != null) {
        return true;
      }
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nif.isUp() && nif.isLoopback()) {
          for (InterfaceAddress prefix : nif.getInterfaceAddresses()) {
            if (isInsideIpv4Prefix(address, prefix)) {
              return true;
            }
          }
        }
      }
      return false;
    } catch (SocketException e) {
      return false;
    }
  }

  /** Inside the prefix, and neither its first (network) nor its last (broadcast) address. */
  private static boolean isInsideIpv4Prefix(InetAddress address, InterfaceAddress prefix) {
    byte[] asked = address.getAddress();
    byte[] own = prefix.getAddress().getAddress();
    int length = prefix.getNetworkPrefixLength();
    if (asked.length != 4 || own.length != 4 || length < 1 || length > 30) {
      return false;
    }
    int mask = -1 << (32 - length);
    int host = ByteBuffer.wrap(asked).getInt();
    int hostPart = host & ~mask;
    return (host & mask) == (ByteBuffer.wrap(own).getInt() & mask)
        && hostPart != 0
        && hostPart != ~mask;
  }

  /** Binds {@code sockets} sockets on the address; the first one's bind. */
  private ChannelFuture bindGroup(InetAddress address, int sockets) {
    InetSocketAddress local = new InetSocketAddress(address, port);
    ChannelFuture first = bootstrap.bind(local);
    first.addListener(f -> bound(first, local, true));
    for (int i = 1; i < sockets; i++) {
      ChannelFuture bind = bootstrap.bind(local);
      bind.addListener(f -> bound(bind, local, false));
    }
    return first;
  }

  private void bound(ChannelFuture bind, InetSocketAddress local, boolean first) {
    if (!bind.isSuccess()) {
      if (!first) {
        return; // the others of a group fail as the first does, which says why
      }
      // Once per address, and addresses are bounded: not per packet.
      log.warn(
          "event=udp-address-bind-failed address={} port={} error=\"{}\" note=\"answered from the"
              + " wildcard socket\"",
          local.getAddress().getHostAddress(),
          port,
          String.valueOf(bind.cause()));
      return;
    }
    synchronized (this) {
      if (!closed) {
        channels.add(bind.channel());
        return;
      }
    }
    bind.channel().close();
  }

  void close() {
    List<Channel> open;
    synchronized (this) {
      closed = true;
      open = List.copyOf(channels);
    }
    for (Channel channel : open) {
      channel.close().awaitUninterruptibly(CLOSE_SECONDS, TimeUnit.SECONDS);
    }
  }
}
