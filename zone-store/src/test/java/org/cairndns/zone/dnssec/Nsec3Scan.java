package org.cairndns.zone.dnssec;

import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSEC3PARAMRecord;
import org.xbill.DNS.NSEC3Record;
import org.xbill.DNS.Name;
import org.xbill.DNS.utils.base32;

/**
 * An NSEC3 chain searched the slow, obvious way (hash a name, look at every record), as the oracle
 * that the server's sorted tables are checked against. Owners are given in lower case.
 */
public final class Nsec3Scan {
  private static final base32 HEX = new base32(base32.Alphabet.BASE32HEX, false, true);

  private final List<NSEC3Record> chain;
  private final NSEC3PARAMRecord params;

  /** {@code chain}: the NSEC3 records of one zone, one chain, in any order. */
  public Nsec3Scan(List<NSEC3Record> chain) {
    this.chain = List.copyOf(chain);
    NSEC3Record any = chain.get(0);
    this.params =
        new NSEC3PARAMRecord(
            Name.root, DClass.IN, 0, any.getHashAlgorithm(), 0, any.getIterations(), any.getSalt());
  }

  /** The owner an NSEC3 of {@code name} has in this chain: its hash, base32hex, then the zone. */
  public String hashedOwner(Name name) throws NoSuchAlgorithmException {
    return HEX.toString(params.hashName(name)).toLowerCase(Locale.ROOT)
        + "."
        + new Name(chain.get(0).getName(), 1).toString().toLowerCase(Locale.ROOT);
  }

  /** Whether an NSEC3 of the chain is owned by {@code name}'s hash. */
  public boolean matches(Name name) throws NoSuchAlgorithmException {
    String owner = hashedOwner(name);
    return chain.stream().anyMatch(n -> n.getName().toString().equalsIgnoreCase(owner));
  }

  /** The owner of the NSEC3 whose span holds {@code name}'s hash, or null when one matches it. */
  public String covering(Name name) throws NoSuchAlgorithmException {
    String hash = hashedOwner(name).substring(0, hashedOwner(name).indexOf('.'));
    for (NSEC3Record n : chain) {
      String owner = n.getName().getLabelString(0).toLowerCase(Locale.ROOT);
      String next = HEX.toString(n.getNext()).toLowerCase(Locale.ROOT);
      boolean inside =
          wraps(n)
              ? hash.compareTo(owner) > 0 || hash.compareTo(next) < 0
              : hash.compareTo(owner) > 0 && hash.compareTo(next) < 0;
      if (inside) {
        return n.getName().toString().toLowerCase(Locale.ROOT);
      }
    }
    return null;
  }

  /** Whether {@code n} is the chain's last NSEC3, whose next hash is the first. */
  public static boolean wraps(NSEC3Record n) {
    return HEX.toString(n.getNext()).compareToIgnoreCase(n.getName().getLabelString(0)) <= 0;
  }
}
