package org.cairndns.server.query;

import java.util.Iterator;

/** What the transport does with one request: send a reply, send nothing, or stream messages. */
public sealed interface Outcome {

  /** One response message in wire form. */
  record Reply(byte[] wire) implements Outcome {}

  /** Send nothing (unparseable garbage, responses, policy drops). */
  record Drop() implements Outcome {}

  /**
   * A zone transfer: messages produced lazily, sent contiguously and in order on the requesting
   * connection, never interleaved with any other response on that connection.
   */
  record Messages(Iterator<byte[]> messages) implements Outcome {}

  Outcome DROP = new Drop();
}
