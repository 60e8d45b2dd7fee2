package org.cairndns.server.transport;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a completed TLS handshake resumed an earlier session. OpenSSL knows for certain ({@code
 * SSL_session_reused}), but Netty keeps its accessor package-private, so it is reached once by
 * reflection; the JDK engine says nothing, and there a session created before the connection opened
 * is a resumed one.
 */
final class TlsResumption {
  private static final Logger log = LoggerFactory.getLogger(TlsResumption.class);
  private static final Method OPENSSL_REUSED = openSslReused();

  private TlsResumption() {}

  private static Method openSslReused() {
    try {
      Method m = ReferenceCountedOpenSslEngine.class.getDeclaredMethod("isSessionReused");
      m.setAccessible(true);
      return m;
    } catch (NoSuchMethodException | RuntimeException e) {
      log.info(
          "event=tls-resumption-uncounted engine=openssl error=\"{}\" (resumptions read as none)",
          e.toString());
      return null;
    }
  }

  /**
   * @param connectedMillis when the connection opened (wall clock, as session creation times are)
   */
  static boolean resumed(SSLEngine engine, long connectedMillis) {
    if (engine instanceof ReferenceCountedOpenSslEngine openssl) {
      if (OPENSSL_REUSED == null) {
        return false;
      }
      try {
        return (Boolean) OPENSSL_REUSED.invoke(openssl);
      } catch (IllegalAccessException | InvocationTargetException e) {
        return false;
      }
    }
    return engine.getSession().getCreationTime() < connectedMillis;
  }
}
