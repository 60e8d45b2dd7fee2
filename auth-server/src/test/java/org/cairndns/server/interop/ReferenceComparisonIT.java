package org.cairndns.server.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.cairndns.server.CairnServer;
import org.cairndns.server.ServerFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Cairn and BIND 9 serve the same edge-case zone; every question in {@code edge.example.questions}
 * must get the same rcode, AA flag, answer and authority sections (and the same glue for
 * referrals). Additional sections otherwise differ by design: BIND runs with minimal-responses,
 * Cairn adds addresses of in-zone targets.
 */
class ReferenceComparisonIT {
  @TempDir Path dir;

  @Test
  void cairnAnswersLikeBind() throws Exception {
    Path zone = dir.resolve("edge.example.zone");
    try (InputStream in = getClass().getResourceAsStream("/interop/edge.example.zone")) {
      Files.write(zone, in.readAllBytes());
    }
    Files.createDirectories(dir.resolve("named"));
    try (NamedProcess bind =
            NamedProcess.start(
                dir.resolve("named"),
                "zone \"edge.example\" { type primary; file \"" + zone + "\"; };\n",
                "",
                Name.fromString("edge.example."));
        CairnServer cairn =
            ServerFixture.startWith(
                dir,
                """
            database: db/cairn
            listen: [127.0.0.1:0]
            zones: [{name: edge.example, file: edge.example.zone}]
            """)) {
      SimpleResolver bindResolver = resolver(bind.address());
      SimpleResolver cairnResolver = resolver(cairn.transport().udpAddresses().get(0));
      List<String> mismatches = new ArrayList<>();
      int asked = 0;
      for (String line : questions()) {
        String[] parts = line.split("\\s+");
        Message q =
            Message.newQuery(
                Record.newRecord(
                    Name.fromString(parts[0], Name.root), Type.value(parts[1]), DClass.IN));
        Message expected = bindResolver.send(q);
        Message actual = cairnResolver.send(q);
        String e = summary(expected);
        String a = summary(actual);
        if (!e.equals(a)) {
          mismatches.add(line + "\n  bind:  " + e + "\n  cairn: " + a);
        }
        asked++;
      }
      assertTrue(asked > 40, "question list read");
      assertEquals(List.of(), mismatches, String.join("\n", mismatches));
    }
  }

  private static List<String> questions() throws Exception {
    try (InputStream in =
        ReferenceComparisonIT.class.getResourceAsStream("/interop/edge.example.questions")) {
      List<String> out = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          out.add(line.trim());
        }
      }
      return out;
    }
  }

  private static SimpleResolver resolver(InetSocketAddress address) {
    SimpleResolver r = new SimpleResolver(address);
    r.setTimeout(Duration.ofSeconds(5));
    r.setEDNS(0, 1232, 0, List.of());
    return r;
  }

  /**
   * rcode, AA, TC, sorted answer and authority records, and glue for referrals; names lower-cased.
   */
  static String summary(Message m) {
    StringBuilder sb = new StringBuilder();
    sb.append(Rcode.string(m.getRcode()))
        .append(m.getHeader().getFlag(Flags.AA) ? " aa" : "")
        .append(m.getHeader().getFlag(Flags.TC) ? " tc" : "");
    sb.append(" answer=").append(section(m, Section.ANSWER));
    sb.append(" authority=").append(section(m, Section.AUTHORITY));
    boolean referral =
        !m.getHeader().getFlag(Flags.AA)
            && m.getRcode() == Rcode.NOERROR
            && m.getSection(Section.ANSWER).isEmpty()
            && !m.getSection(Section.AUTHORITY).isEmpty();
    if (referral) {
      sb.append(" glue=").append(section(m, Section.ADDITIONAL));
    }
    return sb.toString();
  }

  private static Set<String> section(Message m, int section) {
    TreeSet<String> out = new TreeSet<>();
    for (Record r : m.getSection(section)) {
      if (r.getType() != Type.OPT) {
        out.add(r.toString().toLowerCase(Locale.ROOT).replaceAll("\\s+", " "));
      }
    }
    return out;
  }
}
