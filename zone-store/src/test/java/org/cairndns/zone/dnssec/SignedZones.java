package org.cairndns.zone.dnssec;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;
import org.xbill.DNS.ZoneTransferException;
import org.xbill.DNS.ZoneTransferIn;

/**
 * Signs an edge-case zone in the test with a real signer, so every DNSSEC test gets a zone as
 * operators' signers write it: BIND's {@code dnssec-keygen}/{@code dnssec-signzone} (Debian {@code
 * bind9-utils}), {@code ldns-signzone} (Debian {@code ldnsutils}) or Knot's automatic signing
 * ({@code knotd}, Debian {@code knot}), with NSEC, NSEC3 or NSEC3 opt-out. A test whose signer is
 * not installed is skipped, saying which package it needs (CI installs both, see {@code .ci/run}).
 */
public final class SignedZones {
  public static final String ORIGIN = "edge.test.";

  /**
   * The edge cases a signed answer has to prove: the apex with NS, MX (its own TTL) and DNSKEYs, a
   * wildcard, an empty non-terminal ({@code b.ent}, {@code ent}), a CNAME chain, a DNAME, a secure
   * delegation (DS) and two insecure ones, one with glue and a name under it.
   */
  public static final String EDGE =
      """
      $TTL 3600
      @ IN SOA ns1 hostmaster 1 3600 600 86400 300
      @ IN NS ns1
      @ IN NS ns2
      @ 7200 IN MX 10 mail
      @ IN TXT "apex"
      ns1 IN A 192.0.2.1
      ns2 IN AAAA 2001:db8::2
      mail IN A 192.0.2.2
      *.wild IN A 192.0.2.3
      *.wild IN TXT "wildcard"
      a.b.ent IN A 192.0.2.4
      www IN CNAME cname1
      cname1 IN CNAME mail
      dn IN DNAME example.net.
      secure IN NS ns.secure
      secure IN DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      ns.secure IN A 192.0.2.5
      insecure IN NS ns.insecure
      ns.insecure IN A 192.0.2.6
      host.insecure IN A 192.0.2.7
      elsewhere IN NS ns.example.net.
      """;

  /** How the zone proves what is not there. */
  public enum Denial {
    NSEC,
    NSEC3,
    NSEC3_OPT_OUT
  }

  private static final DateTimeFormatter SIGNER_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

  private SignedZones() {}

  /**
   * {@link #EDGE} signed by BIND with a KSK and a ZSK (ECDSA P-256), signatures valid for {@code
   * validFor}.
   */
  public static Path bind(Path dir, Denial denial, Duration validFor) throws Exception {
    needs("dnssec-signzone", "bind9-utils");
    Path keys = Files.createDirectories(dir.resolve("bind-keys-" + denial));
    run(
        dir,
        "dnssec-keygen",
        "-q",
        "-K",
        keys.toString(),
        "-a",
        "ECDSAP256SHA256",
        "-f",
        "KSK",
        ORIGIN);
    run(dir, "dnssec-keygen", "-q", "-K", keys.toString(), "-a", "ECDSAP256SHA256", ORIGIN);
    Path unsigned = Files.writeString(dir.resolve("edge-bind-" + denial + ".unsigned"), EDGE);
    Path signed = dir.resolve("edge-bind-" + denial + ".zone");
    List<String> command =
        new ArrayList<>(
            List.of(
                "dnssec-signzone",
                "-q",
                "-S",
                "-K",
                keys.toString(),
                "-o",
                ORIGIN,
                "-s",
                "now-3600",
                "-e",
                "now+" + validFor.toSeconds(),
                "-f",
                signed.toString()));
    if (denial != Denial.NSEC) {
      command.addAll(List.of("-3", "-", "-H", "0")); // no salt, no extra iterations (RFC 9276)
    }
    if (denial == Denial.NSEC3_OPT_OUT) {
      command.add("-A");
    }
    command.add(unsigned.toString());
    run(dir, command.toArray(String[]::new));
    return signed;
  }

