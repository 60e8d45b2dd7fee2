package org.cairndns.xfr.primary;

import static org.cairndns.xfr.primary.TransferServiceTest.LOCAL_TCP;
import static org.cairndns.xfr.primary.TransferServiceTest.ZONE;
import static org.cairndns.xfr.primary.TransferServiceTest.allowLocal;
import static org.cairndns.xfr.primary.TransferServiceTest.answers;
import static org.cairndns.xfr.primary.TransferServiceTest.drain;
import static org.cairndns.xfr.primary.TransferServiceTest.parse;
import static org.cairndns.xfr.primary.TransferServiceTest.request;
import static org.cairndns.xfr.primary.TransferServiceTest.settings;
import static org.cairndns.xfr.primary.TransferServiceTest.zoneText;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cairndns.zone.ZoneSnapshot;
import org.cairndns.zone.store.ZoneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * IXFR answered from the journal of a real H2 store; the rest of {@link TransferService} is in
 * {@link TransferServiceTest}.
 */
class TransferServiceJournalIT {
  @TempDir Path dir;

  @Test
  void ixfrFromTheJournalIsIncrementalCurrentIsOneSoaUnknownIsFull() throws Exception {
    try (ZoneStore store = ZoneStore.open(dir.resolve("db"))) {
      store.load(ZONE, parse(zoneText(1, 50, "gone IN A 192.0.2.7\n")), "v1", false);
      store.load(ZONE, parse(zoneText(2, 50, "new1 IN A 192.0.2.8\n")), "v2", false);
      store.load(
          ZONE, parse(zoneText(3, 50, "new1 IN A 192.0.2.8\nnew2 IN A 192.0.2.9\n")), "v3", false);
      ZoneSnapshot snap = ZoneSnapshot.build(ZONE, store.current(ZONE).orElseThrow().records());
      TransferService service =
          new TransferService(
              n -> snap, store::journal, settings(65_000, 0, 2, allowLocal(), Map.of()));

      List<Record> incremental =
          answers(drain(service.respond(ixfr(1), ixfr(1).toWire(), LOCAL_TCP)));
      List<String> types =
          incremental.stream()
              .map(r -> Type.string(r.getType()) + (r instanceof SOARecord s ? s.getSerial() : ""))
              .toList();
      assertEquals(
          List.of("SOA3", "SOA1", "A", "SOA3", "A", "A", "SOA3"),
          types,
          "condensed: -gone, +new1 +new2");

      List<Record> current = answers(drain(service.respond(ixfr(3), ixfr(3).toWire(), LOCAL_TCP)));
      assertEquals(1, current.size());

      List<Record> unknown = answers(drain(service.respond(ixfr(0), ixfr(0).toWire(), LOCAL_TCP)));
      assertEquals(snap.size() + 1, unknown.size(), "not in the journal: the whole zone");
    }
  }

  static Message ixfr(long serial) throws Exception {
    Message q = request(Type.IXFR);
    q.addRecord(
        new SOARecord(
            ZONE,
            DClass.IN,
            300,
            Name.fromString("ns", ZONE),
            Name.fromString("hm", ZONE),
            serial,
            1,
            1,
            1,
            1),
        Section.AUTHORITY);
    return q;
  }
}
