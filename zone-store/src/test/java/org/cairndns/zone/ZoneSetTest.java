package org.cairndns.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

/** Zones that are configured but cannot be answered from: not ready yet, or expired. */
class ZoneSetTest {
  static ZoneSnapshot zone(String origin) {
    return ZoneSnapshot.build(
        Name.fromConstantString(origin),
        TestZones.parse(origin, "@ IN SOA ns hm 1 1 1 1 1\n@ IN NS ns\nns IN A 192.0.2.53\n"));
  }

  static ZoneSet.Unavailable unavailable(ZoneSet set, String qname) {
    Name name = Name.fromConstantString(qname);
    return set.unavailable(name, set.find(name));
  }

  @Test
  void aNotReadyZoneIsUnavailableBelowItsApexEvenUnderAServedParentUntilPublished() {
    ZoneSet set = new ZoneSet();
    set.publish(zone("p.test."));
    set.publish(zone("loaded.sec.p.test."));
    long before = set.generation();
    set.markNotReady(Name.fromConstantString("sec.p.test."));
    assertNotEquals(before, set.generation(), "cached answers for its names are stale");

    assertEquals(ZoneSet.Unavailable.NOT_READY, unavailable(set, "sec.p.test."));
    assertEquals(
        ZoneSet.Unavailable.NOT_READY,
        unavailable(set, "www.sec.p.test."),
        "not the parent's answer");
    assertNull(unavailable(set, "www.p.test."), "the parent is served");
    assertNull(unavailable(set, "www.loaded.sec.p.test."), "a loaded child below it is served");
    assertNull(unavailable(set, "www.other.test."), "not configured: REFUSED as before");

    set.publish(zone("sec.p.test."));
    assertNull(unavailable(set, "www.sec.p.test."));
    set.markNotReady(Name.fromConstantString("sec.p.test."));
    assertNull(unavailable(set, "www.sec.p.test."), "a published zone cannot be marked");
  }

  /** A zone a reload removed: gone with its marks, its names no longer SERVFAIL. */
  @Test
  void aWithdrawnZoneTakesItsMarksWithIt() {
    ZoneSet set = new ZoneSet();
    set.publish(zone("p.test."));
    set.publish(zone("e.p.test."));
    set.setExpired(Name.fromConstantString("e.p.test."), true);
    set.markNotReady(Name.fromConstantString("sec.p.test."));
    long before = set.generation();
    set.withdraw(Name.fromConstantString("e.p.test."));
    set.withdraw(Name.fromConstantString("sec.p.test."));
    assertNotEquals(before, set.generation(), "cached answers for their names are stale");
    assertNull(set.get(Name.fromConstantString("e.p.test.")));
    assertNull(unavailable(set, "www.e.p.test."), "answered by the parent now");
    assertNull(unavailable(set, "www.sec.p.test."), "answered by the parent now");
    assertEquals(
        Name.fromConstantString("p.test."),
        set.find(Name.fromConstantString("www.e.p.test.")).origin());

    set.markNotReady(Name.fromConstantString("two.p.test."));
    set.clearMarks(Name.fromConstantString("two.p.test."));
    assertNull(unavailable(set, "www.two.p.test."), "a secondary a reload made primary");
  }

  @Test
  void anExpiredZoneIsUnavailable() {
    ZoneSet set = new ZoneSet();
    set.publish(zone("e.test."));
    set.setExpired(Name.fromConstantString("e.test."), true);
    assertEquals(ZoneSet.Unavailable.EXPIRED, unavailable(set, "www.e.test."));
    set.setExpired(Name.fromConstantString("e.test."), false);
    assertNull(unavailable(set, "www.e.test."));
  }
}
