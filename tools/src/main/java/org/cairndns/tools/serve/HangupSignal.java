package org.cairndns.tools.serve;

/**
 * SIGHUP, the reload signal of BIND, NSD and Knot. The JDK's only way to catch it is {@code
 * sun.misc.Signal} (module jdk.unsupported), whose "internal proprietary API" warning no
 * {@code @SuppressWarnings} or {@code -Xlint} option turns off; tools/pom.xml therefore compiles
 * this class alone, without that warning. Keep every other use of internal API out of this file.
 */
final class HangupSignal {
  private HangupSignal() {}

  /**
   * Runs {@code action} on the JVM's signal thread each time the process receives SIGHUP. Returns
   * false when SIGHUP was ignored when the process started ({@code nohup}): the JVM then keeps it
   * ignored and installs nothing (bin/cairn resets it to the default before starting Java).
   */
  static boolean onHangup(Runnable action) {
    return sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> action.run())
        != sun.misc.SignalHandler.SIG_IGN;
  }
}
