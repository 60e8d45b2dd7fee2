package org.cairndns.zone;

import java.util.List;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;

/**
 * What a zone holds for one (qname, qtype). Callers handle it through a {@link Visitor}, so that a
 * new variant is a compile error in every caller rather than a silent fall into a catch-all branch
 * (Java 17 has no pattern-matching switch to check that).
 */
public sealed interface LookupResult {

  /** Calls the visitor's method for this variant with {@code context}. */
  <R, P> R accept(Visitor<R, P> visitor, P context);

  /**
   * One method per variant. The context parameter lets a single stateless visitor serve every
   * query, so the query path allocates no visitor or lambda per lookup.
   *
   * @param <R> what each method returns
   * @param <P> the caller's per-call context
   */
  interface Visitor<R, P> {
    R answer(Answer answer, P context);

    R cname(Cname cname, P context);

    R dname(Dname dname, P context);

    R delegation(Delegation delegation, P context);

    R noData(NoData noData, P context);

    R nxDomain(NxDomain nxDomain, P context);
  }

  /**
   * The RRsets answering the question (one, or several for ANY); owners already set to qname. For a
   * wildcard answer, {@code encloserLabels} is the closest encloser's label count (the wildcard's
   * parent, RFC 4592), which the proof that no closer name exists needs; otherwise qname's.
   */
  record Answer(List<RRset> rrsets, boolean wildcard, int encloserLabels) implements LookupResult {
    @Override
    public <R, P> R accept(Visitor<R, P> visitor, P context) {
      return visitor.answer(this, context);
    }
  }

  /**
   * qname owns a CNAME and the question was for another type: follow {@link #cname}. The RRset
   * carries its signatures; {@code encloserLabels} as for {@link Answer}.
   */
  record Cname(RRset rrset, boolean wildcard, int encloserLabels) implements LookupResult {
    public CNAMERecord cname() {
      return (CNAMERecord) rrset.first();
    }

    @Override
    public <R, P> R accept(Visitor<R, P> visitor, P context) {
      return visitor.cname(this, context);
    }
  }

  /** A DNAME at an ancestor of qname rewrites it (RFC 6672); the RRset carries its signatures. */
  record Dname(RRset rrset) implements LookupResult {
    public DNAMERecord dname() {
      return (DNAMERecord) rrset.first();
    }

    @Override
    public <R, P> R accept(Visitor<R, P> visitor, P context) {
      return visitor.dname(this, context);
    }
  }

  /** qname is at or below a zone cut: refer to the child's servers. */
  record Delegation(Name cut, RRset ns, List<RRset> glue) implements LookupResult {
    @Override
    public <R, P> R accept(Visitor<R, P> visitor, P context) {
      return visitor.delegation(this, context);
    }
  }

  /**
   * qname exists (possibly as an empty non-terminal or through a wildcard) but not with qtype;
   * {@code encloserLabels} as for {@link Answer}.
   */
  record NoData(boolean wildcard, int encloserLabels) implements LookupResult {
    @Override
    public <R, P> R accept(Visitor<R, P> visitor, P context) {
      return visitor.noData(this, context);
    }
  }

  /**
   * qname does not exist in the zone; its closest encloser (RFC 4592 §3.3.1), the deepest ancestor
   * that does, has {@code encloserLabels} labels.
   */
  record NxDomain(int encloserLabels) implements LookupResult {
    @Override
    public <R, P> R accept(Visitor<R, P> visitor, P context) {
      return visitor.nxDomain(this, context);
    }
  }
}
