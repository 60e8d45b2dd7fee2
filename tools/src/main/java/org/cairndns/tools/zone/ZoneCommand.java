package org.cairndns.tools.zone;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.cairndns.server.config.CairnConfig;
import org.cairndns.server.config.ConfigException;
import org.cairndns.server.config.ConfigLoader;
import org.cairndns.tools.control.ControlClient;
import org.cairndns.tools.control.ServerOptions;
import org.cairndns.tools.control.ZoneActionCommand;
import org.cairndns.tools.control.ZoneStatusCommand;
import org.cairndns.xfr.secondary.RetransferRequests;
import org.cairndns.zone.master.ZoneFile;
import org.cairndns.zone.master.ZoneFileException;
import org.cairndns.zone.master.ZoneFileReader;
import org.cairndns.zone.master.ZoneValidator;
import org.cairndns.zone.store.LoadOutcome;
import org.cairndns.zone.store.VersionInfo;
import org.cairndns.zone.store.ZoneContent;
import org.cairndns.zone.store.ZoneDiff;
import org.cairndns.zone.store.ZoneInfo;
import org.cairndns.zone.store.ZoneStore;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn zone ...}: load, check, list, show, export, history, diff and delete zones in the
 * store; status, refresh, retransfer and notify ask the running server.
 */
@Command(
    name = "zone",
    mixinStandardHelpOptions = true,
    description = "Manage zones in the store.",
    subcommands = {
      ZoneCommand.Load.class,
      ZoneCommand.Check.class,
      ZoneCommand.ListZones.class,
      ZoneCommand.Show.class,
      ZoneCommand.Export.class,
      ZoneCommand.History.class,
      ZoneCommand.Diff.class,
      ZoneCommand.Delete.class,
      ZoneCommand.Retransfer.class,
      ZoneStatusCommand.class,
      ZoneActionCommand.Refresh.class,
      ZoneActionCommand.Notify.class
    })
