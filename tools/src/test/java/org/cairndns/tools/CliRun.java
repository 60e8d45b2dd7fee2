package org.cairndns.tools;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of the real `cairn` command line, in-process: its exit code and what it printed. */
record CliRun(int exit, String out, String err) {
  static CliRun cairn(String... args) {
    CommandLine cli = CairnCommand.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new CliRun(exit, out.toString(), err.toString());
  }
}
