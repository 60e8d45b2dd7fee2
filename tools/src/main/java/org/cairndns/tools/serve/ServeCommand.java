package org.cairndns.tools.serve;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.cairndns.server.CairnServer;
import org.cairndns.server.config.CairnConfig;
import org.cairndns.server.config.ConfigFile;
import org.cairndns.server.config.ConfigLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cairn serve}: answers for the zones in the store until SIGTERM or SIGINT. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Run the authoritative server.")
public final class ServeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML configuration (see docs/configuration.md).")
  Path config;

  @Option(
      names = "--db",
      paramLabel = "PATH",
      description = "Zone store path; overrides the configuration.")
  Path db;

  @Option(
      names = "--listen",
      paramLabel = "ADDR:PORT",
      description = "UDP and TCP address (repeatable); overrides the configuration.")
  List<String> listen = new ArrayList<>();

  @Option(
      names = "--tls-listen",
      paramLabel = "ADDR:PORT",
      description = "DNS-over-TLS address (repeatable); overrides the configuration.")
  List<String> tlsListen = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    List<InetSocketAddress> listenOverride = addresses(listen);
    List<InetSocketAddress> tlsOverride = addresses(tlsListen);
    // Read again by each reload with the same overrides, so they never show as changes.
    ConfigFile file =
        config == null
            ? null
            : () -> ConfigLoader.load(config).withOverrides(db, listenOverride, tlsOverride);
    CairnConfig cfg =
        file != null
            ? file.read()
            : ConfigLoader.defaults().withOverrides(db, listenOverride, tlsOverride);
    LogOutput.apply(cfg.log());
    Logger log = LoggerFactory.getLogger(ServeCommand.class);
    // SIGHUP is the reload signal of BIND, NSD and Knot: the configuration and the TLS files.
    // It is caught from before the start, whose listeners may be up before it returns: unhandled,
    // it would end the process (a systemd reload while starting, say). One that comes while
    // starting is applied once started: whichever of the two sees both server and request reloads.
    AtomicReference<CairnServer> started = new AtomicReference<>();
    AtomicBoolean reloadAsked = new AtomicBoolean();
    boolean hangupCaught =
        HangupSignal.onHangup(
            () -> {
              reloadAsked.set(true);
              CairnServer running = started.get();
              if (running == null) {
                log.info("event=reload-deferred reason=\"the server is still starting\"");
              } else if (reloadAsked.getAndSet(false)) {
                running.reload();
              }
            });
    if (!hangupCaught) {
      log.warn(
          "event=sighup-ignored reason=\"SIGHUP was ignored at start (nohup?) and the JVM keeps it"
              + " so\" (reload with cairn reload, or start through bin/cairn, which resets it)");
    }
    ServerLock lock = ServerLock.acquire(cfg.database());
    CairnServer server;
    try {
      server = CairnServer.start(cfg, file);
    } catch (Throwable e) {
      lock.close();
      throw e;
    }
    started.set(server);
    if (reloadAsked.getAndSet(false)) {
      server.reload();
    }
    if (server.tls() != null) {
      spec.commandLine()
          .getErr()
          .println("cairn: DNS-over-TLS SPKI pin (sha256): " + server.tls().spkiPin());
    }
    lock.writePid();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  try {
                    lock.close();
                  } catch (java.io.IOException ignored) {
                    // the lock ends with the process; a pid file left behind is known stale by its
                    // free lock
                  }
                  stopped.countDown();
                },
                "cairn-shutdown"));
    stopped.await();
    return 0;
  }

  private List<InetSocketAddress> addresses(List<String> texts) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String t : texts) {
      try {
        out.add(ConfigLoader.parseAddress(t));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "bad address " + t + ": " + e.getMessage());
      }
    }
    return out;
  }
}
