package org.cairndns.tools.serve;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.net.SyslogAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.cairndns.server.config.CairnConfig;
import org.slf4j.LoggerFactory;

/**
 * Applies the configuration's {@code log} block to Logback when {@code cairn serve} starts: the
 * root level, a file in place of stderr, a syslog server besides. The line format stays the one
 * logback.xml gives stderr (ISO-8601 time with its zone offset), so every destination reads alike.
 */
final class LogOutput {
  private static final String CONSOLE = "STDERR";

  private LogOutput() {}

  static void apply(CairnConfig.Log log) throws IOException {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    if (log.level() != null) {
      root.setLevel(Level.toLevel(log.level()));
    }
    Appender<ILoggingEvent> console = root.getAppender(CONSOLE);
    String pattern =
        console instanceof ch.qos.logback.core.OutputStreamAppender<ILoggingEvent> o
                && o.getEncoder() instanceof LayoutWrappingEncoder<ILoggingEvent> e
                && e.getLayout() instanceof ch.qos.logback.classic.PatternLayout p
            ? p.getPattern()
            : "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} %msg%n";
    if (log.file() != null) {
      createOwnerOnly(log.file());
      FileAppender<ILoggingEvent> file = new FileAppender<>();
      file.setContext(context);
      file.setName("FILE");
      file.setFile(log.file().toString());
      file.setAppend(true);
      file.setEncoder(encoder(context, pattern));
      file.start();
      if (!file.isStarted()) { // Logback reports into its status list, not by throwing
        throw new IOException("cannot write log file " + log.file());
      }
      root.addAppender(file);
      if (console != null) {
        root.detachAppender(console);
        console.stop();
      }
    }
    if (log.syslog() != null) {
      SyslogAppender syslog = new SyslogAppender();
      syslog.setContext(context);
      syslog.setName("SYSLOG");
      syslog.setSyslogHost(log.syslog().getHostString());
      syslog.setPort(log.syslog().getPort());
      syslog.setFacility("DAEMON");
      // syslog stamps its own time; the tag names the program as syslog daemons expect (RFC 3164).
      syslog.setSuffixPattern(
          "cairn[" + ProcessHandle.current().pid() + "]: %-5level %logger{0} %msg");
      syslog.start();
      root.addAppender(syslog);
    }
  }

  /** Log lines name clients and zones: a new log file is the owner's alone, like the store. */
  private static void createOwnerOnly(Path file) throws IOException {
    Path folder = file.toAbsolutePath().getParent();
    if (folder != null) {
      Files.createDirectories(folder);
    }
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException kept) {
      // appended to; its mode is the operator's (logrotate's create mode, say)
    }
  }

  private static PatternLayoutEncoder encoder(LoggerContext context, String pattern) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(pattern);
    encoder.start();
    return encoder;
  }
}
