package org.cairndns.tools.migration;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cairndns.tools.migration.ImportedConfig.Note;
import org.cairndns.tools.migration.ImportedConfig.Zone;

/**
 * Writes an {@link ImportedConfig} as Cairn's YAML (the keys of {@code docs/configuration.md}),
 * with what was not imported as comments where it belongs: at the top for the server's statements,
 * under each zone for its own. Every value is a double-quoted YAML string or a number, so no name
 * or secret from the imported file can change the structure.
 */
final class CairnYaml {
  private CairnYaml() {}

  /**
   * The configuration text. {@code failed} holds, per zone name, why its file could not be loaded
   * into the store.
   */
  static String write(ImportedConfig config, Path source, Path store, Map<String, String> failed) {
    StringBuilder y = new StringBuilder();
    y.append("# Written by cairn import from ")
        .append(oneLine(source.toAbsolutePath().toString()))
        .append('\n');
    y.append(
        "# The primary zones' files were loaded into the store; the server serves them from there.\n");
    if (!config.notes.isEmpty()) {
      y.append("#\n# Not imported:\n");
      for (Note n : config.notes) {
        y.append("#   ").append(oneLine(n.toString())).append('\n');
      }
    }
    y.append("\ndatabase: ").append(quote(store.toAbsolutePath().toString())).append('\n');
    if (!config.keys.isEmpty()) {
      y.append("\ntsig-keys:\n");
      for (ImportedConfig.TsigKey k : config.keys) {
        y.append("  - name: ").append(quote(k.name())).append('\n');
        y.append("    algorithm: ").append(quote(k.algorithm())).append('\n');
        y.append("    secret: ").append(quote(k.secret())).append('\n');
      }
    }
    y.append("\nzones:");
    if (config.zones.isEmpty()) {
      y.append(" []");
    }
    y.append('\n');
    for (Zone z : config.zones) {
      zone(y, z, failed.get(z.name));
    }
    return y.toString();
  }

  private static void zone(StringBuilder y, Zone z, String failure) {
    y.append("  - name: ").append(quote(z.name.endsWith(".") ? z.name : z.name + ".")).append('\n');
    y.append("    # ")
        .append(
            oneLine(
                z.secondary
                    ? "secondary, from " + z.where
                    : "primary, from " + z.where + ", file " + z.file))
        .append('\n');
    if (failure != null) {
      y.append("    # NOT LOADED into the store: ").append(oneLine(failure)).append('\n');
    }
    for (Note n : z.notes) {
      y.append("    # ").append(oneLine(n.toString())).append('\n');
    }
    if (z.secondary) {
      y.append("    primaries:\n");
      for (ImportedConfig.Primary p : z.primaries) {
        y.append("      - address: ").append(quote(address(p.address(), p.port()))).append('\n');
        if (p.tls() == null) {
          y.append("        transport: \"tcp\"\n");
        } else if (p.tls().ca() == null || p.tls().name() == null) {
          y.append("        transport: \"opportunistic-tls\"\n");
        } else {
          y.append("        transport: \"tls\"\n");
          y.append("        tls-ca: ").append(quote(p.tls().ca().toString())).append('\n');
          y.append("        tls-name: ").append(quote(p.tls().name())).append('\n');
          if (p.tls().certificate() != null && p.tls().key() != null) {
            y.append("        tls-certificate: ")
                .append(quote(p.tls().certificate().toString()))
                .append('\n');
            y.append("        tls-key: ").append(quote(p.tls().key().toString())).append('\n');
          }
        }
        if (p.key() != null) {
          y.append("        key: ").append(quote(p.key())).append('\n');
        }
      }
    }
    if (!z.allowTransfer.isEmpty()) {
      y.append("    allow-transfer:\n");
      for (ImportedConfig.TransferRule r : z.allowTransfer) {
        String sep = "      - ";
        if (r.network() != null) {
          y.append(sep).append("address: ").append(quote(r.network())).append('\n');
          sep = "        ";
        }
        if (r.key() != null) {
          y.append(sep).append("key: ").append(quote(r.key())).append('\n');
        }
      }
    }
    if (!z.notify.isEmpty()) {
      y.append("    notify:\n");
      for (ImportedConfig.NotifyTarget t : z.notify) {
        y.append("      - ").append(quote(address(t.address(), t.port()))).append('\n');
      }
      z.notify.stream()
          .map(ImportedConfig.NotifyTarget::key)
          .filter(k -> k != null)
          .findFirst()
          .ifPresent(k -> y.append("    notify-key: ").append(quote(k)).append('\n'));
    }
    if (z.notifyNs) {
      y.append("    notify-ns: true\n");
    }
  }

  private static String address(String address, int port) {
    return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
  }

  /** A YAML double-quoted scalar: backslash, quote and every control character escaped. */
  static String quote(String text) {
    StringBuilder b = new StringBuilder("\"");
    text.codePoints()
        .forEach(
            c -> {
              if (c == '"' || c == '\\') {
                b.append('\\').append((char) c);
              } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\x%02x", c));
              } else {
                b.appendCodePoint(c);
              }
            });
    return b.append('"').toString();
  }

  /** Text for a comment: one line, whatever the imported file held. */
  private static String oneLine(String text) {
    return text.replaceAll("\\p{Cntrl}", " ");
  }

  /** The notes of the whole import, for the command's output. */
  static List<String> notes(ImportedConfig config) {
    List<String> out = new ArrayList<>();
    config.notes.forEach(n -> out.add(n.toString()));
    for (Zone z : config.zones) {
      z.notes.forEach(n -> out.add("zone " + z.name + ": " + n));
    }
    return out;
  }
}
