package org.cairndns.tools.migration;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code cairn import} read from another server's configuration, in Cairn's terms: TSIG keys,
 * zones with their role, file, primaries, transfer ACL and notify targets, and every statement that
 * has no Cairn equivalent, so that none is dropped silently.
 */
final class ImportedConfig {
  final List<TsigKey> keys = new ArrayList<>();
  final List<Zone> zones = new ArrayList<>();

  /** Statements outside any zone that were not mapped. */
  final List<Note> notes = new ArrayList<>();

  /**
   * Adds {@code zone}, unless a zone of that name was read before: that one stays, this one is
   * noted (named refuses such a file; a view's zones or two includes can still bring one twice).
   */
  void add(Zone zone) {
    String key = canonical(zone.name);
    for (Zone z : zones) {
      if (canonical(z.name).equals(key)) {
        notes.add(
            new Note(
                zone.where,
                "zone " + zone.name + " not imported: it was read before, at " + z.where));
        return;
      }
    }
    zones.add(zone);
  }

  private static String canonical(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    return lower.endsWith(".") ? lower : lower + ".";
  }

  /** Where a statement was read, for the operator: {@code FILE:LINE} (line 0: the whole file). */
  record Where(Path file, int line) {
    @Override
    public String toString() {
      return line > 0 ? file + ":" + line : file.toString();
    }
  }

  /** A statement not mapped (or mapped with a difference the operator should know). */
  record Note(Where where, String text) {
    @Override
    public String toString() {
      return where + ": " + text;
    }
  }

  record TsigKey(String name, String algorithm, String secret) {}

  /** A primary server of a secondary zone; {@code tls} null for plain TCP. */
  record Primary(String address, int port, String key, Tls tls) {}

  /**
   * TLS towards a primary: authenticated by {@code ca} and {@code name} (strict XoT), else
   * opportunistic.
   */
  record Tls(Path ca, String name, Path certificate, Path key) {}

  /** One transfer ACL entry: an address or network, a key, or both (all given must match). */
  record TransferRule(String network, String key) {}

  record NotifyTarget(String address, int port, String key) {}

  /** A zone to serve; {@code file} is the primary's master file, null for a secondary. */
  static final class Zone {
    final String name;
    final Where where;
    final boolean secondary;
    Path file;
    final List<Primary> primaries = new ArrayList<>();
    final List<TransferRule> allowTransfer = new ArrayList<>();
    final List<NotifyTarget> notify = new ArrayList<>();
    boolean notifyNs;
    final List<Note> notes = new ArrayList<>();

    Zone(String name, Where where, boolean secondary) {
      this.name = name;
      this.where = where;
      this.secondary = secondary;
    }
  }
}
