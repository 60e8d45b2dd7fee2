package org.cairndns.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.cairndns.server.config.CairnConfig;
import org.cairndns.server.config.ConfigLoader;
import org.xbill.DNS.Message;

/** Starts a real Cairn from YAML text on ephemeral ports, and small wire helpers for tests. */
public final class ServerFixture {
  private ServerFixture() {}

  public static final String ZONE =
      """
      $ORIGIN fx.test.
      $TTL 300
      @ IN SOA ns1 hm 1 3600 600 86400 60
      @ IN NS ns1
      ns1 IN A 192.0.2.1
      www IN A 192.0.2.80
      """;

  /** Writes {@code yaml} (plus fx.test zone file) into {@code dir} and starts the server. */
  public static CairnServer start(Path dir, String yaml) throws Exception {
    Files.writeString(dir.resolve("fx.test.zone"), ZONE);
    return startWith(dir, yaml);
  }

  /** Writes {@code yaml} into {@code dir} and starts the server; zone files must be there. */
  public static CairnServer startWith(Path dir, String yaml) throws Exception {
    Path config = dir.resolve("cairn.yaml");
    Files.writeString(config, yaml);
    CairnConfig cfg = ConfigLoader.load(config);
    return CairnServer.start(cfg);
  }

  /**
   * A zone with {@code hosts} A records h0..hN and {@code extra} lines; SOA timers 3600/600/86400.
   */
  public static String hostsZone(String origin, long serial, int hosts, String extra) {
    StringBuilder sb =
        new StringBuilder(
            "$ORIGIN "
                + origin
                + ".\n$TTL 300\n@ IN SOA ns hm "
                + serial
                + " 3600 600 86400 60\n@ IN NS ns\nns IN A 192.0.2.1\n");
    for (int i = 0; i < hosts; i++) {
      sb.append("h")
          .append(i)
          .append(" IN A 10.9.")
          .append(i / 256)
          .append('.')
          .append(i % 256)
          .append('\n');
    }
    return sb.append(extra).toString();
  }

  /** The SOA serial {@code server} answers for {@code zone}, or -1 when it does not answer one. */
  public static long soaSerial(java.net.InetSocketAddress server, String zone) {
    try {
      Message r =
          new org.xbill.DNS.SimpleResolver(server)
              .send(
                  Message.newQuery(
                      org.xbill.DNS.Record.newRecord(
                          org.xbill.DNS.Name.fromString(zone),
                          org.xbill.DNS.Type.SOA,
                          org.xbill.DNS.DClass.IN)));
      return r.getRcode() == org.xbill.DNS.Rcode.NOERROR
              && !r.getSection(org.xbill.DNS.Section.ANSWER).isEmpty()
          ? ((org.xbill.DNS.SOARecord) r.getSection(org.xbill.DNS.Section.ANSWER).get(0))
              .getSerial()
          : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  /** A free loopback port, for servers whose port must be known before they start. */
  public static int freePort() throws IOException {
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Zone text to records. */
  public static java.util.List<org.xbill.DNS.Record> parse(String origin, String text) {
    try {
      return org.cairndns.zone.master.ZoneFileReader.parse(
          org.xbill.DNS.Name.fromString(origin), text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  public static void writeFrame(OutputStream out, byte[] wire) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    d.writeShort(wire.length);
    d.write(wire);
    d.flush();
  }

  public static Message readFrame(InputStream in) throws IOException {
    return new Message(readFrameWire(in));
  }

  /** One framed message's bytes, e.g. to check a TSIG signature over them. */
  public static byte[] readFrameWire(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    byte[] buf = new byte[d.readUnsignedShort()];
    d.readFully(buf);
    return buf;
  }

  public static Socket connect(InetSocketAddress address) throws IOException {
    Socket s = new Socket();
    s.connect(address, 5000);
    s.setSoTimeout(10_000);
    return s;
  }

  /**
   * A TLS client context that accepts any server certificate and hands it to {@code onCertificate}:
   * the tests check pins themselves, and a resumed session hands over nothing (no certificate is
   * sent).
   */
  public static SSLContext trustingTlsClient(Consumer<X509Certificate> onCertificate)
      throws GeneralSecurityException {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
              onCertificate.accept(chain[0]);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        null);
    return ctx;
  }

  /** A TLS connection (ALPN {@code dot}) with its handshake done. */
  public static SSLSocket connectTls(SSLContext ctx, InetSocketAddress address) throws IOException {
    SSLSocket s =
        (SSLSocket) ctx.getSocketFactory().createSocket(address.getAddress(), address.getPort());
    SSLParameters p = s.getSSLParameters();
    p.setApplicationProtocols(new String[] {"dot"});
    s.setSSLParameters(p);
    s.setSoTimeout(10_000);
    s.startHandshake();
    return s;
  }
}
