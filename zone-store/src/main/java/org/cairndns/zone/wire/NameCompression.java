package org.cairndns.zone.wire;

import java.util.Arrays;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.Name;

/**
 * Name compression within one message (RFC 1035 §4.1.4), the one implementation for every message
 * Cairn renders itself (AXFR from the arenas, IXFR and the question from records). A suffix is
 * pointed at only when it was written byte for byte the same, case included, so every name goes out
 * in the case it was loaded in, as BIND compresses its responses (case-sensitively unless told
 * otherwise with {@code no-case-compress}); dnsjava's {@code Compression} matches suffixes in any
 * case and so spells a name like an earlier one. Like dnsjava's, the table remembers every suffix
 * written within pointer range (it doubles when half full), so names in one case compress exactly
 * as dnsjava compresses them. The table is kept across messages, and {@link #startMessage} forgets
 * its names without clearing it. Not thread-safe.
 */
public final class NameCompression {
  /** For a transfer's messages: a 16 KB stretch within pointer range holds fewer names. */
  private static final int TRANSFER_SLOTS = 1 << 12;

  private static final int RESPONSE_SLOTS = 32;

  private static final int MAX_POINTER = 0x3FFF;
  private static final int MAX_LABELS = 128; // a 255-byte name, root included

  // slot -> (message generation, hash, output offset, the name's bytes: array, offset and length)
  private int[] generation;
  private int[] hashes;
  private int[] outAt;
  private byte[][] source;
  private int[] nameAt;
  private int[] nameLength;
  private int used; // slots of this message
  private int message = 1; // slots of older generations (0 at first) are free
  private int[] starts;
  private int[] states;
  private final DNSOutput scratch = new DNSOutput(64); // a name's wire form on its way to an array

  // The wire forms of names written before, by identity (direct-mapped): a snapshot keeps its
  // records, so a response table kept by a thread mostly finds the names of the next answer here;
  // dnsjava's Name.toWire copies the name once per label.
  private static final int KNOWN = 64;
  private final Name[] knownNames = new Name[KNOWN];
  private final byte[][] knownWire = new byte[KNOWN][];

  /** A table sized for the messages of a transfer, reused from one message to the next. */
  public NameCompression() {
    this(TRANSFER_SLOTS, MAX_LABELS);
  }

  private NameCompression(int slots, int labels) {
    allocate(slots);
    starts = new int[labels];
    states = new int[labels];
  }

  /**
   * A small table for responses: most hold a few names of a few labels, and what a larger one needs
   * is grown into.
   */
  public static NameCompression forResponses() {
    return new NameCompression(RESPONSE_SLOTS, 8);
  }

  /** Whether a large response grew the table past what responses usually need. */
  public boolean grown() {
    return generation.length > 4 * RESPONSE_SLOTS;
  }

  /** A new message begins: earlier names can no longer be pointed at. */
  public void startMessage() {
    message++;
    used = 0;
  }

  /**
   * Writes {@code name}, pointing at the longest suffix this message holds in the same case; its
   * wire form costs one array, kept until the next message.
   */
  public void write(DNSOutput out, Name name) {
    write(out, wireOf(name), 0);
  }

  // Identity, not equals(): names equal in another case have other bytes.
  @SuppressWarnings("ReferenceEquality")
  private byte[] wireOf(Name name) {
    int slot = System.identityHashCode(name) & (KNOWN - 1);
    if (knownNames[slot] == name) {
      return knownWire[slot];
    }
    scratch.jump(0);
    name.toWire(scratch, null);
    byte[] wire = scratch.toByteArray(); // never changed, so a table may keep pointing into it
    knownNames[slot] = name;
    knownWire[slot] = wire;
    return wire;
  }

