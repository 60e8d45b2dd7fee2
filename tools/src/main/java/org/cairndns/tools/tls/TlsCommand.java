package org.cairndns.tools.tls;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cairndns.tls.PemCredentials;
import org.cairndns.tls.SelfSignedCertificate;
import org.cairndns.tls.SpkiPin;
import org.cairndns.tools.control.ServerOptions;
import org.cairndns.tools.serve.ServerLock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn tls pin|generate}: SPKI pins and self-signed certificates. */
@Command(
    name = "tls",
    mixinStandardHelpOptions = true,
    description = "Certificates for DNS-over-TLS and XoT.",
    subcommands = {TlsCommand.Pin.class, TlsCommand.Generate.class, TlsCommand.Reload.class})
public final class TlsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing subcommand (pin, generate)");
  }

  @Command(
      name = "pin",
      mixinStandardHelpOptions = true,
      description = "Print the SPKI SHA-256 pin of a PEM certificate (for Stubby, kdig +tls-pin).")
  static final class Pin implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() throws Exception {
      spec.commandLine().getOut().println(SpkiPin.of(PemCredentials.readCertificates(file).get(0)));
      return 0;
    }
  }

  @Command(
      name = "reload",
      mixinStandardHelpOptions = true,
      description =
          "Make the server running on a store re-read its certificate and key (sends it SIGHUP,"
              + " which reloads its configuration file as well, like cairn reload).")
  static final class Reload implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--db",
        description =
            "The running server's store (default: data/cairn, which is then named on stderr).")
    Path db;

    @Override
    public Integer call() throws Exception {
      Path store = db != null ? db : ServerOptions.defaultStore(spec.commandLine().getErr());
      String pid = Long.toString(ServerLock.runningServer(store));
      Process kill = new ProcessBuilder("kill", "-HUP", pid).redirectErrorStream(true).start();
      String out =
          new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
              .trim();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("cannot signal server process " + pid + ": " + out);
      }
      spec.commandLine()
          .getOut()
          .println(
              "asked server " + pid + " to reload its certificate and configuration (see its log)");
      return 0;
    }
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = "Make a self-signed ECDSA P-256 certificate and key; print its pin.")
  static final class Generate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--dir",
        defaultValue = ".",
        description = "Folder for cert.pem and key.pem (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(
        names = "--name",
        defaultValue = "cairn",
        description = "Host name for CN and subjectAltName (default: ${DEFAULT-VALUE}).")
    String name;

    @Override
    public Integer call() throws Exception {
      PemCredentials made = SelfSignedCertificate.generate(name);
      Path cert = dir.resolve(SelfSignedCertificate.CERT_FILE);
      Path key = dir.resolve(SelfSignedCertificate.KEY_FILE);
      SelfSignedCertificate.write(made, cert, key);
      spec.commandLine()
          .getOut()
          .printf("wrote %s and %s%nspki pin (sha256): %s%n", cert, key, SpkiPin.of(made.leaf()));
      return 0;
    }
  }
}
