package org.cairndns.zone.dnssec;

import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.NSEC3PARAMRecord;
import org.xbill.DNS.NSEC3Record;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;
import org.xbill.DNS.utils.base32;

/**
 * Checks a signed zone as a validator would see it, before it is stored: every authoritative RRset
 * is signed and its signatures verify against the apex DNSKEYs, none has expired, and the NSEC or
 * NSEC3 chain covers every authoritative name and closes, each bitmap listing exactly the types at
 * its owner (RFC 4035 §2, RFC 5155 §7.1). Also finds the signature that expires first ({@link
 * SignatureExpiry}). An unsigned zone (no DNSKEY, no RRSIG) has nothing to check.
 *
 * <p>The work is one pass over the records plus one signature verification per RRSIG and one hash
 * per name for NSEC3: linear in the zone, dominated by the verifications, which run on every core.
 */
public final class DnssecChecker {
  /** Findings kept of each kind; the rest are counted. */
  public static final int MAX_FINDINGS = 20;

  /** One finding about the records of {@code type} at {@code owner}. */
  public record Finding(Name owner, int type, String reason) {
    @Override
    public String toString() {
      return owner + " " + Type.string(type) + ": " + reason;
    }
  }

  /**
   * What the check found.
   *
   * @param signed whether the zone is signed at all (nothing else is set when not)
   * @param errors what makes the zone fail validation (the first {@link #MAX_FINDINGS})
   * @param warnings what will soon (the first {@link #MAX_FINDINGS})
   * @param earliest the signature expiring first
   * @param verified signatures verified
   */
  public record Report(
      boolean signed,
      List<Finding> errors,
      List<Finding> warnings,
      Optional<SignatureExpiry.Signature> earliest,
      int verified) {}

  private final Name origin;
  private final Instant now;
  private final Duration warning;
  private final Map<Name, List<Record>> byOwner = new HashMap<>();
  private final List<SignatureVerifier> keys = new ArrayList<>();
  private final List<Finding> errors = new ArrayList<>();
  private final List<Finding> warnings = new ArrayList<>();
  private final SignatureExpiry expiry = new SignatureExpiry();
  private final List<Signed> toVerify = new ArrayList<>();
  private int verified;

  private DnssecChecker(Name origin, Instant now, Duration warning) {
    this.origin = origin;
    this.now = now;
    this.warning = warning;
  }

  /**
   * Checks the records of the zone at {@code origin}, which meet the structural rules already.
   *
   * @param now the time signatures must be valid at
   * @param warning a signature expiring within this of {@code now} is a warning
   */
  public static Report check(Name origin, List<Record> records, Instant now, Duration warning) {
    DnssecChecker checker = new DnssecChecker(origin, now, warning);
    return checker.run(records);
  }

  private Report run(List<Record> records) {
    boolean anySignature = false;
    for (Record r : records) {
      byOwner.computeIfAbsent(r.getName(), n -> new ArrayList<>(4)).add(r);
      anySignature |= r.getType() == Type.RRSIG;
      if (r instanceof DNSKEYRecord key && r.getName().equals(origin)) {
        keys.add(new SignatureVerifier(key));
      }
    }
    if (keys.isEmpty() && !anySignature) {
      return new Report(false, List.of(), List.of(), Optional.empty(), 0);
    }
    if (keys.isEmpty()) {
      error(origin, Type.DNSKEY, "signatures but no DNSKEY at the apex");
    }
    List<Name> names = new ArrayList<>(byOwner.keySet());
    names.sort(null); // canonical order (RFC 4034 §6.1): a name's descendants follow it directly
    List<Name> authoritative = new ArrayList<>(names.size());
    Set<Name> cuts = new HashSet<>();
    Set<Name> insecureCuts = new HashSet<>();
    Name hiding = null; // the delegation or DNAME the names being read lie below
    for (Name name : names) {
      if (hiding != null && name.subdomain(hiding) && !name.equals(hiding)) {
        continue; // glue, or nothing (below a DNAME): neither signed nor in a chain
      }
      List<Record> rrs = byOwner.get(name);
      boolean cut = !name.equals(origin) && has(rrs, Type.NS);
      hiding = cut || has(rrs, Type.DNAME) ? name : null;
      if (!isNsec3Only(rrs)) {
        authoritative.add(name);
      }
      if (cut) {
        cuts.add(name);
      }
      if (cut && !has(rrs, Type.DS)) {
        insecureCuts.add(name);
      }
      checkSignatures(name, rrs, cut);
    }
    verifyAll();
    Optional<SignatureExpiry.Signature> earliest = expiry.earliest();
    earliest.ifPresent(this::checkExpiry);
    NSEC3PARAMRecord param = nsec3Param();
    if (param != null) {
      new Nsec3Chain(param, authoritative, cuts, insecureCuts).check();
    } else {
      checkNsecChain(authoritative, names, cuts);
    }
    return new Report(true, List.copyOf(errors), List.copyOf(warnings), earliest, verified);
  }