public final class ZoneCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "missing subcommand (load, check, list, show, export, history, diff, delete, status, refresh, retransfer, notify)");
  }

  /**
   * The store of every subcommand that opens it: {@code --db}, else the {@code --config} file's
   * {@code database}, else {@code data/cairn}, which is said on stderr since it may not be the
   * server's.
   */
  static class StoreOption {
    @Option(
        names = "--db",
        paramLabel = "PATH",
        description = "Zone store path (default: the --config file's database, else data/cairn).")
    Path db;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "The server's YAML configuration: its store, and the zones it serves.")
    Path configFile;

    private CairnConfig config;

    /** The {@code --config} file, read once; null without one. */
    CairnConfig config() throws ConfigException {
      if (config == null && configFile != null) {
        config = ConfigLoader.load(configFile);
      }
      return config;
    }

    Path path(PrintWriter err) throws ConfigException {
      if (db != null) {
        return db;
      }
      if (config() != null) {
        return config().database();
      }
      return ServerOptions.defaultStore(err);
    }

    ZoneStore open(PrintWriter err) throws Exception {
      return ZoneStore.open(path(err));
    }
  }

  static Name zoneName(String text) {
    try {
      return Name.fromString(text, Name.root);
    } catch (TextParseException e) {
      throw new IllegalArgumentException("not a zone name: " + text);
    }
  }

  /**
   * The records of a valid master file, as they are stored (a record given twice once: {@link
   * ZoneValidator#validate}); its warnings and earliest signature expiry go to {@code err}.
   */
  // On JDK 17, the release we build for, a null console is how to tell output is not a terminal;
  // Console.isTerminal() takes over when the release moves to 22 or later.
  @SuppressWarnings("SystemConsoleNull")
  static List<Record> readValid(
      Path file, ZoneOrigin origin, ZoneValidator.Checks checks, PrintWriter err, boolean progress)
      throws Exception {
    Progress p = progress && System.console() != null ? new Progress(err, Files.size(file)) : null;
    ZoneFile zone = ZoneFileReader.read(file, origin.name(), p == null ? n -> {} : p::update);
    if (p != null) {
      p.done(zone.records().size());
    }
    if (origin.source().equals(ZoneOrigin.FILE_NAME)) {
      for (Record r : zone.records()) {
        if (!r.getName().subdomain(origin.name())) {
          throw new IllegalArgumentException(
              file
                  + ": "
                  + r.getName()
                  + " is outside the zone "
                  + origin.name()
                  + ", a name taken from the file name (the file has no $ORIGIN or SOA owner to go by): give the zone with --origin");
        }
      }
    }
    ZoneValidator.CheckedZone checked = ZoneValidator.validate(zone, checks, Instant.now());
    for (ZoneFileException.Problem warning : checked.warnings()) {
      err.println("warning: " + warning);
    }
    checked
        .earliestSignature()
        .ifPresent(first -> err.println("earliest signature expiry: " + first));
    return checked.records();
  }

  /**
   * Validates {@code file} as zone {@code origin} and stores it as the zone's new version, printing
   * the outcome on {@code out}: one file of {@code zone load}, or of {@code cairn import}, into a
   * store opened once for them all.
   */
  public static void loadFile(ZoneStore s, Path file, Name zone, PrintWriter out, PrintWriter err)
      throws Exception {
    store(
        s,
        file,
        new ZoneOrigin(zone, "the import"),
        ZoneValidator.Checks.LENIENT,
        false,
        out,
        err,
        false);
  }

  private static void store(
      ZoneStore s,
      Path file,
      ZoneOrigin origin,
      ZoneValidator.Checks checks,
      boolean bump,
      PrintWriter out,
      PrintWriter err,
      boolean progress)
      throws Exception {
    Name name = origin.name();
    long started = System.nanoTime();
    List<Record> records = readValid(file, origin, checks, err, progress);
    LoadOutcome outcome = s.load(name, records, "file:" + file.toAbsolutePath(), bump);
    double seconds = (System.nanoTime() - started) / 1e9;
    switch (outcome.kind()) {
      case UNCHANGED -> out.printf("%s unchanged at serial %d%n", name, outcome.serial());
      case CREATED ->
          out.printf(
              "%s created at serial %d: %d records in %.1fs%n",
              name, outcome.serial(), outcome.records(), seconds);
      case UPDATED ->
          out.printf(
              "%s updated from serial %d to %d: %d records, %d deleted, %d added in %.1fs%n",
              name,
              outcome.previousSerial(),
              outcome.serial(),
              outcome.records(),
              outcome.deleted(),
              outcome.added(),
              seconds);
    }
  }

  /** How strictly {@code load} and {@code check} judge a file. */
  static class CheckOptions {
    @Option(
        names = "--strict",
        description =
            "Refuse TTLs that differ inside an RRset (by default the first TTL is kept, with a warning).")
    boolean strict;

    @Option(
        names = "--signature-warning-days",
        paramLabel = "DAYS",
        defaultValue = "7",
        description =
            "Warn when a DNSSEC signature expires within this many days (default: ${DEFAULT-VALUE}).")
    int signatureWarningDays;

    ZoneValidator.Checks checks() {
      return new ZoneValidator.Checks(strict, Duration.ofDays(signatureWarningDays));
    }
  }

  @Command(
      name = "load",
      mixinStandardHelpOptions = true,
      description =
          "Validate master files and store each as its zone's new version; a folder stands for the files in it.")
  static final class Load implements Callable<Integer> {
    @CommandLine.Mixin StoreOption store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
        paramLabel = "FILE",
        arity = "1..*",
        description = "Master files, or folders of them (every file not hidden).")
    List<Path> paths;

    @Option(
        names = "--origin",
        description =
            "Zone apex (default: the file's first $ORIGIN or SOA owner, else its name without .zone); one file only.")
    String origin;

    @Option(
        names = "--bump-serial",
        description =
            "Store changed content even when its serial is not newer: serial becomes max(old+1, YYYYMMDD00).")
    boolean bump;

    @Option(
        names = "--force",
        description =
            "Load into a zone that the --config file declares as a secondary (its content otherwise comes from its primaries).")
    boolean force;

    @CommandLine.Mixin CheckOptions check;

    @Override
    public Integer call() throws Exception {
      List<Path> files = zoneFiles(paths);
      if (files.isEmpty()) {
        throw new IllegalArgumentException("no zone files in " + paths);
      }
      if (origin != null && files.size() != 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--origin names the zone of one file, not of " + files.size());
      }
      PrintWriter err = spec.commandLine().getErr();
      int failed = 0;
      long started = System.nanoTime();
      // One store open for them all: opening it (and starting the JVM) is most of a small zone's
      // cost.
      Path path = store.path(err);
      try (ZoneStore s = ZoneStore.open(path)) {
        for (Path file : files) {
          if (files.size() == 1) {
            load(s, file, true);
            continue;
          }
          try {
            load(s, file, false);
          } catch (
              Exception e) { // one bad file must not stop a migration; each is named and counted
            err.println("cairn: " + file + ": " + (e.getMessage() == null ? e : e.getMessage()));
            failed++;
          }
        }
      }
      if (failed < files.size()) {
        ServerOptions.sayWhenNoServer(path, err);
      }
      if (files.size() > 1) {
        spec.commandLine()
            .getOut()
            .printf(
                "%d files, %d loaded, %d failed in %.1fs%n",
                files.size(), files.size() - failed, failed, (System.nanoTime() - started) / 1e9);
      }
      return failed == 0 ? 0 : 1;
    }

    private void load(ZoneStore s, Path file, boolean progress) throws Exception {
      ZoneOrigin zoneOrigin = ZoneOrigin.of(file, origin);
      checkServed(zoneOrigin.name());
      store(
          s,
          file,
          zoneOrigin,
          check.checks(),
          bump,
          spec.commandLine().getOut(),
          spec.commandLine().getErr(),
          progress);
    }

    /**
     * Against the {@code --config} file: a zone it does not list is stored but never served (said,
     * then loaded); a secondary's content comes from its primaries, so a file there is refused
     * without --force.
     */
    private void checkServed(Name name) throws ConfigException {
      CairnConfig config = store.config();
      if (config == null) {
        return;
      }
      Optional<CairnConfig.ZoneEntry> entry =
          config.zones().stream().filter(z -> z.name().equals(name)).findFirst();
      if (entry.isEmpty()) {
        spec.commandLine()
            .getErr()
            .println(
                "warning: "
                    + name
                    + " is not in the zones: list of "
                    + store.configFile
                    + ": the server will not serve it");
      } else if (!entry.get().primaries().isEmpty() && !force) {
        throw new IllegalArgumentException(
            name
                + " is a secondary zone in "
                + store.configFile
                + " (primaries:), whose content comes from transfers: not loaded (give --force to load it anyway)");
      }
    }

    /**
     * The files named, a folder replaced by its regular files that are not hidden, in name order.
     */
    private static List<Path> zoneFiles(List<Path> paths) throws java.io.IOException {
      List<Path> files = new java.util.ArrayList<>();
      for (Path p : paths) {
        if (!Files.isDirectory(p)) {
          files.add(p);
          continue;
        }
        try (var in = Files.list(p)) {
          in.filter(f -> Files.isRegularFile(f) && !f.getFileName().toString().startsWith("."))
              .sorted()
              .forEach(files::add);
        }
      }
      return files;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Validate a master file without storing it.")
  static final class Check implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Option(
        names = "--origin",
        description =
            "Zone apex (default: the file's first $ORIGIN or SOA owner, else its name without .zone).")
    String origin;

    @CommandLine.Mixin CheckOptions check;

    @Override
    public Integer call() throws Exception {
      ZoneOrigin zoneOrigin = ZoneOrigin.of(file, origin);
      Name name = zoneOrigin.name();
      List<Record> records =
          readValid(file, zoneOrigin, check.checks(), spec.commandLine().getErr(), false);
      spec.commandLine()
          .getOut()
          .printf("%s: %s is valid, %d records%n", file, name, records.size());
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List stored zones.")
  static final class ListZones implements Callable<Integer> {
    @CommandLine.Mixin StoreOption store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      try (ZoneStore s = store.open(spec.commandLine().getErr())) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-30s %12s %10s %9s  %s%n", "ZONE", "SERIAL", "RECORDS", "VERSIONS", "CHANGED");
        for (ZoneInfo z : s.list()) {
          out.printf(
              "%-30s %12d %10d %9d  %s%n",
              z.name(), z.serial(), z.records(), z.versions(), z.changedAt());
        }
      }
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print a zone's records, optionally one owner and/or type.")
  static final class Show implements Callable<Integer> {
    @CommandLine.Mixin StoreOption store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ZONE")
    String zone;

    @Option(
        names = "--name",
        paramLabel = "OWNER",
        description = "Only records owned by this name.")
    String owner;

    @Option(names = "--type", paramLabel = "TYPE", description = "Only records of this type.")
    String type;

    @Override
    public Integer call() throws Exception {
      Name name = zoneName(zone);
      Name ownerName = owner == null ? null : Name.fromString(owner, name);
      int t = type == null ? -1 : Type.value(type);
      if (type != null && t < 0) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "unknown record type: " + type);
      }
      try (ZoneStore s = store.open(spec.commandLine().getErr())) {
        ZoneContent content =
            s.current(name)
                .orElseThrow(
                    () -> new IllegalArgumentException("zone " + name + " is not in the store"));
        PrintWriter out = spec.commandLine().getOut();
        for (Record r : content.records()) {
          if ((ownerName == null || r.getName().equals(ownerName)) && (t < 0 || r.getType() == t)) {
            out.println(r);
          }
        }
      }
      return 0;
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description =
          "Write a zone (optionally an older serial) as a master file on stdout, or every zone into a folder.")
  static final class Export implements Callable<Integer> {
    @CommandLine.Mixin StoreOption store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ZONE", arity = "0..1")
    String zone;

    @Option(names = "--serial", description = "An older version still in the journal.")
    Long serial;

    @Option(
        names = "--all",
        paramLabel = "DIR",
        description =
            "Every zone's current version into DIR/ZONE.zone, which `cairn zone load DIR` loads again.")
    Path all;

    @Override
    public Integer call() throws Exception {
      if ((zone == null) == (all == null) || (all != null && serial != null)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "give a ZONE (with --serial if wanted) or --all DIR");
      }
      try (ZoneStore s = store.open(spec.commandLine().getErr())) {
        if (all != null) {
          exportAll(s);
          return 0;
        }
        Name name = zoneName(zone);
        Optional<ZoneContent> content = serial == null ? s.current(name) : s.at(name, serial);
        ZoneContent c =
            content.orElseThrow(
                () ->
                    new IllegalArgumentException(
                        serial == null
                            ? "zone " + name + " is not in the store"
                            : "zone "
                                + name
                                + " has no version with serial "
                                + serial
                                + " in its journal (see cairn zone history)"));
        write(spec.commandLine().getOut(), name, c);
      }
      return 0;
    }

    private void exportAll(ZoneStore s) throws Exception {
      Files.createDirectories(all);
      int count = 0;
      for (ZoneInfo z : s.list()) {
        Name name = z.name();
        String base = name.equals(Name.root) ? "root" : name.toString(true);
        if (base.contains("/")
            || base.startsWith(".")) { // a label may hold any byte; a file name may not
          throw new IllegalArgumentException(
              "zone " + name + " has no safe file name; export it alone with cairn zone export");
        }
        Optional<ZoneContent> content = s.current(name);
        if (content.isEmpty()) {
          continue; // deleted since the listing
        }
        Path file = all.resolve(base + ".zone");
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
          write(out, name, content.get());
          if (out.checkError()) { // a PrintWriter keeps its IOExceptions to itself
            throw new java.io.IOException("cannot write " + file);
          }
        }
        count++;
      }
      spec.commandLine().getOut().printf("%d zones exported to %s%n", count, all);
    }

    private static void write(PrintWriter out, Name name, ZoneContent c) {
      out.printf("; zone %s serial %d exported by cairn%n$ORIGIN %s%n", name, c.serial(), name);
      for (Record r : c.records()) {
        out.println(r);
      }
    }
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = "List a zone's stored versions and journal sizes.")
  static final class History implements Callable<Integer> {
    @CommandLine.Mixin StoreOption store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ZONE")
    String zone;

    @Override
    public Integer call() throws Exception {
      Name name = zoneName(zone);
      try (ZoneStore s = store.open(spec.commandLine().getErr())) {
        List<VersionInfo> versions = s.history(name);
        if (versions.isEmpty()) {
          throw new IllegalArgumentException("zone " + name + " is not in the store");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
            "%12s %10s %8s %8s  %-24s %s%n",
            "SERIAL", "RECORDS", "DELETED", "ADDED", "LOADED", "SOURCE");
        for (VersionInfo v : versions) {
          out.printf(
              "%12d %10d %8s %8s  %-24s %s%n",
              v.serial(),
              v.records(),
              v.deleted() < 0 ? "-" : v.deleted(),
              v.added() < 0 ? "-" : v.added(),
              v.loadedAt(),
              v.source());
        }
      }
      return 0;
    }
  }

  @Command(
      name = "diff",
      mixinStandardHelpOptions = true,
      description = "Print what changed between two serials (from the journal).")
  static final class Diff implements Callable<Integer> {
    @CommandLine.Mixin StoreOption store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ZONE")
    String zone;

    @Parameters(index = "1", paramLabel = "FROM")
    long from;

    @Parameters(index = "2", paramLabel = "TO")
    long to;

    @Override
    public Integer call() throws Exception {
      Name name = zoneName(zone);
      try (ZoneStore s = store.open(spec.commandLine().getErr())) {
        ZoneDiff diff =
            s.diff(name, from, to)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "no journal from serial "
                                + from
                                + " to "
                                + to
                                + " for "
                                + name
                                + " (see cairn zone history)"));
        PrintWriter out = spec.commandLine().getOut();
        out.printf("- %s%n", diff.fromSoa());
        for (Record r : diff.deleted()) {
          out.printf("- %s%n", r);
        }
        out.printf("+ %s%n", diff.toSoa());
        for (Record r : diff.added()) {
          out.printf("+ %s%n", r);
        }
      }
      return 0;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description =
          "Remove a zone, its versions and journal from the store; asks first on a terminal, else needs --force.")
  static final class Delete implements Callable<Integer> {
    @CommandLine.Mixin StoreOption store;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ZONE")
    String zone;

    @Option(
        names = "--force",
        description = "Delete without asking (needed when stdin is not a terminal).")
    boolean force;

    @Override
    @SuppressWarnings(
        "SystemConsoleNull") // as in readValid: JDK 17 tells a terminal by a console that is not
    // null
    public Integer call() throws Exception {
      Name name = zoneName(zone);
      PrintWriter err = spec.commandLine().getErr();
      Path path = store.path(err);
      if (!force) {
        java.io.Console console = System.console();
        if (console == null) {
          throw new IllegalArgumentException(
              "not deleting " + name + " without --force: stdin is not a terminal to confirm on");
        }
        String answer =
            console.readLine(
                "delete zone %s, its versions and journal from store %s? [y/N] ", name, path);
        if (answer == null
            || !(answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"))) {
          err.println("cairn: " + name + " not deleted");
          return 1;
        }
      }
      try (ZoneStore s = ZoneStore.open(path)) {
        if (!s.delete(name)) {
          throw new IllegalArgumentException("zone " + name + " is not in the store");
        }
        spec.commandLine().getOut().printf("%s deleted%n", name);
      }
      ServerOptions.sayWhenNoServer(path, err);
      return 0;
    }
  }

  /**
   * A full transfer of a secondary zone that accepts any serial, even one older than the stored one
   * (which the server otherwise refuses as a rollback): started at once over the control channel of
   * the server running on the store, or, with none running, left as a request in the store that the
   * server takes when it starts.
   */
  @Command(
      name = "retransfer",
      mixinStandardHelpOptions = true,
      description =
          "Ask the running server for a full transfer of a secondary zone that accepts any serial, even an older one.")
  static final class Retransfer implements Callable<Integer> {
    @CommandLine.Mixin ServerOptions server;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ZONE")
    String zone;

    @Override
    public Integer call() throws Exception {
      Name name = zoneName(zone);
      ControlClient client = server.client();
      PrintWriter out = spec.commandLine().getOut();
      ControlClient.Reply reply;
      try {
        reply = client.send("zone-retransfer " + name);
      } catch (ControlClient.NoServerException none) {
        try (ZoneStore s = ZoneStore.open(client.database())) {
          new RetransferRequests(s.database()).request(name);
        }
        ServerOptions.sayWhenNoServer(client.database(), spec.commandLine().getErr());
        out.printf(
            "retransfer of %s requested in store %s: no server answered; the server takes the request "
                + "when it starts (or, if one is starting now, at its next store poll)%n",
            name, client.database());
        return 0;
      }
      if (reply.error() != null) {
        throw new IllegalArgumentException(reply.error());
      }
      out.println(
          server.json() ? reply.json() : name + ": full transfer started; see cairn zone status");
      return 0;
    }
  }

  /** Records read, rate and ETA on the terminal while a big file loads. */
  static final class Progress {
    private final PrintWriter err;
    private final long fileBytes;
    private final long started = System.nanoTime();
    private long lastPrint;

    Progress(PrintWriter err, long fileBytes) {
      this.err = err;
      this.fileBytes = fileBytes;
    }

    void update(long records) {
      long now = System.nanoTime();
      if (now - lastPrint < 500_000_000L) {
        return;
      }
      lastPrint = now;
      double secs = Math.max(1e-3, (now - started) / 1e9);
      double rate = records / secs;
      // ETA from an estimate of ~40 bytes a record; good enough for a progress line.
      long estimated = Math.max(records, fileBytes / 40);
      long eta = rate > 0 ? (long) ((estimated - records) / rate) : 0;
      err.printf(
          "\rread %,d records  %,.0f/s  ETA %s   ",
          records, rate, Duration.ofSeconds(eta).toString().substring(2).toLowerCase(Locale.ROOT));
      err.flush();
    }

    void done(long records) {
      err.printf(
          "\rread %,d records in %.1fs%s%n",
          records, (System.nanoTime() - started) / 1e9, " ".repeat(20));
      err.flush();
    }
  }
}
