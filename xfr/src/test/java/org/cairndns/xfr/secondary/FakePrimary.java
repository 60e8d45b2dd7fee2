package org.cairndns.xfr.secondary;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.cairndns.tls.PemCredentials;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * A primary on a loopback port for client tests: reads framed requests (RFC 7766) on every
 * connection and hands each to the answerer with a way to reply on that connection, at once or
 * later; requests keep being read meanwhile, so pipelined requests can be held. Plain TCP, or TLS
 * with a given certificate ({@link #tls}). Public for the zone owner's tests.
 */
public final class FakePrimary implements AutoCloseable {
  public interface Answerer {
    void answer(Message query, Reply reply) throws Exception;
  }

  /** Writes framed responses on the connection a request came from. */
  public static final class Reply {
    private final DataOutputStream out;

    private Reply(DataOutputStream out) {
      this.out = out;
    }

    public void send(Message... responses) throws IOException {
      synchronized (out) {
        for (Message m : responses) {
          byte[] wire = m.toWire();
          out.writeShort(wire.length);
          out.write(wire);
        }
        out.flush();
      }
    }
  }

  private final ServerSocket server;
  private final Answerer answerer;

  public FakePrimary(Answerer answerer) throws IOException {
    this(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), answerer);
  }

  private FakePrimary(ServerSocket server, Answerer answerer) {
    this.server = server;
    this.answerer = answerer;
    daemon(this::acceptLoop, "fake-primary");
  }

  /** A primary speaking XoT (TLS 1.3) with {@code certificate}. */
  static FakePrimary tls(PemCredentials certificate, Answerer answerer) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "primary",
        certificate.key(),
        new char[0],
        certificate.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    SSLServerSocket server =
        (SSLServerSocket)
            ctx.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    server.setEnabledProtocols(new String[] {"TLSv1.3"});
    return new FakePrimary(server, answerer);
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
  }

  public PrimarySettings tcp() {
    return PrimarySettings.tcp(address(), null);
  }

  /** An authoritative answer to {@code query} (same ID and question) carrying {@code answers}. */
  public static Message response(Message query, Record... answers) {
    Message r = new Message(query.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.AA);
    r.addRecord(query.getQuestion(), Section.QUESTION);
    for (Record rr : answers) {
      r.addRecord(rr, Section.ANSWER);
    }
    return r;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket c = server.accept();
        daemon(() -> serve(c), "fake-primary-conn");
      } catch (IOException stopped) {
        return;
      }
    }
  }

  private void serve(Socket c) {
    try (c) {
      DataInputStream in = new DataInputStream(c.getInputStream());
      Reply reply = new Reply(new DataOutputStream(c.getOutputStream()));
      while (true) {
        byte[] request = new byte[in.readUnsignedShort()];
        in.readFully(request);
        answerer.answer(new Message(request), reply);
      }
    } catch (Exception closed) {
      // connection ended
    }
  }

  private static void daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
