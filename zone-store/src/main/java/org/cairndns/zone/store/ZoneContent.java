package org.cairndns.zone.store;

import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/** All records of one zone version, SOA included. */
public record ZoneContent(Name name, long serial, List<Record> records) {}
