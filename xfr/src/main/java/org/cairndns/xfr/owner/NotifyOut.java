package org.cairndns.xfr.owner;

import java.util.ArrayList;
import java.util.List;
import org.cairndns.xfr.notify.NotifySender;
import org.cairndns.zone.ZoneSnapshot;
import org.xbill.DNS.TSIG;

/**
 * Whom a zone's new versions are announced to (RFC 1996): the configured targets, plus with {@code
 * toNameServers} the zone's own NS addresses; {@code key} signs them when not null.
 */
public record NotifyOut(
    NotifySender sender, List<NotifySender.Target> targets, boolean toNameServers, TSIG key) {
  public NotifyOut {
    targets = List.copyOf(targets);
  }

  /** Announces nothing (a zone without notify settings). */
  static NotifyOut none() {
    return new NotifyOut(null, List.of(), false, null);
  }

  /** Whether this announces to nobody. */
  boolean announcesToNobody() {
    return targets.isEmpty() && !toNameServers;
  }

  /**
   * Sends NOTIFY for {@code version} to each target; returns at once (the sender retries on its own
   * threads).
   */
  void announce(ZoneSnapshot version) {
    List<NotifySender.Target> all = new ArrayList<>(targets);
    if (toNameServers) {
      NotifySender.nsTargets(version).stream()
          .map(NotifySender.Target::udp)
          .filter(t -> all.stream().noneMatch(c -> c.address().equals(t.address())))
          .forEach(all::add);
    }
    if (!all.isEmpty()) {
      sender.notifyAll(version.soa(), all, key);
    }
  }
}