  /** Each authoritative RRset is signed, at a delegation only DS and NSEC (RFC 4035 §2.2). */
  private void checkSignatures(Name name, List<Record> rrs, boolean cut) {
    Map<Integer, RRset> sets = new HashMap<>();
    List<RRSIGRecord> sigs = new ArrayList<>();
    for (Record r : rrs) {
      if (r instanceof RRSIGRecord sig) {
        sigs.add(sig);
      } else {
        sets.computeIfAbsent(r.getType(), t -> new RRset()).addRR(r);
      }
    }
    Set<Integer> covered = new HashSet<>();
    for (RRSIGRecord sig : sigs) {
      RRset set = sets.get(sig.getTypeCovered());
      if (set == null) {
        error(
            name,
            Type.RRSIG,
            "signature over " + Type.string(sig.getTypeCovered()) + ", which is not there");
      } else {
        toVerify.add(new Signed(set, sig));
      }
      covered.add(sig.getTypeCovered());
      expiry.add(sig);
    }
    for (int type : sets.keySet()) {
      boolean signable = !cut || type == Type.DS || type == Type.NSEC;
      if (signable && !covered.contains(type)) {
        error(name, type, "not signed");
      }
    }
  }

  /** A signature to verify over its RRset. */
  private record Signed(RRset set, RRSIGRecord sig) {}

  /**
   * Verifications are nearly all the work (about 90 µs each for ECDSA P-256 through {@link
   * SignatureVerifier}, a millisecond through the JDK's provider), and independent: they are spread
   * over the cores, and failures reported in zone order.
   */
  private void verifyAll() {
    List<Finding> failures =
        toVerify.parallelStream().map(this::failure).filter(Objects::nonNull).toList();
    verified = toVerify.size() - failures.size();
    failures.forEach(f -> error(f.owner(), f.type(), f.reason()));
  }

  /**
   * Null when a DNSKEY of the zone with the signature's tag and algorithm verifies it, else why
   * not.
   */
  private Finding failure(Signed signed) {
    RRSIGRecord sig = signed.sig();
    if (!sig.getSigner().equals(origin)) {
      return new Finding(
          sig.getName(),
          sig.getTypeCovered(),
          "signed by " + sig.getSigner() + ", not by the zone " + origin);
    }
    boolean tagged = false;
    for (SignatureVerifier verifier : keys) {
      DNSKEYRecord key = verifier.key();
      if (key.getFootprint() != sig.getFootprint() || key.getAlgorithm() != sig.getAlgorithm()) {
        continue;
      }
      tagged = true;
      if (verifier.verifies(signed.set(), sig)) {
        return null;
      } // else another key may share the tag (RFC 4034 Appendix B)
    }
    return new Finding(
        sig.getName(),
        sig.getTypeCovered(),
        tagged
            ? "signature by key " + sig.getFootprint() + " does not verify"
            : "signature by key "
                + sig.getFootprint()
                + " (algorithm "
                + sig.getAlgorithm()
                + "), which is not a DNSKEY at the apex");
  }

  private void checkExpiry(SignatureExpiry.Signature first) {
    if (first.expires().isBefore(now)) {
      error(first.owner(), first.covered(), "signature expired at " + first.expires());
    } else if (first.expires().isBefore(now.plus(warning))) {
      warn(
          first.owner(),
          first.covered(),
          "signature expires at " + first.expires() + ", within " + warning.toDays() + " days");
    }
  }

