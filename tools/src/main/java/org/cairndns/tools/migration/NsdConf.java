package org.cairndns.tools.migration;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cairndns.tools.migration.ImportedConfig.Note;
import org.cairndns.tools.migration.ImportedConfig.Where;
import org.cairndns.tools.migration.ImportedConfig.Zone;

/**
 * Maps NSD's {@code nsd.conf} onto Cairn. The format looks like YAML but is not: NSD's lexer reads
 * {@code keyword:} tokens and the values after them, whatever the indentation, and a clause ({@code
 * server:}, {@code zone:}, {@code pattern:}, {@code key:}, ...) runs until the next clause keyword.
 * {@code include:} splices in files (a glob is allowed, as in NSD). Zones take {@code name}, {@code
 * zonefile} (relative to {@code zonesdir}, with NSD's {@code %s} and friends), {@code request-xfr},
 * {@code provide-xfr}, {@code notify}, {@code allow-notify} and {@code include-pattern}; the rest
 * become notes.
 */
final class NsdConf {
  private static final Set<String> CLAUSES =
      Set.of(
          "server:",
          "zone:",
          "pattern:",
          "key:",
          "remote-control:",
          "tls-auth:",
          "dnstap:",
          "verify:");

  /** {@code keyword: values...} as read, where the keyword was. */
  record Option(String keyword, List<String> values, Where where) {
    @Override
    public String toString() {
      return keyword + " " + String.join(" ", values);
    }
  }

  /** A clause and its options, in order. */
  record Clause(Option head, List<Option> options) {
    String name() {
      for (Option o : options) {
        if (o.keyword().equals("name:") && o.values().size() == 1) {
          return o.values().get(0);
        }
      }
      return null;
    }
  }

  private final ImportedConfig config = new ImportedConfig();
  private final ConfigFiles files = new ConfigFiles();
  private final Map<String, Clause> patterns = new HashMap<>();
  private final Set<String> keyNames = new HashSet<>();
  private Path zonesdir;

  private NsdConf() {}

  static ImportedConfig read(Path file) throws ImportException {
    NsdConf conf = new NsdConf();
    Path folder = file.toAbsolutePath().getParent();
    conf.zonesdir = folder == null ? Path.of("/") : folder;
    List<Option> options = new ArrayList<>();
    conf.tokens(file, 0, null, options);
    List<Clause> clauses = clauses(options);
    List<Clause> zones = new ArrayList<>();
    for (Clause c : clauses) {
      switch (c.head().keyword()) {
        case "server:" -> conf.server(c);
        case "key:" -> conf.key(c);
        case "pattern:" -> conf.pattern(c);
        case "zone:" -> zones.add(c);
        default ->
            conf.config.notes.add(
                new Note(c.head().where(), c.head().keyword() + " clause not imported"));
      }
    }
    for (Clause z : zones) {
      conf.zone(z);
    }
    return conf.config;
  }

  private static List<Clause> clauses(List<Option> options) throws ImportException {
    List<Clause> out = new ArrayList<>();
    Clause current = null;
    for (Option o : options) {
      if (CLAUSES.contains(o.keyword())) {
        if (!o.values().isEmpty()) {
          throw new ImportException(o.where(), o.keyword() + " takes no value");
        }
        current = new Clause(o, new ArrayList<>());
        out.add(current);
      } else if (current == null) {
        throw new ImportException(
            o.where(), o.keyword() + " outside a clause (server:, zone:, ...)");
      } else {
        current.options().add(o);
      }
    }
    return out;
  }

  private void server(Clause c) {
    for (Option o : c.options()) {
      if (o.keyword().equals("zonesdir:") && o.values().size() == 1) {
        Path dir = Path.of(o.values().get(0));
        zonesdir = (dir.isAbsolute() ? dir : zonesdir.resolve(dir)).normalize();
      } else {
        config.notes.add(new Note(o.where(), "server: " + o + " not imported"));
      }
    }
  }

  private void key(Clause c) throws ImportException {
    String name = c.name();
    String algorithm = null;
    String secret = null;
    for (Option o : c.options()) {
      switch (o.keyword()) {
        case "name:" -> {}
        case "algorithm:" -> algorithm = single(o).toLowerCase(Locale.ROOT);
        case "secret:" -> secret = single(o);
        default ->
            config.notes.add(new Note(o.where(), "key " + name + ": " + o + " not imported"));
      }
    }
    if (name == null || algorithm == null || secret == null) {
      throw new ImportException(c.head().where(), "key: needs name, algorithm and secret");
    }
    if (!keyNames.add(name)) {
      throw new ImportException(c.head().where(), "key " + name + " is defined twice");
    }
    config.keys.add(new ImportedConfig.TsigKey(name, algorithm, secret));
  }

