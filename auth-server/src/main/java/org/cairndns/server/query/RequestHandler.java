package org.cairndns.server.query;

import org.cairndns.request.Requester;

/**
 * Turns one DNS request (wire form, without TCP length prefix) into what the transport must do.
 * Implementations do no I/O on the common query path and never throw for DNS-level errors.
 */
@FunctionalInterface
public interface RequestHandler {
  Outcome handle(byte[] request, Requester requester);
}