  /**
   * NSEC: every authoritative name has one, each points at the next in canonical order, the last at
   * the apex.
   */
  private void checkNsecChain(List<Name> authoritative, List<Name> names, Set<Name> cuts) {
    Set<Name> inChain = new HashSet<>(authoritative);
    for (Name name : names) {
      if (!inChain.contains(name) && has(byOwner.get(name), Type.NSEC)) {
        error(
            name,
            Type.NSEC,
            "NSEC at a name that is not authoritative (below a delegation or DNAME)");
      }
    }
    for (int i = 0; i < authoritative.size(); i++) {
      Name name = authoritative.get(i);
      NSECRecord nsec = first(byOwner.get(name), NSECRecord.class);
      Name expected = i + 1 < authoritative.size() ? authoritative.get(i + 1) : origin;
      if (nsec == null) {
        error(name, Type.NSEC, "no NSEC: the chain is broken");
      } else if (!nsec.getNext().equals(expected)) {
        error(
            name,
            Type.NSEC,
            "next name is " + nsec.getNext() + ", the next name in the zone is " + expected);
      }
      if (nsec != null) {
        checkBitmap(name, Type.NSEC, nsec.getTypes(), typesAt(name, cuts.contains(name)));
      }
    }
  }

  /**
   * The types a validator must find in the NSEC or NSEC3 bitmap of {@code name} (RFC 4034 §4.1.2,
   * RFC 5155 §3.1.8): those present there, RRSIG when anything there is signed (NSEC: NSEC too, as
   * it is at the owner); at a delegation only NS, DS and their signatures, as glue and other
   * occluded data are not the zone's (RFC 4035 §2.3). An empty non-terminal has none.
   */
  private Set<Integer> typesAt(Name name, boolean cut) {
    Set<Integer> types = new TreeSet<>();
    for (Record r : byOwner.getOrDefault(name, List.of())) {
      int type = r.getType();
      if (!cut || type == Type.NS || type == Type.DS || type == Type.NSEC || type == Type.RRSIG) {
        types.add(type);
      }
    }
    return types;
  }

  /** An error naming the types {@code bitmap} lacks and those it lists that are not there. */
  private void checkBitmap(Name owner, int type, int[] bitmap, Set<Integer> present) {
    Set<Integer> listed = new TreeSet<>();
    for (int t : bitmap) {
      listed.add(t);
    }
    if (listed.equals(present)) {
      return;
    }
    Set<Integer> missing = new TreeSet<>(present);
    missing.removeAll(listed);
    Set<Integer> extra = new TreeSet<>(listed);
    extra.removeAll(present);
    List<String> problems = new ArrayList<>(2);
    if (!missing.isEmpty()) {
      problems.add("lacks " + typeNames(missing) + ", present at the owner");
    }
    if (!extra.isEmpty()) {
      problems.add("lists " + typeNames(extra) + ", not present at the owner");
    }
    error(owner, type, "type bitmap " + String.join("; ", problems));
  }

  private static String typeNames(Set<Integer> types) {
    return types.stream().map(Type::string).collect(Collectors.joining(" "));
  }

  /**
   * NSEC3 (RFC 5155 §7.1): a hash for every authoritative name and empty non-terminal, in one
   * closed chain.
   */
  private final class Nsec3Chain {
    private final NSEC3PARAMRecord param;
    private final List<Name> authoritative;
    private final Set<Name> cuts;
    private final Set<Name> insecureCuts;

    Nsec3Chain(
        NSEC3PARAMRecord param, List<Name> authoritative, Set<Name> cuts, Set<Name> insecureCuts) {
      this.param = param;
      this.authoritative = authoritative;
      this.cuts = cuts;
      this.insecureCuts = insecureCuts;
    }

