package org.cairndns.xfr.secondary;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.xbill.DNS.TSIG;

/**
 * One primary of a secondary zone.
 *
 * @param address where it listens (defaults: 853 for TLS, 53 for TCP)
 * @param mode how to reach it: plain TCP, strict TLS (XoT, authenticated, never falls back), or
 *     opportunistic TLS (encrypted if the primary speaks it, unauthenticated)
 * @param tsig key to sign requests with and to verify responses, or null
 * @param pins accepted SPKI pins of the primary's certificate (strict TLS)
 * @param caFile CA certificates the primary's certificate must chain to (strict TLS)
 * @param tlsName the name the primary's certificate must carry (strict TLS with a CA)
 * @param clientCertificate our certificate for mutual TLS, or null
 * @param clientKey its key
 * @param limits bounds on each transfer of the zone from this primary
 */
public record PrimarySettings(
    InetSocketAddress address,
    Mode mode,
    TSIG tsig,
    List<String> pins,
    Path caFile,
    String tlsName,
    Path clientCertificate,
    Path clientKey,
    TransferLimits limits) {

  public enum Mode {
    TCP,
    TLS,
    OPPORTUNISTIC_TLS
  }

  public PrimarySettings {
    pins = List.copyOf(pins);
  }

  /** With the default transfer limits. */
  public PrimarySettings(
      InetSocketAddress address,
      Mode mode,
      TSIG tsig,
      List<String> pins,
      Path caFile,
      String tlsName,
      Path clientCertificate,
      Path clientKey) {
    this(
        address,
        mode,
        tsig,
        pins,
        caFile,
        tlsName,
        clientCertificate,
        clientKey,
        TransferLimits.DEFAULTS);
  }

  public static PrimarySettings tcp(InetSocketAddress address, TSIG tsig) {
    return new PrimarySettings(address, Mode.TCP, tsig, List.of(), null, null, null, null);
  }

  public PrimarySettings withLimits(TransferLimits limits) {
    return new PrimarySettings(
        address, mode, tsig, pins, caFile, tlsName, clientCertificate, clientKey, limits);
  }
}
