package org.cairndns.tools.migration;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cairndns.server.config.ConfigException;
import org.cairndns.server.config.ConfigLoader;
import org.cairndns.tools.control.ServerOptions;
import org.cairndns.tools.zone.ZoneCommand;
import org.cairndns.zone.store.OwnerOnlyFiles;
import org.cairndns.zone.store.ZoneStore;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn import FILE}: reads BIND's {@code named.conf} or NSD's {@code nsd.conf}, loads each
 * primary zone's file into the store (as {@code cairn zone load} does, the store opened once) and
 * writes a Cairn YAML with the zones, their primaries, transfer ACLs, notify targets and TSIG keys.
 * What has no Cairn equivalent is printed and left as comments in the YAML. The configuration is
 * read whole, and the YAML checked by {@link ConfigLoader}, before the store is touched.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description =
        "Import a BIND named.conf or NSD nsd.conf: primary zones' files into the store, and a Cairn YAML.")
public final class ImportCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "named.conf or nsd.conf.")
  Path file;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "YAML",
      description = "The Cairn configuration to write (refused when it exists, unless --force).")
  Path output;

  @Option(names = "--force", description = "Overwrite the --output file.")
  boolean force;

  @Option(
      names = "--from",
      paramLabel = "bind|nsd",
      description = "The file's server (default: from its name, else from its syntax).")
  String from;

  @Option(
      names = "--db",
      paramLabel = "PATH",
      description =
          "Zone store to load the zones into, written as the YAML's database (default: data/cairn, which is then named on stderr).")
  Path db;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (Files.exists(output) && !force) {
      throw new IllegalArgumentException(output + " exists; give --force to overwrite it");
    }
    ImportedConfig config;
    try {
      config = isNsd() ? NsdConf.read(file) : NamedConf.read(file);
    } catch (ImportException e) {
      err.println("cairn: " + e.getMessage());
      return 1;
    }
    for (ImportedConfig.Zone z : config.zones) {
      try {
        Name.fromString(z.name, Name.root);
      } catch (TextParseException e) {
        err.println("cairn: " + z.where + ": not a zone name: " + z.name);
        return 1;
      }
    }
    Path store = db != null ? db : ServerOptions.defaultStore(err);
    // The YAML is checked before the store is written: a mapping Cairn refuses changes nothing.
    validate(CairnYaml.write(config, file, store, Map.of()));

    Map<String, String> failed = new LinkedHashMap<>();
    long primaries = config.zones.stream().filter(z -> !z.secondary).count();
    long started = System.nanoTime();
    if (primaries > 0) {
      try (ZoneStore s = ZoneStore.open(store)) {
        for (ImportedConfig.Zone z : config.zones) {
          if (z.secondary) {
            continue;
          }
          try {
            ZoneCommand.loadFile(s, z.file, Name.fromString(z.name, Name.root), out, err);
          } catch (Exception e) { // one bad file must not stop a migration; each is named
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            failed.put(z.name, reason);
            err.println("cairn: zone " + z.name + ": " + reason);
          }
        }
      }
      if (failed.size() < primaries) {
        ServerOptions.sayWhenNoServer(store, err);
      }
    }
    write(CairnYaml.write(config, file, store, failed));

    List<String> notes = CairnYaml.notes(config);
    if (!notes.isEmpty()) {
      out.println("not imported (also noted in " + output + "):");
      notes.forEach(n -> out.println("  " + n));
    }
    out.printf(
        "%d zones (%d primary: %d loaded, %d failed in %.1fs; %d secondary), %d TSIG keys, %d statements not imported; wrote %s%n",
        config.zones.size(),
        primaries,
        primaries - failed.size(),
        failed.size(),
        (System.nanoTime() - started) / 1e9,
        config.zones.size() - primaries,
        config.keys.size(),
        notes.size(),
        output);
    return failed.isEmpty() ? 0 : 1;
  }

  private boolean isNsd() throws IOException {
    if (from != null) {
      return switch (from.toLowerCase(Locale.ROOT)) {
        case "nsd" -> true;
        case "bind", "named" -> false;
        default ->
            throw new CommandLine.ParameterException(
                spec.commandLine(), "--from is bind or nsd, not " + from);
      };
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.contains("nsd")) {
      return true;
    }
    if (name.contains("named")) {
      return false;
    }
    // nsd.conf opens clauses with "server:", "zone:"...; named.conf never has a word ending in ':'
    // at the start of a line.
    if (!Files.isRegularFile(file)) {
      return false; // the reader says what is wrong with it
    }
    String head;
    try (var in = Files.newInputStream(file)) {
      head = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
    }
    return head.lines()
        .map(String::strip)
        .anyMatch(l -> l.matches("(server|zone|key|pattern|remote-control):.*"));
  }

  /** Loads the text as {@code cairn serve} would, from a file beside the output. */
  private void validate(String yaml) throws IOException, ConfigException {
    Path draft = draft(yaml);
    try {
      ConfigLoader.load(draft);
    } catch (ConfigException e) {
      throw new IllegalStateException(
          "the YAML made from "
              + file
              + " does not load, so nothing was imported: "
              + e.getMessage(),
          e);
    } finally {
      Files.deleteIfExists(draft);
    }
  }

  private void write(String yaml) throws IOException {
    Path draft = draft(yaml);
    try {
      Files.move(
          draft, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(draft);
    }
  }

  /** The text in a new owner-only file beside the output (it holds TSIG secrets). */
  private Path draft(String yaml) throws IOException {
    Path folder = output.toAbsolutePath().getParent();
    Files.createDirectories(folder);
    Path draft =
        Files.createTempFile(folder, ".cairn-import", ".yaml", OwnerOnlyFiles.fileMode(output));
    Files.writeString(draft, yaml, StandardCharsets.UTF_8);
    return draft;
  }
}
