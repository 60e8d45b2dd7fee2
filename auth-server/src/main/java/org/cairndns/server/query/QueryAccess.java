package org.cairndns.server.query;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cairndns.request.Requester;
import org.cairndns.request.Transport;
import org.cairndns.xfr.acl.TransferPolicy;
import org.xbill.DNS.Name;

/**
 * {@code allow-query}, as BIND's: who may ask about a zone. A zone's own list replaces the global
 * one; neither given means everyone. The entries are those of {@code allow-transfer} (address or
 * network, TSIG key, TLS identity), held as a {@link TransferPolicy} open to every transport.
 */
public final class QueryAccess {
  /** No list anywhere: every question allowed, and nothing to look up per query. */
  public static final QueryAccess EVERYONE = new QueryAccess(List.of(), Map.of());

  private static final Set<Transport> ANY_TRANSPORT = Set.of(Transport.values());

  private final TransferPolicy global;
  private final Map<Name, TransferPolicy> zones;
  private final boolean restricts;

  /**
   * @param global the global list, empty for everyone
   * @param zones each zone's own list by apex; an empty one leaves the zone to the global list
   */
  public QueryAccess(
      List<TransferPolicy.Entry> global, Map<Name, List<TransferPolicy.Entry>> zones) {
    this.global = policy(global);
    Map<Name, TransferPolicy> own = new HashMap<>();
    zones.forEach(
        (apex, entries) -> {
          if (!entries.isEmpty()) {
            own.put(apex, policy(entries));
          }
        });
    this.zones = Map.copyOf(own);
    this.restricts = this.global != null || !this.zones.isEmpty();
  }

  private static TransferPolicy policy(List<TransferPolicy.Entry> entries) {
    return entries.isEmpty() ? null : new TransferPolicy(entries, ANY_TRANSPORT);
  }

  /** Whether any list is configured; when not, no query needs checking. */
  boolean restricts() {
    return restricts;
  }

  /** The list for questions answered from the zone at {@code apex} (null: no zone), or null. */
  TransferPolicy policyFor(Name apex) {
    TransferPolicy own = apex == null ? null : zones.get(apex);
    return own != null ? own : global;
  }

  /** Whether {@code policy} (null: everyone) lets the requester, signed with the key, ask. */
  static boolean allows(TransferPolicy policy, Requester requester, Name verifiedKey) {
    return policy == null
        || policy.decide(requester, verifiedKey) == TransferPolicy.Decision.ALLOWED;
  }
}
