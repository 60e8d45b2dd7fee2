package org.cairndns.zone.wire;

import java.util.Arrays;
import org.xbill.DNS.DNSOutput;

/**
 * Name compression within one message (RFC 1035 §4.1.4), the one implementation for every message
 * Cairn renders itself (AXFR from the arenas, IXFR and the question from records). A suffix is
 * pointed at only when it was written byte for byte the same, case included, so every name goes out
 * in the case it was loaded in, as BIND compresses its responses (case-sensitively unless told
 * otherwise with {@code no-case-compress}); dnsjava's {@code Compression} matches suffixes in any
 * case and so spells a name like an earlier one. The table is kept across messages, and {@link
 * #startMessage} forgets its names without clearing it. Not thread-safe.
 */
public final class NameCompression {
  private static final int SLOTS = 1 << 12; // a 64 KB message holds far fewer names than this
  private static final int MAX_POINTER = 0x3FFF;

  // slot -> (message generation, hash, output offset, the name's bytes: array, offset and length)
  private final int[] generation = new int[SLOTS];
  private final int[] hashes = new int[SLOTS];
  private final int[] outAt = new int[SLOTS];
  private final byte[][] source = new byte[SLOTS][];
  private final int[] nameAt = new int[SLOTS];
  private final int[] nameLength = new int[SLOTS];
  private int message = 1; // slots of older generations (0 at first) are free
  private final int[] starts = new int[128];
  private final int[] states = new int[128];

  /** A new message begins: earlier names can no longer be pointed at. */
  public void startMessage() {
    message++;
  }

  /**
   * Writes the uncompressed wire name at {@code names[at..]}, pointing at the longest suffix this
   * message holds in the same case. {@code names} must not change until the next message.
   */
  public void write(DNSOutput out, byte[] names, int at) {
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

  /**
   * The slot of this message's name {@code names[at, end)}, the same bytes, case included; or -1.
   */
  private int lookup(int state, byte[] names, int at, int end) {
    int h = NodeTable.finish(state);
    for (int slot = h & (SLOTS - 1), probes = 0;
        probes < SLOTS;
        slot = (slot + 1) & (SLOTS - 1), probes++) {
      if (generation[slot] != message) {
        return -1;
      }
      if (hashes[slot] == state
          && Arrays.equals(
              source[slot], nameAt[slot], nameAt[slot] + nameLength[slot], names, at, end)) {
        return slot;
      }
    }
    return -1;
  }

  private void remember(int state, int offset, byte[] names, int at, int end) {
    int h = NodeTable.finish(state);
    for (int slot = h & (SLOTS - 1), probes = 0;
        probes < SLOTS / 2;
        slot = (slot + 1) & (SLOTS - 1), probes++) {
      if (generation[slot] != message) {
        generation[slot] = message;
        hashes[slot] = state;
        outAt[slot] = offset;
        source[slot] = names;
        nameAt[slot] = at;
        nameLength[slot] = end - at;
        return;
      }
    }
    // The table is half full of this message's names: this one is just not a target.
  }
}
