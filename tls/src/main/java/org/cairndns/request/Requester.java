package org.cairndns.request;

import java.net.InetSocketAddress;
import java.util.Optional;
import org.cairndns.tls.PeerIdentity;

/**
 * Who sent a request and over what: the facts access control and response shaping need.
 *
 * @param address the client's address and port
 * @param transport the transport the request arrived on
 * @param tlsPeer the verified client certificate identity, present only for mutual TLS
 */
public record Requester(
    InetSocketAddress address, Transport transport, Optional<PeerIdentity> tlsPeer) {

  public static Requester of(InetSocketAddress address, Transport transport) {
    return new Requester(address, transport, Optional.empty());
  }
}