    void check() {
      base32 hex = new base32(base32.Alphabet.BASE32HEX, false, false);
      Map<Hash, NSEC3Record> chain = new HashMap<>();
      boolean optOut = false;
      for (List<Record> rrs : byOwner.values()) {
        NSEC3Record n = first(rrs, NSEC3Record.class);
        if (n != null
            && n.getHashAlgorithm() == param.getHashAlgorithm()
            && n.getIterations() == param.getIterations()
            && Arrays.equals(n.getSalt(), param.getSalt())) {
          chain.put(new Hash(hex.fromString(n.getName().getLabelString(0))), n);
          optOut |= (n.getFlags() & NSEC3Record.Flags.OPT_OUT) != 0;
        }
      }
      Set<Name> withEnts = new HashSet<>(authoritative);
      for (Name name : authoritative) {
        for (Name up = parent(name); up != null && withEnts.add(up); up = parent(up)) {
          // an empty non-terminal has its NSEC3 as well (RFC 5155 §7.1)
        }
      }
      for (Name name : withEnts) {
        // opt-out (RFC 5155 §6) may leave out insecure delegations and the empty non-terminals
        // above them
        boolean mayLack = optOut && (insecureCuts.contains(name) || !byOwner.containsKey(name));
        Hash hash = hash(name);
        NSEC3Record nsec3 = hash == null ? null : chain.get(hash);
        if (nsec3 != null) { // its bitmap: the types at the original owner, not at the hash
          checkBitmap(name, Type.NSEC3, nsec3.getTypes(), typesAt(name, cuts.contains(name)));
        } else if (hash != null && !mayLack) {
          error(name, Type.NSEC3, "no NSEC3 for its hash " + hex.toString(hash.bytes()));
        }
      }
      List<Hash> sorted = new ArrayList<>(chain.keySet());
      sorted.sort(null);
      for (int i = 0; i < sorted.size(); i++) {
        NSEC3Record n = chain.get(sorted.get(i));
        Hash expected = sorted.get((i + 1) % sorted.size());
        if (!Arrays.equals(n.getNext(), expected.bytes())) {
          error(
              n.getName(),
              Type.NSEC3,
              "next hash is "
                  + hex.toString(n.getNext())
                  + ", the next in the zone is "
                  + hex.toString(expected.bytes()));
        }
      }
    }

    private Hash hash(Name name) {
      try {
        return new Hash(param.hashName(name));
      } catch (NoSuchAlgorithmException e) {
        error(
            origin,
            Type.NSEC3PARAM,
            "hash algorithm " + param.getHashAlgorithm() + " is not supported");
        return null;
      }
    }

    private Name parent(Name name) {
      return name.labels() > origin.labels() + 1 ? new Name(name, 1) : null;
    }
  }

  /** An NSEC3 hash, ordered as the chain is: bytes compared unsigned. */
  private static final class Hash implements Comparable<Hash> {
    private final byte[] bytes;

    Hash(byte[] bytes) {
      this.bytes = bytes;
    }

    byte[] bytes() {
      return bytes;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Hash h && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(Hash o) {
      return Arrays.compareUnsigned(bytes, o.bytes);
    }
  }

  /** The apex NSEC3PARAM naming the chain (flags 0, RFC 5155 §4.1.2), or null for an NSEC zone. */
  private NSEC3PARAMRecord nsec3Param() {
    List<Record> apex = byOwner.getOrDefault(origin, List.of());
    for (Record r : apex) {
      if (r instanceof NSEC3PARAMRecord p && p.getFlags() == 0) {
        return p;
      }
    }
    return null;
  }

  /** An NSEC3 owner holds its NSEC3 and signatures only, and is no name of the zone's own. */
  private static boolean isNsec3Only(List<Record> rrs) {
    for (Record r : rrs) {
      int type = r instanceof RRSIGRecord sig ? sig.getTypeCovered() : r.getType();
      if (type != Type.NSEC3) {
        return false;
      }
    }
    return true;
  }

  private static boolean has(List<Record> rrs, int type) {
    for (Record r : rrs) {
      if (r.getType() == type) {
        return true;
      }
    }
    return false;
  }

  private static <T extends Record> T first(List<Record> rrs, Class<T> type) {
    for (Record r : rrs) {
      if (type.isInstance(r)) {
        return type.cast(r);
      }
    }
    return null;
  }

  private void error(Name owner, int type, String reason) {
    if (errors.size() < MAX_FINDINGS) {
      errors.add(new Finding(owner, type, reason));
    }
  }

  private void warn(Name owner, int type, String reason) {
    if (warnings.size() < MAX_FINDINGS) {
      warnings.add(new Finding(owner, type, reason));
    }
  }
}