  private void pattern(Clause c) throws ImportException {
    String name = c.name();
    if (name == null) {
      throw new ImportException(c.head().where(), "pattern: needs a name");
    }
    if (patterns.put(name, c) != null) {
      throw new ImportException(c.head().where(), "pattern " + name + " is defined twice");
    }
  }

  private void zone(Clause c) throws ImportException {
    String name = c.name();
    if (name == null) {
      throw new ImportException(c.head().where(), "zone: needs a name");
    }
    // The zone's options after those of its patterns, in order, as NSD applies them.
    List<Option> options = new ArrayList<>();
    expand(c, options, 0);
    String zonefile = null;
    List<Option> primaries = new ArrayList<>();
    for (Option o : options) {
      if (o.keyword().equals("zonefile:")) {
        zonefile = single(o);
      } else if (o.keyword().equals("request-xfr:")) {
        primaries.add(o);
      }
    }
    Zone zone = new Zone(name, c.head().where(), !primaries.isEmpty());
    for (Option o : options) {
      switch (o.keyword()) {
        case "name:", "include-pattern:" -> {}
        case "zonefile:" -> {
          if (zone.secondary) {
            zone.notes.add(
                new Note(
                    o.where(),
                    o
                        + " (NSD's copy of the transfers) not needed: Cairn keeps them in its store"));
          }
        }
        case "request-xfr:" -> requestXfr(o, zone);
        case "provide-xfr:" -> provideXfr(o, zone);
        case "notify:" -> notifyTarget(o, zone);
        case "allow-notify:" -> allowNotify(o, zone);
        default -> zone.notes.add(new Note(o.where(), o + " not imported"));
      }
    }
    if (!zone.secondary) {
      if (zonefile == null) {
        config.notes.add(
            new Note(
                c.head().where(),
                "zone " + name + " not imported: no zonefile and no request-xfr"));
        return;
      }
      Path file = Path.of(expandZonefile(zonefile, name));
      zone.file = (file.isAbsolute() ? file : zonesdir.resolve(file)).normalize();
    } else if (zone.primaries.isEmpty()) {
      config.notes.add(
          new Note(
              c.head().where(),
              "secondary zone " + name + " not imported: none of its request-xfr could be"));
      return;
    }
    Set<String> keys = new HashSet<>();
    zone.notify.forEach(t -> keys.add(String.valueOf(t.key())));
    if (keys.size() > 1) {
      zone.notes.add(
          new Note(
              c.head().where(),
              "notify: targets with different keys; Cairn signs every NOTIFY of a zone with one notify-key, the first given"));
    }
    config.add(zone);
  }

  private void expand(Clause c, List<Option> out, int depth) throws ImportException {
    for (Option o : c.options()) {
      if (!o.keyword().equals("include-pattern:")) {
        out.add(o);
        continue;
      }
      Clause pattern = patterns.get(single(o));
      if (pattern == null) {
        throw new ImportException(o.where(), "pattern " + single(o) + " is not defined");
      }
      if (depth >= ConfigFiles.MAX_DEPTH) {
        throw new ImportException(
            o.where(),
            "include-pattern nested deeper than " + ConfigFiles.MAX_DEPTH + " (a loop?)");
      }
      expand(pattern, out, depth + 1);
    }
  }

  /** {@code request-xfr: [AXFR|UDP] ADDRESS[@PORT] KEY|NOKEY [TLS-AUTH]}. */
  private void requestXfr(Option o, Zone zone) throws ImportException {
    List<String> v = new ArrayList<>(o.values());
    if (!v.isEmpty() && (v.get(0).equals("AXFR") || v.get(0).equals("UDP"))) {
      zone.notes.add(
          new Note(
              o.where(),
              o
                  + ": "
                  + v.get(0)
                  + " not imported (Cairn asks IXFR over TCP, falling back to AXFR)"));
      v.remove(0);
    }
    if (v.size() < 2 || v.size() > 3) {
      throw new ImportException(o.where(), "request-xfr: needs an address and a key or NOKEY");
    }
    String[] address = addressAndPort(v.get(0), o.where());
    String key = key(v.get(1), o);
    if (v.size() == 3) {
      zone.notes.add(
          new Note(
              o.where(),
              o + ": tls-auth " + v.get(2) + " not imported; imported as opportunistic-tls"));
    }
    int port = Integer.parseInt(address[1] == null ? (v.size() == 3 ? "853" : "53") : address[1]);
    zone.primaries.add(
        new ImportedConfig.Primary(
            address[0],
            port,
            key,
            v.size() == 3 ? new ImportedConfig.Tls(null, null, null, null) : null));
  }