  /**
   * {@link #EDGE} signed by ldns with a KSK and a ZSK (ECDSA P-256), signatures valid for 30 days.
   */
  public static Path ldns(Path dir, Denial denial) throws Exception {
    needs("ldns-signzone", "ldnsutils");
    Path keys = Files.createDirectories(dir.resolve("ldns-keys-" + denial));
    String ksk = run(keys, "ldns-keygen", "-a", "ECDSAP256SHA256", "-k", ORIGIN).strip();
    String zsk = run(keys, "ldns-keygen", "-a", "ECDSAP256SHA256", ORIGIN).strip();
    Path unsigned =
        Files.writeString(
            dir.resolve("edge-ldns-" + denial + ".zone"), "$ORIGIN " + ORIGIN + "\n" + EDGE);
    Instant now = Instant.now();
    List<String> command =
        new ArrayList<>(
            List.of(
                "ldns-signzone",
                "-i",
                SIGNER_TIME.format(now.minusSeconds(3600)),
                "-e",
                SIGNER_TIME.format(now.plus(Duration.ofDays(30))),
                "-o",
                ORIGIN));
    if (denial != Denial.NSEC) {
      command.addAll(List.of("-n", "-t", "0")); // no salt, no extra iterations (RFC 9276)
    }
    if (denial == Denial.NSEC3_OPT_OUT) {
      command.add("-p");
    }
    command.addAll(
        List.of(unsigned.toString(), keys.resolve(ksk).toString(), keys.resolve(zsk).toString()));
    run(dir, command.toArray(String[]::new));
    return dir.resolve(unsigned.getFileName() + ".signed");
  }

  /** Knot's automatic signing for one denial of existence; keys and signatures made by knotd. */
  private static final String KNOT_CONFIG =
      """
      server:
          rundir: "%1$s"
          listen: 127.0.0.1@%2$d
      database:
          storage: "%1$s"
      acl:
        - id: local
          address: 127.0.0.1
          action: transfer
      policy:
        - id: signer
          algorithm: ecdsap256sha256
          rrsig-lifetime: 30d
          nsec3: %3$s
          nsec3-iterations: 0
          nsec3-salt-length: 0
          nsec3-opt-out: %4$s
      zone:
        - domain: %5$s
          file: "%6$s"
          zonefile-sync: -1
          journal-content: none
          dnssec-signing: on
          dnssec-policy: signer
          acl: local
      """;

  /**
   * {@link #EDGE} signed by Knot: Knot 3.2 has no offline signer ({@code kzonesign} came later), so
   * {@code knotd} (Debian {@code knot}) serves the zone on a loopback port with automatic signing
   * (ECDSA P-256, a KSK and a ZSK, signatures valid for 30 days), and the signed zone is taken out
   * by AXFR, as an operator's secondary would take it.
   */
  public static Path knot(Path dir, Denial denial) throws Exception {
    needs("knotd", "knot");
    Path home = Files.createDirectories(dir.resolve("knot-" + denial));
    Path unsigned =
        Files.writeString(home.resolve("edge.unsigned"), "$ORIGIN " + ORIGIN + "\n" + EDGE);
    int port = freePort();
    Path config =
        Files.writeString(
            home.resolve("knot.conf"),
            KNOT_CONFIG.formatted(
                home,
                port,
                denial == Denial.NSEC ? "off" : "on",
                denial == Denial.NSEC3_OPT_OUT ? "on" : "off",
                ORIGIN,
                unsigned));
    Path log = home.resolve("knotd.log");
    Process knotd =
        new ProcessBuilder("knotd", "-c", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      List<Record> zone = signedTransfer(new InetSocketAddress("127.0.0.1", port), log);
      Path signed = dir.resolve("edge-knot-" + denial + ".zone");
      Files.write(signed, zone.stream().map(Record::toString).toList());
      return signed;
    } finally {
      knotd.destroy();
      if (!knotd.waitFor(10, TimeUnit.SECONDS)) {
        knotd.destroyForcibly();
      }
    }
  }

  /** The zone by AXFR once knotd has signed it, asking for at most 30 seconds. */
  private static List<Record> signedTransfer(InetSocketAddress knotd, Path log) throws Exception {
    AtomicReference<String> last = new AtomicReference<>("nothing asked");
    try {
      return await("knotd serves the signed zone")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                try {
                  ZoneTransferIn axfr =
                      ZoneTransferIn.newAXFR(Name.fromString(ORIGIN), knotd, null);
                  axfr.setTimeout(Duration.ofSeconds(5));
                  axfr.run();
                  last.set("not signed yet");
                  return axfr.getAXFR();
                } catch (IOException | ZoneTransferException e) {
                  last.set(e.toString()); // not listening yet, or the zone not loaded yet
                  return List.<Record>of();
                }
              },
              zone -> zone.stream().anyMatch(r -> r.getType() == Type.RRSIG));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "knotd gave no signed zone in 30 s (" + last.get() + "): " + Files.readString(log), e);
    }
  }

  /** A loopback port free now, for a server that cannot be told to pick one. */
  private static int freePort() throws IOException {
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void needs(String tool, String debianPackage) {
    boolean found =
        Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    assumeTrue(
        found,
        tool
            + " is not installed (Debian package "
            + debianPackage
            + "): signed-zone test skipped");
  }

  /**
   * Runs a signer tool in {@code dir}, at most a minute; its output, or a failed assertion with it.
   */
  private static String run(Path dir, String... command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " took over a minute");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    return out;
  }
}
