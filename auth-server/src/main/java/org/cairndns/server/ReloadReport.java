package org.cairndns.server;

import java.util.List;

/**
 * What {@link CairnServer#reload()} did.
 *
 * @param error why nothing changed (an invalid file, naming the key, or a certificate that cannot
 *     be loaded), or null when the reload was applied
 * @param applied each difference applied, as logged ({@code limits.udp-payload: 1232 -> 1400},
 *     {@code zone example. added})
 * @param restartNeeded the restart-only keys that differ from what the server started with, not
 *     applied
 */
public record ReloadReport(String error, List<String> applied, List<String> restartNeeded) {
  public ReloadReport {
    applied = List.copyOf(applied);
    restartNeeded = List.copyOf(restartNeeded);
  }

  static ReloadReport refused(String error) {
    return new ReloadReport(error, List.of(), List.of());
  }
}
