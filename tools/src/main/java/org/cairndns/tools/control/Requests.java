package org.cairndns.tools.control;

import java.io.IOException;

/** One request to the running server, its error reply turned into the command's error. */
final class Requests {
  private Requests() {}

  static ControlClient.Reply send(ServerOptions server, String request) throws Exception {
    ControlClient.Reply reply = server.client().send(request);
    if (reply.error() != null) {
      throw new IOException(reply.error());
    }
    return reply;
  }
}
