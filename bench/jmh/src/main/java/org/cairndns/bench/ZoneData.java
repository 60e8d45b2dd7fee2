package org.cairndns.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TXTRecord;

/** The zone bench/gen-zone.sh writes, made in memory: SOA, 2 NS, hosts hN with A, every 4th AAAA, every 10th TXT. */
final class ZoneData {
  static final long TTL = 3600;

  private ZoneData() {}

  static Name origin(String origin) {
    return Name.fromConstantString(origin.endsWith(".") ? origin : origin + ".");
  }

  /** {@code label.origin}. */
  static Name at(String label, Name origin) {
    try {
      return Name.concatenate(Name.fromConstantString(label), origin);
    } catch (org.xbill.DNS.NameTooLongException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static List<org.xbill.DNS.Record> records(Name origin, int names) {
    try {
      List<org.xbill.DNS.Record> out = new ArrayList<>(names + names / 4 + names / 10 + 8);
      Name ns1 = at("ns1", origin);
      Name ns2 = at("ns2", origin);
      Name hostmaster = at("hostmaster", origin);
      out.add(new SOARecord(origin, DClass.IN, TTL, ns1, hostmaster, 2026112301L, 3600, 900, 1209600, 300));
      out.add(new NSRecord(origin, DClass.IN, TTL, ns1));
      out.add(new NSRecord(origin, DClass.IN, TTL, ns2));
      out.add(new ARecord(ns1, DClass.IN, TTL, InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1})));
      out.add(new ARecord(ns2, DClass.IN, TTL, InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 2})));
      for (int i = 0; i < names; i++) {
        Name host = at("h" + i, origin);
        byte[] v4 = {10, (byte) ((i >> 16) & 255), (byte) ((i >> 8) & 255), (byte) (i & 255)};
        out.add(new ARecord(host, DClass.IN, TTL, InetAddress.getByAddress(v4)));
        if (i % 4 == 0) {
          byte[] v6 = new byte[16];
          v6[0] = 0x20; v6[1] = 0x01; v6[2] = 0x0d; v6[3] = (byte) 0xb8; // 2001:db8::(i>>16):(i&0xffff)
          v6[12] = (byte) (i >> 24); v6[13] = (byte) (i >> 16); v6[14] = (byte) (i >> 8); v6[15] = (byte) i;
          out.add(new AAAARecord(host, DClass.IN, TTL, InetAddress.getByAddress(v6)));
        }
        if (i % 10 == 0) {
          out.add(new TXTRecord(host, DClass.IN, TTL, "host " + i));
        }
      }
      return out;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
