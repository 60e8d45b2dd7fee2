package org.cairndns.xfr.acl;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.tls.PeerIdentity;
import org.xbill.DNS.Name;

/**
 * Who may transfer one zone, and over which transports (RFC 9103 §9: TSIG over TLS, mutual TLS, IP
 * ACL over TLS). A request is allowed when its transport is allowed and any one entry matches. An
 * entry naming a TLS identity is only ever satisfied over TLS with a verified client certificate,
 * never over plain TCP. No entries means nobody may transfer (like NSD and Knot).
 */
public record TransferPolicy(List<Entry> entries, Set<Transport> transports) {

  public TransferPolicy {
    entries = List.copyOf(entries);
    transports = Set.copyOf(transports);
  }

  public static TransferPolicy denyAll() {
    return new TransferPolicy(List.of(), Set.of(Transport.TCP, Transport.TLS));
  }

  /** One allow rule: every field that is set must match. */
  public record Entry(Cidr network, Name tsigKey, String tlsSubject, String tlsPin) {
    boolean matches(Requester requester, Name verifiedKey) {
      if (network != null && !network.contains(requester.address().getAddress())) {
        return false;
      }
      if (tsigKey != null && (verifiedKey == null || !tsigKey.equals(verifiedKey))) {
        return false;
      }
      if (tlsSubject != null || tlsPin != null) {
        Optional<PeerIdentity> peer = requester.tlsPeer();
        if (requester.transport() != Transport.TLS || peer.isEmpty()) {
          return false;
        }
        if (tlsSubject != null && !tlsSubject.equals(peer.get().subject())) {
          return false;
        }
        if (tlsPin != null && !tlsPin.equals(peer.get().spkiPin())) {
          return false;
        }
      }
      return network != null || tsigKey != null || tlsSubject != null || tlsPin != null;
    }
  }

  public enum Decision {
    ALLOWED,
    TRANSPORT_NOT_ALLOWED,
    DENIED
  }

  public Decision decide(Requester requester, Name verifiedKey) {
    if (!transports.contains(requester.transport())) {
      return Decision.TRANSPORT_NOT_ALLOWED;
    }
    for (Entry e : entries) {
      if (e.matches(requester, verifiedKey)) {
        return Decision.ALLOWED;
      }
    }
    return Decision.DENIED;
  }

  /** An IPv4 or IPv6 network such as {@code 192.0.2.0/24}; a bare address is a /32 or /128. */
  public record Cidr(byte[] prefix, int bits) {
    public static Cidr parse(String text) {
      String[] parts = text.split("/", 2);
      try {
        byte[] address = InetAddress.getByName(parts[0]).getAddress();
        int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : address.length * 8;
        if (bits < 0 || bits > address.length * 8) {
          throw new IllegalArgumentException("prefix length out of range in " + text);
        }
        return new Cidr(address, bits);
      } catch (java.net.UnknownHostException | NumberFormatException e) {
        throw new IllegalArgumentException("not an address or network: " + text);
      }
    }

    public boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != prefix.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != prefix[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xFF << (8 - rest);
      return (a[full] & mask) == (prefix[full] & mask);
    }

    // By content, not by array identity: a reload compares the ACLs it read with the running ones.
    @Override
    public boolean equals(Object o) {
      return o instanceof Cidr c && bits == c.bits && Arrays.equals(prefix, c.prefix);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(prefix) + bits;
    }

    @Override
    public String toString() {
      try {
        return InetAddress.getByAddress(prefix).getHostAddress() + "/" + bits;
      } catch (java.net.UnknownHostException e) {
        throw new IllegalStateException(e); // a prefix of 4 or 16 bytes always makes an address
      }
    }
  }
}
