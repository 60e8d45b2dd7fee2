package org.cairndns.xfr.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.util.List;
import org.cairndns.zone.ZoneSnapshot;
import org.cairndns.zone.master.ZoneFileReader;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

/**
 * Whom a zone's NOTIFY goes to, read from the zone alone; sending and retries are in {@link
 * NotifySenderIT}.
 */
class NotifySenderTest {
  @Test
  void nsTargetsAreTheInZoneAddressesOfTheNameServersButTheSoaMname() throws Exception {
    ZoneSnapshot zone =
        ZoneSnapshot.build(
            Name.fromString("n.test."),
            ZoneFileReader.parse(
                Name.fromString("n.test."),
                """
        $TTL 300
        @ IN SOA ns1 hm 1 1 1 1 1
        @ IN NS ns1
        @ IN NS ns2
        @ IN NS ns.elsewhere.test.
        ns1 IN A 192.0.2.1
        ns2 IN A 192.0.2.2
        ns2 IN AAAA 2001:db8::2
        """));
    assertEquals(
        List.of(new InetSocketAddress("192.0.2.2", 53), new InetSocketAddress("2001:db8::2", 53)),
        NotifySender.nsTargets(zone));
  }
}
