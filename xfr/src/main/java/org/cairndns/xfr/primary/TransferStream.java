package org.cairndns.xfr.primary;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.cairndns.zone.wire.TransferMessages;

/**
 * One transfer's messages as the transport pulls them, rendered one at a time by {@link
 * TransferMessages} from the snapshot the transfer started with. Closing it (or reaching its end)
 * releases its transfer permit.
 */
final class TransferStream implements Iterator<byte[]>, AutoCloseable {
  private final TransferMessages messages;
  private final Runnable release;
  private boolean closed;

  TransferStream(TransferMessages messages, Runnable release) {
    this.messages = messages;
    this.release = release;
  }

  @Override
  public boolean hasNext() {
    boolean more = messages.hasNext();
    if (!more) {
      close();
    }
    return more;
  }

  @Override
  public byte[] next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return messages.next();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      release.run();
    }
  }
}
