package org.cairndns.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.NetworkInterface;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which destinations of a wildcard socket's queries get a socket of their own to reply from. */
class LocalAddressSocketsTest {

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "127.0.0.1,       true,  the loopback interface's address",
    "127.0.0.2,       true,  inside the loopback prefix (Linux routes 127/8 to the host)",
    "127.200.3.4,     true,  inside the loopback prefix",
    "127.255.255.255, false, the loopback prefix's broadcast: answered from the wildcard",
    "127.0.0.0,       false, the loopback prefix's network address",
    "224.0.0.1,       false, multicast",
    "198.51.100.7,    false, not the host's",
    "::1,             true,  the IPv6 loopback",
  })
  void hostAddresses(String address, boolean host, String why) throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    NetworkInterface lo = NetworkInterface.getByInetAddress(loopback);
    assumeTrue(
        lo != null
            && lo.getInterfaceAddresses().stream()
                .anyMatch(a -> a.getAddress().equals(loopback) && a.getNetworkPrefixLength() == 8),
        "needs 127.0.0.1/8 on the loopback interface, as Linux has it");
    InetAddress asked = InetAddress.getByName(address);
    assumeTrue(
        !address.equals("::1") || NetworkInterface.getByInetAddress(asked) != null,
        "no IPv6 loopback on this host");
    assertEquals(host, LocalAddressSockets.isHostAddress(asked), why);
  }
}
