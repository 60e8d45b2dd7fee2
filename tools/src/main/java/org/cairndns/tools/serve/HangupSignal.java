package org.cairndns.tools.serve;

/**
 * SIGHUP, the reload signal of BIND, NSD and Knot. The JDK's only way to catch it is {@code
 * sun.misc.Signal} (module jdk.unsupported), whose "internal proprietary API" warning no
 * {@code @SuppressWarnings} or {@code -Xlint} option turns off; tools/pom.xml therefore compiles
 * this class alone, without that warning. Keep every other use of internal API out of this file.
 */
final class HangupSignal {
  private HangupSignal() {}

  /** Runs {@code action} on the JVM's signal thread each time the process receives SIGHUP. */
  static void onHangup(Runnable action) {
    sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> action.run());
  }
}