  /** {@code provide-xfr: IPSPEC KEY|NOKEY|BLOCKED}. */
  private void provideXfr(Option o, Zone zone) throws ImportException {
    if (o.values().size() != 2) {
      throw new ImportException(
          o.where(), "provide-xfr: needs an address and a key, NOKEY or BLOCKED");
    }
    if (o.values().get(1).equals("BLOCKED")) {
      zone.notes.add(
          new Note(
              o.where(),
              o
                  + " not imported: Cairn's allow-transfer has no deny entries (who is not listed is refused)"));
      return;
    }
    String key = key(o.values().get(1), o);
    String network = network(o.values().get(0));
    if (network == null) {
      zone.notes.add(
          new Note(
              o.where(),
              o + " not imported: Cairn takes an address or a network (ADDR/LEN), not a range"));
      return;
    }
    zone.allowTransfer.add(new ImportedConfig.TransferRule(network, key));
  }

  /** {@code notify: ADDRESS[@PORT] KEY|NOKEY}. */
  private void notifyTarget(Option o, Zone zone) throws ImportException {
    if (o.values().size() != 2) {
      throw new ImportException(o.where(), "notify: needs an address and a key or NOKEY");
    }
    String[] address = addressAndPort(o.values().get(0), o.where());
    zone.notify.add(
        new ImportedConfig.NotifyTarget(
            address[0],
            address[1] == null ? 53 : Integer.parseInt(address[1]),
            key(o.values().get(1), o)));
  }

  /** Cairn takes NOTIFY from the zone's primaries: an allow-notify for one of them is kept. */
  private void allowNotify(Option o, Zone zone) throws ImportException {
    String spec = o.values().isEmpty() ? "" : o.values().get(0);
    String host = spec.contains("@") ? spec.substring(0, spec.indexOf('@')) : spec;
    for (ImportedConfig.Primary p : zone.primaries) {
      if (p.address().equals(host)) {
        return;
      }
    }
    zone.notes.add(
        new Note(
            o.where(), o + " not imported: Cairn takes NOTIFY from the zone's primaries only"));
  }

  private String key(String text, Option o) throws ImportException {
    if (text.equals("NOKEY")) {
      return null;
    }
    if (!keyNames.contains(text)) {
      throw new ImportException(
          o.where(), o.keyword() + " names key " + text + ", which is not defined");
    }
    return text;
  }

  private static String[] addressAndPort(String text, Where where) throws ImportException {
    int at = text.indexOf('@');
    String address = at < 0 ? text : text.substring(0, at);
    String port = at < 0 ? null : text.substring(at + 1);
    if (!NamedConf.isAddress(address)) {
      throw new ImportException(where, "not an IP address: " + address);
    }
    if (port != null
        && !(port.matches("[0-9]{1,5}")
            && Integer.parseInt(port) >= 1
            && Integer.parseInt(port) <= 65535)) {
      throw new ImportException(where, "not a port: " + port);
    }
    return new String[] {address, port};
  }

  /**
   * An NSD ip-spec as a network: {@code ADDR}, {@code ADDR/LEN}, {@code ADDR&MASK}; null for a
   * range.
   */
  private static String network(String spec) {
    String s = spec.contains("@") ? spec.substring(0, spec.indexOf('@')) : spec;
    int amp = s.indexOf('&');
    if (amp > 0) {
      int length = prefixLength(s.substring(amp + 1));
      return length < 0 || !NamedConf.isAddress(s.substring(0, amp))
          ? null
          : s.substring(0, amp) + "/" + length;
    }
    return NamedConf.isNetwork(s) ? s : null;
  }

