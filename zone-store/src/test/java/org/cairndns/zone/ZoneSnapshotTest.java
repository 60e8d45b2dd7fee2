package org.cairndns.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class ZoneSnapshotTest {
  static final ZoneSnapshot ZONE =
      ZoneSnapshot.build(
          Name.fromConstantString("l.test."),
          TestZones.parse(
              "l.test.",
              """
      @ IN SOA ns hm 7 3600 600 86400 60
      @ IN NS ns
      ns IN A 192.0.2.1
      www IN A 192.0.2.80
      alias IN CNAME www
      *.wild IN A 192.0.2.99
      exists.wild IN TXT "x"
      *.wc IN CNAME www
      a.b.ent IN A 192.0.2.4
      *.ent IN A 192.0.2.5
      d IN DNAME t.l.test.
      sub IN NS ns.sub
      ns.sub IN A 192.0.2.53
      """));

  static Stream<Arguments> lookups() {
    return Stream.of(
        Arguments.of("www.l.test.", Type.A, LookupResult.Answer.class),
        Arguments.of("WWW.L.TEST.", Type.A, LookupResult.Answer.class),
        Arguments.of("www.l.test.", Type.MX, LookupResult.NoData.class),
        Arguments.of("nope.l.test.", Type.A, LookupResult.NxDomain.class),
        Arguments.of("alias.l.test.", Type.A, LookupResult.Cname.class),
        Arguments.of("alias.l.test.", Type.CNAME, LookupResult.Answer.class),
        Arguments.of("x.wild.l.test.", Type.A, LookupResult.Answer.class),
        Arguments.of("x.y.wild.l.test.", Type.A, LookupResult.Answer.class),
        Arguments.of("x.wild.l.test.", Type.MX, LookupResult.NoData.class),
        Arguments.of("exists.wild.l.test.", Type.A, LookupResult.NoData.class),
        Arguments.of("q.wc.l.test.", Type.A, LookupResult.Cname.class),
        Arguments.of("b.ent.l.test.", Type.A, LookupResult.NoData.class),
        Arguments.of("ent.l.test.", Type.A, LookupResult.NoData.class),
        Arguments.of("x.ent.l.test.", Type.A, LookupResult.Answer.class),
        Arguments.of("x.b.ent.l.test.", Type.A, LookupResult.NxDomain.class),
        Arguments.of("h.d.l.test.", Type.A, LookupResult.Dname.class),
        Arguments.of("d.l.test.", Type.DNAME, LookupResult.Answer.class),
        Arguments.of("sub.l.test.", Type.NS, LookupResult.Delegation.class),
        Arguments.of("www.sub.l.test.", Type.A, LookupResult.Delegation.class),
        Arguments.of("ns.sub.l.test.", Type.A, LookupResult.Delegation.class),
        Arguments.of("sub.l.test.", Type.DS, LookupResult.NoData.class),
        Arguments.of("l.test.", Type.NS, LookupResult.Answer.class));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("lookups")
  void lookupClassifies(String qname, int qtype, Class<?> expected) throws Exception {
    assertInstanceOf(expected, ZONE.lookup(Name.fromString(qname), qtype));
  }

  @Test
  void wildcardAnswersCarryTheQueryName() throws Exception {
    Name q = Name.fromString("x.y.wild.l.test.");
    LookupResult.Answer a = (LookupResult.Answer) ZONE.lookup(q, Type.A);
    assertTrue(a.wildcard());
    assertEquals(q, a.rrsets().get(0).getName());
  }

  @Test
  void delegationCarriesGlue() throws Exception {
    LookupResult.Delegation d =
        (LookupResult.Delegation) ZONE.lookup(Name.fromString("www.sub.l.test."), Type.A);
    assertEquals(Name.fromString("sub.l.test."), d.cut());
    assertEquals(1, d.glue().size());
    assertEquals(Name.fromString("ns.sub.l.test."), d.glue().get(0).getName());
  }

  @Test
  void recordsStartWithSoaInCanonicalOrder() {
    assertEquals(Type.SOA, ZONE.records().get(0).getType());
    for (int i = 2; i < ZONE.records().size(); i++) {
      assertTrue(
          ZONE.records().get(i - 1).getName().compareTo(ZONE.records().get(i).getName()) <= 0);
    }
    assertEquals(7, ZONE.serial());
  }

  @Test
  void zoneSetFindsTheClosestEnclosingZone() throws Exception {
    ZoneSet set = new ZoneSet();
    set.publish(ZONE);
    ZoneSnapshot child =
        ZoneSnapshot.build(
            Name.fromString("sub.l.test."),
            TestZones.parse(
                "sub.l.test.", "@ IN SOA ns hm 1 1 1 1 1\n@ IN NS ns\nns IN A 192.0.2.53\n"));
    set.publish(child);
    assertSame(child, set.find(Name.fromString("www.sub.l.test.")));
    assertSame(ZONE, set.find(Name.fromString("www.l.test.")));
    assertNull(set.find(Name.fromString("www.other.test.")));
    set.remove(child.origin());
    assertSame(ZONE, set.find(Name.fromString("www.sub.l.test.")));
  }

  @Test
  void buildRefusesAZoneWithoutSoa() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ZoneSnapshot.build(
                Name.fromString("x.test."), TestZones.parse("x.test.", "www IN A 192.0.2.1\n")));
  }

  @Test
  void recordsAddedInWireFormAreServedLikeRecords() throws Exception {
    Name origin = Name.fromString("l.test.");
    SnapshotBuilder builder = new SnapshotBuilder(origin);
    for (Record r : ZONE.records()) {
      byte[] wire = r.toWire(Section.ANSWER); // owner, type, class, TTL, RDLENGTH, RDATA
      int nameLength = r.getName().length();
      int rdata = nameLength + 10;
      builder.add(
          wire, 0, r.getType(), r.getDClass(), r.getTTL(), wire, rdata, wire.length - rdata);
    }
    ZoneSnapshot fromWire = builder.build();
    assertEquals(ZONE.records(), fromWire.records());
    for (Arguments a : lookups().toList()) {
      Object[] args = a.get();
      LookupResult r = fromWire.lookup(Name.fromString((String) args[0]), (Integer) args[1]);
      assertInstanceOf((Class<?>) args[2], r, args[0] + " " + Type.string((Integer) args[1]));
      assertEquals(ZONE.lookup(Name.fromString((String) args[0]), (Integer) args[1]), r);
    }
  }

  @Test
  void wireRecordOutsideTheZoneIsRefused() throws Exception {
    byte[] wire =
        Record.fromString(
                Name.fromString("other.test."), Type.A, DClass.IN, 60, "192.0.2.1", Name.root)
            .toWire(Section.ANSWER);
    SnapshotBuilder builder = new SnapshotBuilder(Name.fromString("l.test."));
    assertThrows(
        IllegalArgumentException.class,
        () -> builder.add(wire, 0, Type.A, DClass.IN, 60, wire, wire.length - 4, 4));
  }

  @Test
  void applyingAStepCopiesUntouchedOwnersAndLeavesTheOldVersionAsItWas() throws Exception {
    Name origin = Name.fromString("l.test.");
    java.util.List<Record> deleted = TestZones.parse("l.test.", "www IN A 192.0.2.80");
    java.util.List<Record> added =
        TestZones.parse(
            "l.test.",
            """
        www IN A 192.0.2.81
        new IN A 192.0.2.9
        ns IN A 192.0.2.1
        """); // the last is there already: not doubled
    SOARecord next =
        (SOARecord) TestZones.parse("l.test.", "@ IN SOA ns hm 8 3600 600 86400 60").get(0);
    ZoneSnapshot after = ZONE.apply(next, deleted, added);
    java.util.List<Record> expected = new java.util.ArrayList<>(ZONE.records());
    expected.set(0, next);
    expected.removeAll(deleted);
    expected.addAll(added.subList(0, 2));
    assertEquals(ZoneSnapshot.build(origin, expected).records(), after.records());
    assertEquals(8, after.serial());
    assertEquals(7, ZONE.serial());
    assertInstanceOf(
        LookupResult.Answer.class, after.lookup(Name.fromString("new.l.test."), Type.A));
    assertInstanceOf(
        LookupResult.NxDomain.class, ZONE.lookup(Name.fromString("new.l.test."), Type.A));
    assertEquals(
        "192.0.2.80",
        ((org.xbill.DNS.ARecord) ZONE.rrset(Name.fromString("www.l.test."), Type.A).first())
            .getAddress()
            .getHostAddress());
  }

  @Test
  void recordsAfterTheSoaInWireFormRebuildTheSameZone() throws Exception {
    SnapshotBuilder builder = new SnapshotBuilder(Name.fromString("l.test."));
    builder.add(ZONE.soa());
    ZONE.forEachRecordAfterSoa(builder::add);
    ZoneSnapshot copy = builder.build();
    assertEquals(ZONE.records(), copy.records());
    assertEquals(ZONE.size(), copy.size());
  }

  @Test
  void differencesDecodeOnlyWhatChangedAndFindEveryChange() throws Exception {
    java.util.List<Record> deleted =
        TestZones.parse(
            "l.test.",
            """
        www IN A 192.0.2.80
        exists.wild IN TXT "x"
        """); // the second leaves its owner empty: gone from the new version
    java.util.List<Record> added =
        TestZones.parse(
            "l.test.",
            """
        www IN A 192.0.2.81
        new IN A 192.0.2.9
        ns IN AAAA 2001:db8::1
        """);
    SOARecord next =
        (SOARecord) TestZones.parse("l.test.", "@ IN SOA ns hm 8 3600 600 86400 60").get(0);
    ZoneSnapshot after = ZONE.apply(next, deleted, added);
    java.util.List<Record> gone = new java.util.ArrayList<>();
    java.util.List<Record> come = new java.util.ArrayList<>();
    after.differences(ZONE, gone::add, come::add);
    assertEquals(new java.util.HashSet<>(deleted), new java.util.HashSet<>(gone));
    assertEquals(new java.util.HashSet<>(added), new java.util.HashSet<>(come));
    java.util.List<Record> none = new java.util.ArrayList<>();
    ZONE.differences(ZONE, none::add, none::add);
    assertEquals(java.util.List.of(), none, "a version has no differences from itself");
  }
}
