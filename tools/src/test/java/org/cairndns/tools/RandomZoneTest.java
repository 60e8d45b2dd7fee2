package org.cairndns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** The default seeds of {@link WirePathsIT} reach every case the property test claims to cover. */
class RandomZoneTest {
  static final int SEEDS = 20;

  static List<RandomZone> zones() {
    List<RandomZone> zones = new ArrayList<>();
    for (long seed = 1; seed <= SEEDS; seed++) {
      zones.add(WirePathsIT.zoneFor(seed));
    }
    return zones;
  }

  @Test
  void theSameSeedGivesTheSameZone() {
    RandomZone a = WirePathsIT.zoneFor(7);
    RandomZone b = WirePathsIT.zoneFor(7);
    assertEquals(a.masterFile(), b.masterFile());
    a.nextVersion();
    b.nextVersion();
    assertEquals(a.masterFile(), b.masterFile());
  }

  @Test
  void theSeedsCoverTypesNamesAndSizes() {
    Set<String> types = new TreeSet<>();
    Set<RandomZone.Kind> kinds = new TreeSet<>();
    boolean longestName = false;
    boolean longestLabel = false;
    boolean deepName = false;
    boolean mixedCase = false;
    boolean bigRrset = false;
    boolean fullTxtString = false;
    boolean multiStringTxt = false;
    boolean largeZone = false;
    boolean serialWraps = false;
    for (RandomZone zone : zones()) {
      int zoneBytes = 0;
      for (RandomZone.Owner o : zone.owners()) {
        kinds.add(o.kind);
        longestName |= o.name.length() == 255;
        deepName |= o.name.labels() > 100;
        mixedCase |=
            !o.name.toString().equals(o.name.toString().toLowerCase(java.util.Locale.ROOT));
        for (int i = 0; i < o.name.labels(); i++) {
          longestLabel |= o.name.getLabel(i).length == 64; // the length octet and 63
        }
        for (List<Record> rrset : o.rrsets.values()) {
          int bytes = 0;
          for (Record r : rrset) {
            types.add(Type.string(r.getType()));
            bytes += r.toWire(Section.ANSWER).length;
            if (r instanceof TXTRecord txt) {
              multiStringTxt |= txt.getStringsAsByteArrays().size() > 1;
              fullTxtString |= txt.getStringsAsByteArrays().stream().anyMatch(b -> b.length == 255);
            }
          }
          bigRrset |= bytes > 16 * 1024;
          zoneBytes += bytes;
        }
      }
      largeZone |= zoneBytes > 65_535;
      long before = zone.serial();
      zone.nextVersion();
      serialWraps |= zone.serial() < before;
    }
    assertEquals(
        new TreeSet<>(
            List.of(
                "SOA",
                "NS",
                "A",
                "AAAA",
                "CNAME",
                "DNAME",
                "MX",
                "TXT",
                "SRV",
                "NAPTR",
                "CAA",
                "PTR",
                "HINFO",
                "SSHFP",
                "TLSA",
                "DS",
                "TYPE65400")),
        types);
    assertEquals(Set.of(RandomZone.Kind.values()), kinds);
    assertTrue(longestName, "a name of 255 octets");
    assertTrue(longestLabel, "a label of 63 octets");
    assertTrue(deepName, "a name over 100 labels deep");
    assertTrue(mixedCase, "owners in mixed case");
    assertTrue(bigRrset, "an RRset over 16 KB");
    assertTrue(fullTxtString, "a TXT string of 255 bytes");
    assertTrue(multiStringTxt, "a TXT record of several strings");
    assertTrue(
        largeZone, "a zone over 64 KB, so an AXFR takes several messages and offsets pass 16383");
    assertTrue(serialWraps, "a serial that wraps past 2^32");
  }
}
