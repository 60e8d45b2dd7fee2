package org.cairndns.tools;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** The real {@code cairn} command line, run in-process with its output captured. */
final class CairnCli {
  record Run(int exit, String out, String err) {}

  private CairnCli() {}

  static Run run(String... args) {
    CommandLine cli = CairnCommand.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }
}
