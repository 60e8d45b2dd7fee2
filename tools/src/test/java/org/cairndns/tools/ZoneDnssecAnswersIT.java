package org.cairndns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.cairndns.server.CairnServer;
import org.cairndns.server.ServerFixture;
import org.cairndns.server.interop.PeerProcess;
import org.cairndns.server.interop.Peers;
import org.cairndns.zone.dnssec.SignedZones;
import org.cairndns.zone.dnssec.SignedZones.Denial;
import org.cairndns.zone.master.ZoneFileReader;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Issue 13's interoperability rule for signed answers: NSD and Knot serve the same signed edge-case
 * zone ({@link SignedZones#EDGE}, signed by {@code dnssec-signzone} with NSEC, NSEC3 and NSEC3
 * opt-out) as Cairn, every question is asked with DO=1 over UDP and TCP, and each of Cairn's
 * answers must agree, section by section, with NSD's or Knot's. Where NSD and Knot differ from each
 * other the difference is written to the report, with the one Cairn answers as (not a failure);
 * tools/README.md says which of them Cairn follows. The same answers are then checked by {@code
 * delv} against the zone's key: positive, NXDOMAIN, NODATA, wildcard and the DS answers a
 * referral's proof rests on validate.
 *
 * <p>The report of every difference, per question and section, is {@code
 * target/dnssec-answers-DENIAL.txt}.
 */
class ZoneDnssecAnswersIT {
  private static final Name ORIGIN = Name.fromConstantString(SignedZones.ORIGIN);
  private static final int[] SECTIONS = {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL};
  private static final String[] SECTION_NAMES = {"answer", "authority", "additional"};

  @TempDir Path dir;

  /** One question: a name relative to the zone's origin and a type. */
  record Question(Name name, int type) {
    @Override
    public String toString() {
      return name + "/" + Type.string(type);
    }
  }

  /**
   * Each name (relative, {@code @} the apex), then the types asked there beyond the common ones.
   */
  private static final List<String> PLACES =
      List.of(
          "@ SOA NS MX DNSKEY NSEC3PARAM CDS",
          "ns1 AAAA",
          "ns2 AAAA",
          "mail MX",
          "nx",
          "nx.mail",
          "wild",
          "*.wild MX",
          "x.wild MX",
          "a.b.wild",
          "ent",
          "b.ent",
          "a.b.ent",
          "nx.b.ent",
          "nx.a.b.ent",
          "www CNAME",
          "cname1 CNAME",
          "nx.www",
          "dn DNAME CNAME",
          "x.dn",
          "secure NS",
          "ns.secure",
          "x.secure",
          "insecure NS",
          "ns.insecure",
          "host.insecure",
          "elsewhere NS",
          "x.elsewhere");

  /**
   * The questions: names at every kind of place in {@link SignedZones#EDGE} (apex, hosts, the
   * wildcard itself and names it matches, the empty non-terminals above it and above {@code
   * a.b.ent}, the CNAME chain and the DNAME, each delegation, its glue and a name under it, names
   * that do not exist at each level and an NSEC3 owner), each with the types that tell the proofs
   * apart, and the zone's own DNSSEC types at the apex. About 150 per zone.
   */
  static List<Question> questions(Denial denial, List<Record> zone) {
    int denialType = denial == Denial.NSEC ? Type.NSEC : Type.NSEC3;
    List<Question> out = new ArrayList<>();
    for (String place : PLACES) {
      String[] words = place.split(" ");
      Name name = words[0].equals("@") ? ORIGIN : relative(words[0]);
      for (int type : List.of(Type.A, Type.TXT, Type.DS, Type.RRSIG, denialType)) {
        out.add(new Question(name, type));
      }
      for (int i = 1; i < words.length; i++) {
        out.add(new Question(name, Type.value(words[i])));
      }
    }
    if (denial != Denial.NSEC) {
      Name hashed =
          zone.stream().filter(r -> r.getType() == Type.NSEC3).findFirst().orElseThrow().getName();
      for (int type : List.of(Type.NSEC3, Type.RRSIG, Type.A)) {
        out.add(new Question(hashed, type));
      }
    }
    return out;
  }

  private static Name relative(String name) {
    try {
      return Name.fromString(name, ORIGIN);
    } catch (org.xbill.DNS.TextParseException e) {
      throw new IllegalArgumentException(name, e);
    }
  }

  @ParameterizedTest
  @EnumSource(Denial.class)
  void cairnAnswersAsNsdOrKnot(Denial denial) throws Exception {
    Path signed = SignedZones.bind(dir, denial, Duration.ofDays(30));
    List<Record> zone = ZoneFileReader.read(signed, ORIGIN).records();
    List<Question> questions = questions(denial, zone);
    List<String> cairnDisagrees = new ArrayList<>();
    List<String> peersDiffer = new ArrayList<>();
    int asked = 0;
    try (PeerProcess nsd =
            PeerProcess.nsd(Files.createDirectories(dir.resolve("nsd")), ORIGIN, signed);
        PeerProcess knot =
            PeerProcess.knot(Files.createDirectories(dir.resolve("knot")), ORIGIN, signed);
        CairnServer cairn = startCairn(signed)) {
      InetSocketAddress cairnAddress = cairn.transport().udpAddresses().get(0);
      for (boolean tcp : new boolean[] {false, true}) {
        SimpleResolver toNsd = resolver(nsd.address(), tcp);
        SimpleResolver toKnot = resolver(knot.address(), tcp);
        SimpleResolver toCairn = resolver(cairnAddress, tcp);
        for (Question q : questions) {
          String where = q + "/" + (tcp ? "tcp" : "udp") + " [" + denial + "]";
          Answer fromNsd = Answer.of(toNsd.send(query(q)));
          Answer fromKnot = Answer.of(toKnot.send(query(q)));
          Answer fromCairn = Answer.of(toCairn.send(query(q)));
          asked++;
          if (!fromNsd.equals(fromKnot)) {
            String follows =
                fromCairn.equals(fromNsd) ? "nsd" : fromCairn.equals(fromKnot) ? "knot" : "neither";
            peersDiffer.add(
                where
                    + ", cairn answers as "
                    + follows
                    + "\n"
                    + fromNsd.differences("nsd", fromKnot, "knot"));
          }
          if (!fromCairn.equals(fromNsd) && !fromCairn.equals(fromKnot)) {
            cairnDisagrees.add(
                where
                    + "\n"
                    + (fromNsd.equals(fromKnot)
                        ? fromCairn.differences("cairn", fromNsd, "nsd+knot")
                        : fromCairn.differences("cairn", fromNsd, "nsd")
                            + fromCairn.differences("cairn", fromKnot, "knot")));
          }
        }
      }
    }
    String report =
        "%d questions over UDP and TCP, %s zone\n\nCairn agrees with neither NSD nor Knot (%d):\n%s\nNSD and Knot differ (%d):\n%s"
            .formatted(
                asked,
                denial,
                cairnDisagrees.size(),
                String.join("", cairnDisagrees),
                peersDiffer.size(),
                String.join("", peersDiffer));
    Path reportFile = Path.of("target", "dnssec-answers-" + denial + ".txt");
    Files.createDirectories(reportFile.getParent());
    Files.writeString(reportFile, report);
    assertTrue(asked > 200, "questions asked: " + asked);
    assertEquals(
        0,
        cairnDisagrees.size(),
        cairnDisagrees.size()
            + " of "
            + asked
            + " answers agree with neither NSD nor Knot (all in "
            + reportFile.toAbsolutePath()
            + "); the first:\n"
            + cairnDisagrees.stream().limit(20).collect(Collectors.joining()));
  }

  /**
   * A question for delv and the verdict it must print for the answer: {@code verdict}, or {@code
   * optOutVerdict} in the opt-out zone.
   */
  record Validation(String name, String type, String verdict, String optOutVerdict) {
    Validation(String name, String type, String verdict) {
      this(name, type, verdict, verdict);
    }

    String verdictIn(Denial denial) {
      return denial == Denial.NSEC3_OPT_OUT ? optOutVerdict : verdict;
    }
  }

  private static final String POSITIVE = "; fully validated";
  private static final String NEGATIVE = "; negative response, fully validated";

  /**
   * A wildcard answer whose next closer name is covered by an opt-out NSEC3: RFC 5155 §9.2 makes it
   * insecure, since an unsigned delegation could hide there.
   */
  private static final String OPT_OUT = "; unsigned answer";

  /**
   * The answers delv must validate: positive (also through a CNAME chain), NXDOMAIN (also under an
   * empty non-terminal), NODATA (also at an empty non-terminal), a wildcard answer and wildcard
   * NODATA, and the DS answers at each delegation. delv asks its one server as a resolver would a
   * forwarder, so it cannot follow a referral from an authoritative server ("non-improving
   * referral"); what a referral proves (DS and its RRSIG, or that there is no DS) is checked
   * through the DS question at each cut, which the parent answers with the same records.
   */
  static final List<Validation> VALIDATIONS =
      List.of(
          new Validation("edge.test", "SOA", POSITIVE),
          new Validation("mail.edge.test", "A", POSITIVE),
          new Validation("www.edge.test", "A", POSITIVE),
          new Validation("nx.edge.test", "A", NEGATIVE),
          new Validation("nx.b.ent.edge.test", "A", NEGATIVE),
          new Validation("mail.edge.test", "TXT", NEGATIVE),
          new Validation("b.ent.edge.test", "A", NEGATIVE),
          new Validation("x.wild.edge.test", "A", POSITIVE, OPT_OUT),
          new Validation("a.b.wild.edge.test", "TXT", POSITIVE, OPT_OUT),
          new Validation("x.wild.edge.test", "MX", NEGATIVE),
          new Validation("secure.edge.test", "DS", POSITIVE),
          new Validation("insecure.edge.test", "DS", NEGATIVE),
          new Validation("elsewhere.edge.test", "DS", NEGATIVE));

  @ParameterizedTest
  @EnumSource(Denial.class)
  void delvValidatesCairnsAnswers(Denial denial) throws Exception {
    Path delv = Peers.binary("delv", "bind9-dnsutils");
    Path signed = SignedZones.bind(dir, denial, Duration.ofDays(30));
    Path anchors = trustAnchors(ZoneFileReader.read(signed, ORIGIN).records());
    try (PeerProcess nsd =
            PeerProcess.nsd(Files.createDirectories(dir.resolve("nsd")), ORIGIN, signed);
        CairnServer cairn = startCairn(signed)) {
      // NSD first: a failure there is the harness's, not Cairn's.
      assertEquals(List.of(), notValidated(delv, anchors, denial, nsd.address()), "NSD, " + denial);
      assertEquals(
          List.of(),
          notValidated(delv, anchors, denial, cairn.transport().udpAddresses().get(0)),
          "Cairn, " + denial);
    }
  }

  /** delv's output for each {@link #VALIDATIONS} question whose verdict is not the expected one. */
  private static List<String> notValidated(
      Path delv, Path anchors, Denial denial, InetSocketAddress server)
      throws IOException, InterruptedException {
    List<String> failures = new ArrayList<>();
    for (Validation v : VALIDATIONS) {
      String out =
          Peers.run(
              List.of(
                  delv.toString(),
                  "@" + server.getAddress().getHostAddress(),
                  "-p",
                  Integer.toString(server.getPort()),
                  "-a",
                  anchors.toString(),
                  "+root=" + SignedZones.ORIGIN,
                  v.name(),
                  v.type()));
      String verdict = v.verdictIn(denial);
      if (!out.lines().anyMatch(verdict::equals)) {
        failures.add(v.name() + "/" + v.type() + ": expected \"" + verdict + "\"\n" + out);
      }
    }
    return failures;
  }

  /** A delv anchor file with the zone's key-signing keys as static keys. */
  private Path trustAnchors(List<Record> zone) throws IOException {
    StringBuilder sb = new StringBuilder("trust-anchors {\n");
    for (Record r : zone) {
      if (r instanceof DNSKEYRecord key && (key.getFlags() & DNSKEYRecord.Flags.SEP_KEY) != 0) {
        sb.append("  ")
            .append(SignedZones.ORIGIN)
            .append(" static-key ")
            .append(key.getFlags())
            .append(' ')
            .append(key.getProtocol())
            .append(' ')
            .append(key.getAlgorithm())
            .append(" \"")
            .append(Base64.getEncoder().encodeToString(key.getKey()))
            .append("\";\n");
      }
    }
    return Files.writeString(dir.resolve("anchors.conf"), sb.append("};\n"));
  }

  private CairnServer startCairn(Path signed) throws Exception {
    Path cairnDir = Files.createDirectories(dir.resolve("cairn"));
    return ServerFixture.startWith(
        cairnDir,
        """
        database: db/cairn
        listen: [127.0.0.1:0]
        zones: [{name: "%s", file: "%s"}]
        """
            .formatted(SignedZones.ORIGIN, signed));
  }

  /**
   * DO=1 with the EDNS payload NSD and Knot default to; a truncated UDP answer is kept as it is.
   */
  private static SimpleResolver resolver(InetSocketAddress address, boolean tcp) {
    SimpleResolver r = new SimpleResolver(address);
    r.setTimeout(Duration.ofSeconds(5));
    r.setEDNS(0, 1232, ExtendedFlags.DO, List.of());
    r.setTCP(tcp);
    r.setIgnoreTruncation(true);
    return r;
  }

  private static Message query(Question q) {
    Message m = Message.newQuery(Record.newRecord(q.name(), q.type(), DClass.IN));
    m.getHeader().unsetFlag(Flags.RD);
    return m;
  }

  /**
   * What is compared of an answer: rcode, the AA and TC flags, and each section as a set of records
   * (names folded to lower case, TTLs kept: an authoritative server does not decrement them),
   * RRSIGs included, the OPT record left out.
   */
  record Answer(String header, List<Set<String>> sections) {
    static Answer of(Message m) {
      String header =
          Rcode.string(m.getRcode())
              + (m.getHeader().getFlag(Flags.AA) ? " aa" : "")
              + (m.getHeader().getFlag(Flags.TC) ? " tc" : "");
      List<Set<String>> sections = new ArrayList<>();
      for (int section : SECTIONS) {
        Set<String> records = new TreeSet<>();
        for (Record r : m.getSection(section)) {
          if (r.getType() != Type.OPT) {
            records.add(r.toString().toLowerCase(Locale.ROOT).replaceAll("\\s+", " "));
          }
        }
        sections.add(records);
      }
      return new Answer(header, sections);
    }

    /** One line per section that differs, naming the records only one side has. */
    String differences(String mine, Answer other, String theirs) {
      StringBuilder sb = new StringBuilder();
      if (!header.equals(other.header)) {
        sb.append("  header: ")
            .append(mine)
            .append(' ')
            .append(header)
            .append(", ")
            .append(theirs)
            .append(' ')
            .append(other.header)
            .append('\n');
      }
      for (int i = 0; i < SECTIONS.length; i++) {
        Set<String> onlyMine = new TreeSet<>(sections.get(i));
        onlyMine.removeAll(other.sections.get(i));
        Set<String> onlyTheirs = new TreeSet<>(other.sections.get(i));
        onlyTheirs.removeAll(sections.get(i));
        String name = SECTION_NAMES[i];
        onlyMine.forEach(
            r ->
                sb.append("  ")
                    .append(name)
                    .append(" only ")
                    .append(mine)
                    .append(": ")
                    .append(r)
                    .append('\n'));
        onlyTheirs.forEach(
            r ->
                sb.append("  ")
                    .append(name)
                    .append(" only ")
                    .append(theirs)
                    .append(": ")
                    .append(r)
                    .append('\n'));
      }
      return sb.toString();
    }
  }
}