  /** The prefix length of a dotted IPv4 mask, or -1 when it is not one. */
  private static int prefixLength(String mask) {
    String[] parts = mask.split("\\.", -1);
    if (parts.length != 4) {
      return -1;
    }
    long bits = 0;
    for (String p : parts) {
      if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
        return -1;
      }
      bits = (bits << 8) | Integer.parseInt(p);
    }
    int length = Long.bitCount(bits);
    long expected = length == 0 ? 0 : (0xFFFFFFFFL << (32 - length)) & 0xFFFFFFFFL;
    return bits == expected ? length : -1;
  }

  /**
   * NSD's zonefile patterns: {@code %s} the zone name, {@code %1}..{@code %3} its first characters,
   * {@code %z} {@code %y} {@code %x} its labels from the top.
   */
  static String expandZonefile(String pattern, String zone) {
    String name =
        zone.endsWith(".") && zone.length() > 1 ? zone.substring(0, zone.length() - 1) : zone;
    String[] labels = name.split("\\.");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char ch = pattern.charAt(i);
      if (ch != '%' || i + 1 == pattern.length()) {
        b.append(ch);
        continue;
      }
      char code = pattern.charAt(++i);
      switch (code) {
        case 's' -> b.append(name);
        case '1', '2', '3' -> {
          int at = code - '1';
          b.append(at < name.length() ? name.charAt(at) : '.');
        }
        case 'z', 'y', 'x' -> {
          int from = labels.length - 1 - (code == 'z' ? 0 : code == 'y' ? 1 : 2);
          b.append(from >= 0 ? labels[from] : ".");
        }
        default -> b.append('%').append(code);
      }
    }
    return b.toString();
  }

  private static String single(Option o) throws ImportException {
    if (o.values().size() != 1) {
      throw new ImportException(o.where(), o.keyword() + " takes one value");
    }
    return o.values().get(0);
  }

  /** Reads {@code file}'s keywords and values into {@code out}, following {@code include:}. */
  private void tokens(Path file, int depth, Where from, List<Option> out) throws ImportException {
    String text = files.read(file, depth, from);
    Option current = null;
    int line = 1;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char ch = text.charAt(i);
      if (ch == '\n') {
        line++;
        i++;
        continue;
      }
      if (Character.isWhitespace(ch)) {
        i++;
        continue;
      }
      if (ch == '#') {
        while (i < n && text.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      Where where = new Where(file, line);
      String word;
      boolean quoted = ch == '"' || ch == '\'';
      if (quoted) {
        int close = text.indexOf(ch, i + 1);
        if (close < 0) {
          throw new ImportException(where, "quoted string is not closed");
        }
        word = text.substring(i + 1, close);
        line += (int) word.chars().filter(c -> c == '\n').count();
        i = close + 1;
      } else {
        int start = i;
        while (i < n && !Character.isWhitespace(text.charAt(i)) && text.charAt(i) != '#') {
          i++;
        }
        word = text.substring(start, i);
        int colon = word.indexOf(':');
        // "name:example.com" is the keyword and a value, as NSD's lexer reads it
        // (an IPv6 address starts with hex digits and a colon too: "fe80::1" is a value)
        if (colon > 0
            && colon < word.length() - 1
            && word.substring(0, colon).matches("[a-z][a-z0-9-]*")
            && !word.substring(0, colon).matches("[0-9a-f]{1,4}")) {
          i = start + colon + 1;
          word = word.substring(0, colon + 1);
        }
      }
      if (!quoted && word.matches("[a-z][a-z0-9-]*:")) {
        current = new Option(word, new ArrayList<>(), where);
        if (!word.equals("include:")) {
          out.add(current);
        }
        continue;
      }
      if (current == null) {
        throw new ImportException(where, "'" + word + "' before any keyword:");
      }
      if (current.keyword().equals("include:")) {
        include(file, word, depth, where, out);
        current = null;
        continue;
      }
      current.values().add(word);
    }
  }

  private void include(Path from, String name, int depth, Where where, List<Option> out)
      throws ImportException {
    Path pattern = Path.of(name);
    if (!pattern.isAbsolute()) {
      pattern = from.toAbsolutePath().resolveSibling(pattern);
    }
    String last = pattern.getFileName().toString();
    if (!last.contains("*") && !last.contains("?") && !last.contains("[")) {
      tokens(pattern, depth + 1, where, out);
      return;
    }
    List<Path> matched = new ArrayList<>();
    try (DirectoryStream<Path> in = Files.newDirectoryStream(pattern.getParent(), last)) {
      in.forEach(matched::add);
    } catch (IOException e) {
      throw new ImportException(
          where, "cannot list " + pattern.getParent() + ": " + e.getMessage());
    }
    matched.sort(null);
    for (Path p : matched) {
      tokens(p, depth + 1, where, out);
    }
  }
}
