package org.cairndns.zone;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cairndns.zone.wire.NodeTable;
import org.xbill.DNS.NSEC3PARAMRecord;
import org.xbill.DNS.NSEC3Record;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * What a signed zone adds to an answer asked with DO (RFC 4035 §3.1.3, RFC 5155 §7.2): the NSEC or
 * NSEC3 RRsets that prove a name or type absent, and the DS RRset of a secure delegation. Each
 * method returns the RRsets, signatures attached, for the authority section.
 *
 * <p>Made once per snapshot, on its first DO question ({@link ZoneSnapshot#proofs}), and only for a
 * signed zone (its SOA has an RRSIG); immutable and shared by every thread. NSEC: the owners of
 * NSEC records in canonical order (RFC 4034 §6.1), where a binary search finds the NSEC covering a
 * name. NSEC3: the hashes of the chain the apex's NSEC3PARAM names (a second chain exists only
 * during a rollover), sorted, binary-searched for the NSEC3 matching or covering a hash. A name is
 * hashed once per proof step; nothing is scanned per query.
 */
public final class DnssecProofs {
  private static final byte[] WILDCARD = {1, '*'};
  private static final int MAX_LABELS = 128;

  private final ZoneSnapshot zone;
  private final NodeTable table;
  private final List<Record> negativeSoaSignatures;

  /** Node ids of the NSEC owners in canonical order; empty in an NSEC3 zone. */
  private final int[] nsecOwners;

  /** The chain that answers, or null when the zone proves with NSEC. */
  private final NSEC3PARAMRecord nsec3;

  /** The chain's hashes, sorted, {@link #hashLength} bytes each; hash i is node hashOwners[i]'s. */
  private final byte[] hashes;

  private final int[] hashOwners;
  private final int hashLength;

  private DnssecProofs(
      ZoneSnapshot zone,
      List<Record> negativeSoaSignatures,
      int[] nsecOwners,
      NSEC3PARAMRecord nsec3,
      byte[] hashes,
      int[] hashOwners,
      int hashLength) {
    this.zone = zone;
    this.table = zone.table();
    this.negativeSoaSignatures = negativeSoaSignatures;
    this.nsecOwners = nsecOwners;
    this.nsec3 = nsec3;
    this.hashes = hashes;
    this.hashOwners = hashOwners;
    this.hashLength = hashLength;
  }

  /**
   * The proofs of {@code zone} (nodes {@code canonical} in canonical order); null when unsigned.
   */
  static DnssecProofs of(ZoneSnapshot zone, int[] canonical) {
    RRset soa = zone.rrsetAt(0, Type.SOA);
    if (soa == null || soa.sigs().isEmpty()) {
      return null;
    }
    NodeTable table = zone.table();
    NSEC3PARAMRecord params = chainParameters(zone.rrsetAt(0, Type.NSEC3PARAM));
    if (params != null) {
      byte[] salt = params.getSalt() == null ? new byte[0] : params.getSalt();
      int length = 20; // SHA-1, the one hash RFC 5155 defines
      int[] owners = new int[canonical.length];
      byte[] sorted = new byte[canonical.length * length];
      int n = 0;
      // Canonical order is hash order: NSEC3 owners are one base32hex label under the apex.
      for (int id : canonical) {
        if (inChain(table, id, params, salt) && decodeHash(table, id, sorted, n * length, length)) {
          owners[n++] = id;
        }
      }
      if (n > 0) {
        return new DnssecProofs(
            zone,
            negativeSoaSignatures(zone.soa(), soa),
            new int[0],
            params,
            Arrays.copyOf(sorted, n * length),
            Arrays.copyOf(owners, n),
            length);
      }
    }
    int[] owners = Arrays.stream(canonical).filter(id -> table.has(id, Type.NSEC)).toArray();
    return new DnssecProofs(
        zone, negativeSoaSignatures(zone.soa(), soa), owners, null, new byte[0], new int[0], 0);
  }

  /** The apex's NSEC3PARAM with SHA-1 and flags 0 (RFC 5155 §4.1.2), or null. */
  private static NSEC3PARAMRecord chainParameters(RRset set) {
    if (set != null) {
      for (Record r : set.rrs(false)) {
        NSEC3PARAMRecord p = (NSEC3PARAMRecord) r;
        if (p.getHashAlgorithm() == NSEC3Record.SHA1_DIGEST_ID && p.getFlags() == 0) {
          return p;
        }
      }
    }
    return null;
  }

  /**
   * Whether node {@code id} holds an NSEC3 of the chain {@code params} names (algorithm,
   * iterations, salt), read from its bytes so no node is decoded to build the table.
   */
  private static boolean inChain(NodeTable table, int id, NSEC3PARAMRecord params, byte[] salt) {
    byte[] data = table.data();
    for (int p = table.runAt(id); p < table.runEnd(id); p = table.next(p)) {
      if (NodeTable.u16(data, p) != Type.NSEC3 || NodeTable.u16(data, p + 8) < 5) {
        continue;
      }
      int rdata = p + 10;
      if ((data[rdata] & 0xFF) == params.getHashAlgorithm()
          && NodeTable.u16(data, rdata + 2) == params.getIterations()
          && (data[rdata + 4] & 0xFF) == salt.length
          && Arrays.equals(data, rdata + 5, rdata + 5 + salt.length, salt, 0, salt.length)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Decodes the first label of node {@code id}'s name (base32hex, RFC 4648 §7) into {@code out[at,
   * at + length)}; false when it is not a hash of that length.
   */
  private static boolean decodeHash(NodeTable table, int id, byte[] out, int at, int length) {
    byte[] names = table.names();
    int p = table.nameAt(id);
    int chars = names[p];
    if (chars != (length * 8 + 4) / 5) {
      return false;
    }
    long buffer = 0;
    int bits = 0;
    int written = 0;
    for (int i = 1; i <= chars; i++) {
      int c = names[p + i] | 0x20; // digits keep their value, letters fold to lower case
      int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'v' ? c - 'a' + 10 : -1;
      if (v < 0) {
        return false;
      }
      buffer = buffer << 5 | v;
      bits += 5;
      if (bits >= 8 && written < length) {
        bits -= 8;
        out[at + written++] = (byte) (buffer >>> bits);
      }
    }
    return written == length;
  }

  /** The SOA's signatures with the negative answer's TTL, min(SOA TTL, MINIMUM) (RFC 2308 §3). */
  private static List<Record> negativeSoaSignatures(SOARecord soa, RRset set) {
    long ttl = Math.min(soa.getTTL(), soa.getMinimum());
    List<Record> out = new ArrayList<>();
    for (RRSIGRecord sig : set.sigs()) {
      out.add(
          ttl == sig.getTTL()
              ? sig
              : new RRSIGRecord(
                  sig.getName(),
                  sig.getDClass(),
                  ttl,
                  sig.getTypeCovered(),
                  sig.getAlgorithm(),
                  sig.getOrigTTL(),
                  sig.getExpire(),
                  sig.getTimeSigned(),
                  sig.getFootprint(),
                  sig.getSigner(),
                  sig.getSignature()));
    }
    return List.copyOf(out);
  }

  /** The SOA's RRSIGs as a negative answer carries them, with the SOA's negative TTL. */
  public List<Record> negativeSoaSignatures() {
    return negativeSoaSignatures;
  }

  /**
   * NXDOMAIN (RFC 4035 §3.1.3.2, RFC 5155 §7.2.2): that qname does not exist and that no wildcard
   * at its closest encloser ({@code encloserLabels} labels) could have answered.
   */
  public List<RRset> nxDomain(Name qname, int encloserLabels) {
    Proof proof = new Proof(qname);
    if (nsec3 == null) {
      proof.nsecCovering(proof.wire, 0);
      proof.nsecCovering(proof.wildcardAt(encloserLabels), 0);
    } else {
      int encloser = proof.closestProvableEncloser(encloserLabels);
      proof.nsec3Covering(proof.wildcardAt(encloser), 0);
    }
    return proof.out;
  }

  /**
   * NODATA (RFC 4035 §3.1.3.1 and §3.1.3.4, RFC 5155 §7.2.3 to §7.2.5): qname exists without qtype.
   * Through a wildcard at the closest encloser ({@code encloserLabels} labels), also that no closer
   * name exists.
   */
  public List<RRset> noData(Name qname, boolean wildcard, int encloserLabels) {
    Proof proof = new Proof(qname);
    if (nsec3 == null) {
      if (wildcard) {
        proof.nsecAt(proof.wildcardAt(encloserLabels));
        proof.nsecCovering(proof.wire, 0);
      } else if (!proof.nsecAt(proof.wire)) {
        proof.nsecCovering(proof.wire, 0); // an empty non-terminal: the NSEC before it
      }
    } else if (wildcard) {
      int encloser = proof.closestProvableEncloser(encloserLabels);
      proof.nsec3Matching(proof.wildcardAt(encloser), 0);
    } else if (!proof.nsec3Matching(proof.wire, 0)) {
      // No NSEC3 at qname: an opt-out span holds it (§7.2.4, a DS question at an insecure cut or
      // an empty non-terminal above only such cuts); prove the closest encloser instead.
      proof.closestProvableEncloser(proof.labels - 1);
    }
    return proof.out;
  }

  /**
   * A wildcard answer (RFC 4035 §3.1.3.3, RFC 5155 §7.2.6): that no name closer than the wildcard's
   * parent ({@code encloserLabels} labels) matches qname.
   */
  public List<RRset> wildcardAnswer(Name qname, int encloserLabels) {
    Proof proof = new Proof(qname);
    if (nsec3 == null) {
      proof.nsecCovering(proof.wire, 0);
    } else {
      proof.nsec3Covering(proof.wire, proof.at(encloserLabels + 1));
    }
    return proof.out;
  }

  /**
   * A referral (RFC 4035 §3.1.4, RFC 5155 §7.2.7): the DS RRset of a secure child, else the proof
   * that {@code cut} has none (its NSEC; its NSEC3, or under opt-out the closest provable encloser
   * proof).
   */
  public List<RRset> referral(Name cut) {
    Proof proof = new Proof(cut);
    int id = proof.node(proof.wire, 0);
    RRset ds = id == NodeTable.NO_NODE ? null : zone.rrsetAt(id, Type.DS);
    if (ds != null) {
      proof.out.add(ds);
    } else if (nsec3 == null) {
      proof.nsecAt(proof.wire);
    } else if (!proof.nsec3Matching(proof.wire, 0)) {
      proof.closestProvableEncloser(proof.labels - 1);
    }
    return proof.out;
  }

  /** One proof as it is built: the name's canonical wire form and what goes out. */
  private final class Proof {
    final byte[] wire;
    final int labels;
    final int[] starts = new int[MAX_LABELS];
    final int[] scratch = new int[MAX_LABELS];
    final int[] other = new int[MAX_LABELS];
    final List<RRset> out = new ArrayList<>(3);
    private MessageDigest digest;

    Proof(Name name) {
      wire = name.toWireCanonical();
      labels = NodeTable.labelStarts(wire, 0, starts);
    }

    /** Where the ancestor of the name with {@code k} labels starts in {@link #wire}. */
    int at(int k) {
      return starts[labels - k];
    }

    /** The wire name {@code *.<ancestor with k labels>}. */
    byte[] wildcardAt(int k) {
      int from = at(k);
      byte[] w = new byte[2 + wire.length - from];
      System.arraycopy(WILDCARD, 0, w, 0, 2);
      System.arraycopy(wire, from, w, 2, wire.length - from);
      return w;
    }

    int node(byte[] w, int from) {
      return table.find(w, from, NodeTable.state(w, from, w.length));
    }

    void add(RRset set) {
      if (set != null && !out.contains(set)) {
        out.add(set);
      }
    }

    /** Adds the NSEC owned by the name {@code w}; false when it has none. */
    boolean nsecAt(byte[] w) {
      int id = node(w, 0);
      RRset nsec = id == NodeTable.NO_NODE ? null : zone.rrsetAt(id, Type.NSEC);
      add(nsec);
      return nsec != null;
    }

    /**
     * Adds the NSEC whose owner is the last before the name at {@code w[from..]}: the one covering
     * it (the chain's last NSEC, whose next is the apex, covers every name after it).
     */
    void nsecCovering(byte[] w, int from) {
      if (nsecOwners.length == 0) {
        return;
      }
      int n = NodeTable.labelStarts(w, from, other);
      int low = 0;
      int high = nsecOwners.length - 1;
      int found = nsecOwners.length - 1;
      while (low <= high) {
        int mid = (low + high) >>> 1;
        if (table.compareName(nsecOwners[mid], scratch, w, other, n) < 0) {
          found = mid;
          low = mid + 1;
        } else {
          high = mid - 1;
        }
      }
      add(zone.rrsetAt(nsecOwners[found], Type.NSEC));
    }

    /** Adds the NSEC3 matching the name at {@code w[from..]}; false when there is none. */
    boolean nsec3Matching(byte[] w, int from) {
      int i = search(hash(w, from));
      if (i < 0) {
        return false;
      }
      add(zone.rrsetAt(hashOwners[i], Type.NSEC3));
      return true;
    }

    /** Adds the NSEC3 covering the hash of the name at {@code w[from..]} (RFC 5155 §7.2.1). */
    void nsec3Covering(byte[] w, int from) {
      int i = search(hash(w, from));
      // -(insertion point) - 1: the covering hash is just before it, the last one before the first
      int before = i >= 0 ? i : -i - 2;
      int covering = before >= 0 ? before : hashOwners.length - 1;
      add(zone.rrsetAt(hashOwners[covering], Type.NSEC3));
    }

    /**
     * RFC 5155 §7.2.1: the NSEC3 matching the closest ancestor of the name with one, at most {@code
     * k} labels long, and the one covering the next closer name below it. Returns that encloser's
     * label count.
     */
    int closestProvableEncloser(int k) {
      int encloser = k;
      while (encloser > table.apexLabels() && !nsec3Matching(wire, at(encloser))) {
        encloser--;
      }
      if (encloser == table.apexLabels()) {
        nsec3Matching(wire, at(encloser));
      }
      if (encloser < labels) {
        nsec3Covering(wire, at(encloser + 1));
      }
      return encloser;
    }

    /** RFC 5155 §5: the iterated, salted SHA-1 of the canonical name at {@code w[from..]}. */
    byte[] hash(byte[] w, int from) {
      if (digest == null) {
        try {
          digest = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException("every Java runtime has SHA-1", e);
        }
      }
      byte[] salt = nsec3.getSalt() == null ? new byte[0] : nsec3.getSalt();
      digest.update(w, from, w.length - from);
      digest.update(salt);
      byte[] h = digest.digest();
      for (int i = 0; i < nsec3.getIterations(); i++) {
        digest.update(h);
        digest.update(salt);
        h = digest.digest();
      }
      return h;
    }

    /** The index of {@code h} in the sorted hashes, or -(insertion point) - 1. */
    int search(byte[] h) {
      int low = 0;
      int high = hashOwners.length - 1;
      while (low <= high) {
        int mid = (low + high) >>> 1;
        int c =
            Arrays.compareUnsigned(
                hashes, mid * hashLength, (mid + 1) * hashLength, h, 0, hashLength);
        if (c < 0) {
          low = mid + 1;
        } else if (c > 0) {
          high = mid - 1;
        } else {
          return mid;
        }
      }
      return -low - 1;
    }
  }
}
