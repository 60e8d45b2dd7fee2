package org.cairndns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.cairndns.server.interop.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * What the server says about itself, over real sockets: NSID (RFC 5001) to dnsjava and {@code dig
 * +nsid}, never to a query that did not ask and never lost to the response cache; CHAOS {@code
 * hostname.bind} and {@code id.server} refused unless configured (NSD's hide-identity), {@code
 * version.bind} answered.
 */
class IdentityIT {
  @TempDir Path dir;

  @Test
  void nsidIsAnsweredWhenAskedAndOnlyThenCacheOrNot() throws Exception {
    try (CairnServer server =
        ServerFixture.start(
            dir,
            """
            database: db/cairn
            listen: [127.0.0.1:0]
            identity: {nsid: ns1.example}
            zones: [{name: fx.test, file: fx.test.zone}]
            """)) {
      SimpleResolver client = new SimpleResolver(server.transport().udpAddresses().get(0));
      Message plain = client.send(query("www.fx.test.", Type.A, DClass.IN, false));
      assertTrue(plain.getOPT().getOptions(EDNSOption.Code.NSID).isEmpty(), "not asked, not sent");
      assertTrue(server.queryProcessor().responseCacheBytes() > 0, "the plain answer is cached");
      for (int i = 0; i < 2; i++) { // the same question, now asking: the cached answer lacks NSID
        Message asked = client.send(query("www.fx.test.", Type.A, DClass.IN, true));
        assertEquals(Rcode.NOERROR, asked.getRcode());
        assertEquals(nsid("ns1.example"), asked.getOPT().getOptions(EDNSOption.Code.NSID));
        assertEquals(1, asked.getSection(Section.ANSWER).size());
      }
      Message refused = client.send(query("www.elsewhere.", Type.A, DClass.IN, true));
      assertEquals(Rcode.REFUSED, refused.getRcode());
      assertEquals(nsid("ns1.example"), refused.getOPT().getOptions(EDNSOption.Code.NSID));

      InetSocketAddress udp = server.transport().udpAddresses().get(0);
      String dig =
          Peers.run(
              List.of(
                  Peers.binary("dig", "bind9-dnsutils").toString(),
                  "@" + udp.getAddress().getHostAddress(),
                  "-p",
                  Integer.toString(udp.getPort()),
                  "+nsid",
                  "+norec",
                  "www.fx.test",
                  "A"));
      assertTrue(dig.contains("NSID: 6e 73 31 2e 65 78 61 6d 70 6c 65 (\"ns1.example\")"), dig);
      assertTrue(dig.contains("192.0.2.80"), dig);
    }
  }

  @Test
  void withoutNsidConfiguredNoneIsSentAndHostnameIsRefused() throws Exception {
    try (CairnServer server =
        ServerFixture.start(
            dir,
            """
            database: db/cairn
            listen: [127.0.0.1:0]
            zones: [{name: fx.test, file: fx.test.zone}]
            """)) {
      SimpleResolver client = new SimpleResolver(server.transport().udpAddresses().get(0));
      Message asked = client.send(query("www.fx.test.", Type.A, DClass.IN, true));
      assertTrue(asked.getOPT().getOptions(EDNSOption.Code.NSID).isEmpty());
      for (String name : List.of("hostname.bind.", "id.server.")) {
        Message r = client.send(query(name, Type.TXT, DClass.CH, false));
        assertEquals(Rcode.REFUSED, r.getRcode(), name + " hidden by default");
        assertTrue(r.getSection(Section.ANSWER).isEmpty());
      }
      Message version = client.send(query("version.bind.", Type.TXT, DClass.CH, false));
      assertEquals(Rcode.NOERROR, version.getRcode());
      assertEquals(
          "\"Cairn\"", ((TXTRecord) version.getSection(Section.ANSWER).get(0)).rdataToString());
    }
  }

  @Test
  void aConfiguredHostnameIsAnsweredForBothNames() throws Exception {
    try (CairnServer server =
        ServerFixture.start(
            dir,
            """
            database: db/cairn
            listen: [127.0.0.1:0]
            tls-listen: [127.0.0.1:0]
            identity: {hostname: ns7.example}
            """)) {
      SimpleResolver client = new SimpleResolver(server.transport().udpAddresses().get(0));
      for (String name : List.of("hostname.bind.", "id.server.")) {
        Message r = client.send(query(name, Type.TXT, DClass.CH, false));
        assertEquals(Rcode.NOERROR, r.getRcode(), name);
        assertEquals(
            "\"ns7.example\"", ((TXTRecord) r.getSection(Section.ANSWER).get(0)).rdataToString());
      }
      // The self-signed certificate is named after the machine, not after what CHAOS tells.
      X509Certificate[] seen = new X509Certificate[1];
      try (SSLSocket tls =
          ServerFixture.connectTls(
              ServerFixture.trustingTlsClient(c -> seen[0] = c),
              server.transport().tlsAddresses().get(0))) {
        assertTrue(tls.getSession().isValid());
        String subject = seen[0].getSubjectX500Principal().getName();
        assertTrue(subject.contains("CN=" + InetAddress.getLocalHost().getHostName()), subject);
        assertFalse(subject.contains("ns7.example"), subject);
      }
    }
  }

  private static List<EDNSOption> nsid(String text) {
    return List.of(new NSIDOption(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static Message query(String name, int type, int dclass, boolean askNsid)
      throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, dclass));
    q.addRecord(
        new OPTRecord(1232, 0, 0, 0, askNsid ? List.of(new NSIDOption(new byte[0])) : List.of()),
        Section.ADDITIONAL);
    return q;
  }
}
