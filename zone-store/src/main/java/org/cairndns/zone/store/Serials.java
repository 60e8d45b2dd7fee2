package org.cairndns.zone.store;

/** RFC 1982 serial number arithmetic for 32-bit SOA serials. */
public final class Serials {
  private Serials() {}

  /** True when {@code a} is newer than {@code b}. */
  public static boolean isNewer(long a, long b) {
    long diff = (a - b) & 0xFFFFFFFFL;
    return diff != 0 && diff < 0x80000000L;
  }
}
