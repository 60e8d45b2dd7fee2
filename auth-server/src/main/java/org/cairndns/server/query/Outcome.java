package org.cairndns.server.query;

import java.util.Arrays;
import java.util.Iterator;

/** What the transport does with one request: send a reply, send nothing, or stream messages. */
public sealed interface Outcome {

  /**
   * One response message in wire form: {@code head}, then {@code tail} from {@code tailFrom} on. A
   * cached answer shares its tail with every request it answers and has a head of its own (header
   * and question, with the request's ID and letter case), so a 31 KB answer costs a copy of a few
   * dozen bytes per request instead of 31 KB; the transport copies head and tail once, into its
   * send buffer. Every other reply is all head. The head always holds the whole header.
   */
  record Reply(byte[] head, byte[] tail, int tailFrom) implements Outcome {
    private static final byte[] NO_TAIL = new byte[0];

    public Reply(byte[] wire) {
      this(wire, NO_TAIL, 0);
    }

    /** The message's length in bytes. */
    public int length() {
      return head.length + tail.length - tailFrom;
    }

    /** Whether the message is {@code head} alone (not a shared cached answer). */
    public boolean whole() {
      return tailFrom == tail.length;
    }

    /** The message as one array: the head itself when it is whole, else a joined copy. */
    public byte[] wire() {
      if (whole()) {
        return head;
      }
      byte[] wire = Arrays.copyOf(head, length());
      System.arraycopy(tail, tailFrom, wire, head.length, tail.length - tailFrom);
      return wire;
    }
  }

  /** Send nothing (unparseable garbage, responses, policy drops). */
  record Drop() implements Outcome {}

  /**
   * A zone transfer: messages produced lazily, sent contiguously and in order on the requesting
   * connection, never interleaved with any other response on that connection.
   */
  record Messages(Iterator<byte[]> messages) implements Outcome {}

  Outcome DROP = new Drop();
}
