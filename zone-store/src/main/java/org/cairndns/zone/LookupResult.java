package org.cairndns.zone;

import java.util.List;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;

/** What a zone holds for one (qname, qtype): the query processor switches over these. */
public sealed interface LookupResult {

  /** The RRsets answering the question (one, or several for ANY); owners already set to qname. */
  record Answer(List<RRset> rrsets, boolean wildcard) implements LookupResult {}

  /** qname owns a CNAME and the question was for another type: follow {@code cname}. */
  record Cname(CNAMERecord cname, boolean wildcard) implements LookupResult {}

  /** A DNAME at an ancestor of qname rewrites it (RFC 6672). */
  record Dname(DNAMERecord dname) implements LookupResult {}

  /** qname is at or below a zone cut: refer to the child's servers. */
  record Delegation(Name cut, RRset ns, List<RRset> glue) implements LookupResult {}

  /** qname exists (possibly as an empty non-terminal or through a wildcard) but not with qtype. */
  record NoData(boolean wildcard) implements LookupResult {}

  /** qname does not exist in the zone. */
  record NxDomain() implements LookupResult {}
}
