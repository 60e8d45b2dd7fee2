package org.cairndns.zone;

/**
 * Takes records in wire form, as snapshots hold them and transfers carry them: the owner is the
 * uncompressed wire name at {@code name[nameOffset..]}, the RDATA {@code rdata[rdataOffset,
 * +rdataLength)} has no compression pointers. The arrays are only valid during the call.
 */
@FunctionalInterface
public interface WireRecordSink {
  void add(
      byte[] name,
      int nameOffset,
      int type,
      int dclass,
      long ttl,
      byte[] rdata,
      int rdataOffset,
      int rdataLength);
}
