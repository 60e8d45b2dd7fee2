package org.cairndns.xfr.primary;

import java.time.Duration;
import java.util.Map;
import org.cairndns.xfr.acl.TransferPolicy;
import org.xbill.DNS.Name;
import org.xbill.DNS.TSIG;

/**
 * Primary-side transfer settings.
 *
 * @param messageSize largest response message in bytes (at most 65535)
 * @param maxRecordsPerMessage records per message, 0 for as many as fit (1 for ancient secondaries)
 * @param transfersOut concurrent outgoing transfers in total
 * @param transfersOutPerAddress concurrent outgoing transfers to one client address
 * @param transferWait how long a request over the limits waits before SERVFAIL (RFC 9103 §6.3.3)
 * @param policies per-zone access; zones not listed are not transferred
 * @param keys TSIG keys by name
 */
public record TransferSettings(
    int messageSize,
    int maxRecordsPerMessage,
    int transfersOut,
    int transfersOutPerAddress,
    Duration transferWait,
    Map<Name, TransferPolicy> policies,
    Map<Name, TSIG> keys) {

  public TransferSettings {
    policies = Map.copyOf(policies);
    keys = Map.copyOf(keys);
  }

  public TransferPolicy policy(Name zone) {
    return policies.getOrDefault(zone, TransferPolicy.denyAll());
  }
}