  /**
   * Writes the uncompressed wire name at {@code names[at..]}, pointing at the longest suffix this
   * message holds in the same case. {@code names} must not change until the next message.
   */
  public void write(DNSOutput out, byte[] names, int at) {
    if (starts.length < MAX_LABELS && !fewerLabelsThan(starts.length, names, at)) {
      starts = new int[MAX_LABELS];
      states = new int[MAX_LABELS];
    }
    int labels = NodeTable.labelStarts(names, at, starts);
    // Hash states of every suffix, from the root up: the same name hashes alike wherever it is.
    int state = NodeTable.state(names, starts[labels - 1], starts[labels - 1] + 1);
    for (int k = labels - 2; k >= 0; k--) {
      state = NodeTable.extend(state, names, starts[k], starts[k + 1]);
      states[k] = state;
    }
    int end = starts[labels - 1] + 1;
    int known = labels - 1; // the first label not written out: the root, unless a suffix is known
    int pointer = -1;
    for (int k = 0; k < labels - 1; k++) {
      int slot = lookup(states[k], names, starts[k], end);
      if (slot >= 0) {
        known = k;
        pointer = outAt[slot];
        break;
      }
    }
    for (int k = 0; k < known; k++) {
      if (out.current() <= MAX_POINTER) {
        remember(states[k], out.current(), names, starts[k], end);
      }
      out.writeByteArray(names, starts[k], starts[k + 1] - starts[k]);
    }
    if (pointer >= 0) {
      out.writeU16(0xC000 | pointer);
    } else {
      out.writeU8(0);
    }
  }

  /** Whether the wire name at {@code names[at..]} has fewer than {@code room} labels, root too. */
  private static boolean fewerLabelsThan(int room, byte[] names, int at) {
    int p = at;
    for (int labels = 1; labels < room; labels++) {
      if (p >= names.length || names[p] == 0) {
        return true; // the root, or malformed (which labelStarts reports)
      }
      p += 1 + (names[p] & 0xFF);
    }
    return false;
  }

  /**
   * The slot of this message's name {@code names[at, end)}, the same bytes, case included; or -1.
   */
  private int lookup(int state, byte[] names, int at, int end) {
    int mask = generation.length - 1;
    for (int slot = NodeTable.finish(state) & mask; ; slot = (slot + 1) & mask) {
      if (generation[slot] != message) {
        return -1; // never full: it grows when half full
      }
      if (hashes[slot] == state
          && Arrays.equals(
              source[slot], nameAt[slot], nameAt[slot] + nameLength[slot], names, at, end)) {
        return slot;
      }
    }
  }

  private void remember(int state, int offset, byte[] names, int at, int end) {
    if (2 * (used + 1) > generation.length) {
      grow();
    }
    int slot = freeSlot(state);
    generation[slot] = message;
    hashes[slot] = state;
    outAt[slot] = offset;
    source[slot] = names;
    nameAt[slot] = at;
    nameLength[slot] = end - at;
    used++;
  }

  private int freeSlot(int state) {
    int mask = generation.length - 1;
    int slot = NodeTable.finish(state) & mask;
    while (generation[slot] == message) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  /** Twice the slots, this message's names moved over (older ones are free anyway). */
  private void grow() {
    int[] oldGeneration = generation;
    int[] oldHashes = hashes;
    int[] oldOutAt = outAt;
    byte[][] oldSource = source;
    int[] oldNameAt = nameAt;
    int[] oldNameLength = nameLength;
    allocate(2 * oldGeneration.length);
    for (int old = 0; old < oldGeneration.length; old++) {
      if (oldGeneration[old] == message) {
        int slot = freeSlot(oldHashes[old]);
        generation[slot] = message;
        hashes[slot] = oldHashes[old];
        outAt[slot] = oldOutAt[old];
        source[slot] = oldSource[old];
        nameAt[slot] = oldNameAt[old];
        nameLength[slot] = oldNameLength[old];
      }
    }
  }

  private void allocate(int slots) {
    generation = new int[slots];
    hashes = new int[slots];
    outAt = new int[slots];
    source = new byte[slots][];
    nameAt = new int[slots];
    nameLength = new int[slots];
  }
}
