package org.cairndns.tools.migration;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cairndns.tools.migration.ImportedConfig.Note;
import org.cairndns.tools.migration.ImportedConfig.Where;
import org.cairndns.tools.migration.ImportedConfig.Zone;
import org.cairndns.tools.migration.NamedConfParser.Statement;
import org.cairndns.tools.migration.NamedConfParser.Token;

/**
 * Maps BIND's {@code named.conf} onto Cairn: {@code key}, {@code acl}, {@code primaries}/{@code
 * masters} lists, {@code tls}, {@code options} (its {@code directory} and the zone defaults {@code
 * allow-transfer}, {@code also-notify}, {@code notify}) and {@code zone} statements of type
 * primary/master and secondary/slave. Anything else becomes a note.
 */
final class NamedConf {
  private final ImportedConfig config = new ImportedConfig();
  private final Map<String, List<Statement>> acls = new HashMap<>();
  private final Map<String, Statement> primaryLists = new HashMap<>();
  private final Map<String, ImportedConfig.Tls> tlsClauses = new HashMap<>();
  private final Set<String> keyNames = new HashSet<>();
  private Path directory;
  private Statement allowTransfer;
  private Statement alsoNotify;
  private Statement notify;

  private NamedConf() {}

  static ImportedConfig read(Path file) throws ImportException {
    NamedConf conf = new NamedConf();
    conf.directory = folder(file);
    List<Statement> statements = new NamedConfParser().parse(file);
    // Definitions first: named lets a zone name an acl, key or primaries list defined after it.
    for (Statement s : statements) {
      conf.definition(s);
    }
    for (Statement s : statements) {
      if (s.keyword().equals("zone")) {
        conf.zone(s);
      }
    }
    return conf.config;
  }

  private static Path folder(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? Path.of("/") : parent;
  }

  private void definition(Statement s) throws ImportException {
    switch (s.keyword()) {
      case "options" -> options(s);
      case "key" -> key(s);
      case "acl" -> acls.put(name(s), block(s));
      case "primaries", "masters" -> primaryLists.put(name(s), s);
      case "tls" -> tls(s);
      case "zone" -> {} // after the definitions
      default ->
          config.notes.add(
              new Note(s.where(), s.keyword() + " statement not imported: " + brief(s)));
    }
  }

  private void options(Statement s) throws ImportException {
    for (Statement o : block(s)) {
      switch (o.keyword()) {
        case "directory" -> {
          Path dir = Path.of(argument(o));
          directory = (dir.isAbsolute() ? dir : directory.resolve(dir)).normalize();
        }
        case "allow-transfer" -> allowTransfer = o;
        case "also-notify" -> alsoNotify = o;
        case "notify" -> notify = o;
        default -> config.notes.add(new Note(o.where(), "options: " + brief(o) + " not imported"));
      }
    }
  }

  private void key(Statement s) throws ImportException {
    String name = name(s);
    String algorithm = null;
    String secret = null;
    for (Statement k : block(s)) {
      switch (k.keyword()) {
        case "algorithm" -> algorithm = argument(k).toLowerCase(Locale.ROOT);
        case "secret" -> secret = argument(k);
        default ->
            config.notes.add(
                new Note(k.where(), "key " + name + ": " + brief(k) + " not imported"));
      }
    }
    if (algorithm == null || secret == null) {
      throw new ImportException(s.where(), "key " + name + " needs an algorithm and a secret");
    }
    if (keyNames.add(name)) {
      config.keys.add(new ImportedConfig.TsigKey(name, algorithm, secret));
    } else {
      throw new ImportException(s.where(), "key " + name + " is defined twice");
    }
  }

  private void tls(Statement s) throws ImportException {
    String name = name(s);
    Path ca = null;
    String host = null;
    Path cert = null;
    Path key = null;
    for (Statement t : block(s)) {
      switch (t.keyword()) {
        case "ca-file" -> ca = path(argument(t));
        case "remote-hostname" -> host = argument(t);
        case "cert-file" -> cert = path(argument(t));
        case "key-file" -> key = path(argument(t));
        default ->
            config.notes.add(
                new Note(t.where(), "tls " + name + ": " + brief(t) + " not imported"));
      }
    }
    tlsClauses.put(name, new ImportedConfig.Tls(ca, host, cert, key));
  }

  private void zone(Statement s) throws ImportException {
    List<Token> w = s.words();
    if (w.size() < 2) {
      throw new ImportException(s.where(), "zone without a name");
    }
    String name = w.get(1).text();
    Where where = s.where();
    if (w.size() > 3 || (w.size() == 3 && !w.get(2).text().equalsIgnoreCase("in"))) {
      config.notes.add(
          new Note(where, "zone " + name + " of class " + w.get(2).text() + " not imported"));
      return;
    }
    String type = null;
    for (Statement z : block(s)) {
      if (z.keyword().equals("type")) {
        type = argument(z);
      }
    }
    if (type == null) {
      throw new ImportException(where, "zone " + name + " has no type");
    }
    boolean secondary;
    switch (type) {
      case "primary", "master" -> secondary = false;
      case "secondary", "slave" -> secondary = true;
      default -> {
        config.notes.add(
            new Note(
                where,
                "zone "
                    + name
                    + " of type "
                    + type
                    + " not imported (Cairn serves primary and secondary zones)"));
        return;
      }
    }
    Zone zone = new Zone(name, where, secondary);
    Statement zoneAllow = allowTransfer;
    Statement zoneAlso = alsoNotify;
    Statement zoneNotify = notify;
    for (Statement z : block(s)) {
      switch (z.keyword()) {
        case "type" -> {}
        case "file" -> {
          if (secondary) {
            zone.notes.add(
                new Note(
                    z.where(),
                    "file (named's copy of the transfers) not needed: Cairn keeps them in its store"));
          } else {
            zone.file = path(argument(z));
          }
        }
        case "primaries", "masters" -> primaries(z, zone, 0);
        case "allow-transfer" -> zoneAllow = z;
        case "also-notify" -> zoneAlso = z;
        case "notify" -> zoneNotify = z;
        case "allow-notify" ->
            zone.notes.add(
                new Note(
                    z.where(),
                    brief(z) + " not imported: Cairn takes NOTIFY from the zone's primaries only"));
        default -> zone.notes.add(new Note(z.where(), brief(z) + " not imported"));
      }
    }
    if (!secondary && zone.file == null) {
      throw new ImportException(where, "primary zone " + name + " has no file");
    }
    if (secondary && zone.primaries.isEmpty()) {
      config.notes.add(
          new Note(
              where, "secondary zone " + name + " not imported: none of its primaries could be"));
      return;
    }
    if (zoneAllow != null && hasNegation(block(zoneAllow), 0)) {
      zone.notes.add(
          new Note(
              zoneAllow.where(),
              brief(zoneAllow)
                  + " not imported: Cairn cannot express its negation (!), and the list without it would allow more; nobody may transfer until allow-transfer is written by hand"));
    } else if (zoneAllow == null) {
      zone.notes.add(
          new Note(
              where, "no allow-transfer: named's default is any; Cairn's is nobody, kept here"));
    } else {
      allowTransfer(zoneAllow, zone, 0);
    }
    String notifyMode = zoneNotify == null ? "yes" : argument(zoneNotify);
    switch (notifyMode) {
      case "yes", "true", "1" -> {
        zone.notifyNs = true;
        notifyTargets(zoneAlso, zone);
      }
      case "explicit" -> notifyTargets(zoneAlso, zone);
      case "no", "false", "0" -> {
        if (zoneAlso != null) {
          zone.notes.add(new Note(zoneAlso.where(), brief(zoneAlso) + " not imported: notify no"));
        }
      }
      case "primary-only", "master-only" -> {
        if (!secondary) {
          zone.notifyNs = true;
          notifyTargets(zoneAlso, zone);
        }
      }
      default -> zone.notes.add(new Note(zoneNotify.where(), brief(zoneNotify) + " not imported"));
    }
    config.add(zone);
  }

  /** {@code primaries [port N] { ADDR [port N] [key K] [tls T]; LIST; ... };} */
  private void primaries(Statement s, Zone zone, int depth) throws ImportException {
    int port = port(s.words(), 1, 53);
    for (Statement p : block(s)) {
      Statement list = primaryLists.get(p.keyword());
      if (list != null && p.words().size() == 1) {
        if (depth >= ConfigFiles.MAX_DEPTH) {
          throw new ImportException(
              p.where(), "primaries list " + p.keyword() + " nested too deep (a loop?)");
        }
        primaries(list, zone, depth + 1);
        continue;
      }
      String address = p.keyword();
      if (!isAddress(address)) {
        zone.notes.add(
            new Note(
                p.where(),
                "primary " + brief(p) + " not imported: not an address or a primaries list"));
        continue;
      }
      int entryPort = port(p.words(), 1, port);
      String key = option(p.words(), "key");
      String tlsName = option(p.words(), "tls");
      ImportedConfig.Tls tls = null;
      if (key != null && !keyNames.contains(key)) {
        throw new ImportException(
            p.where(), "primary " + address + " names key " + key + ", which is not defined");
      }
      if (tlsName != null && !tlsName.equals("none")) {
        tls = tlsClauses.get(tlsName);
        if (tls == null) {
          tls = new ImportedConfig.Tls(null, null, null, null); // ephemeral: unauthenticated TLS
        }
        if (tls.ca() == null || tls.name() == null) {
          zone.notes.add(
              new Note(
                  p.where(),
                  "primary "
                      + address
                      + ": tls "
                      + tlsName
                      + " has no ca-file and remote-hostname to authenticate by: imported as opportunistic-tls (TLS when the primary offers it, unauthenticated)"));
        }
        if (entryPort == 53 && option(p.words(), "port") == null && port == 53) {
          entryPort = 853;
        }
      }
      zone.primaries.add(new ImportedConfig.Primary(address, entryPort, key, tls));
    }
  }

  /** An address match list: addresses, networks, keys, the words any and none, and acl names. */
  private void allowTransfer(Statement s, Zone zone, int depth) throws ImportException {
    if (s.words().size() > 1) {
      zone.notes.add(
          new Note(
              s.where(),
              "allow-transfer's "
                  + s.words().get(1).text()
                  + " ... not imported: the ACL is read without it"));
    }
    for (Statement e : block(s)) {
      String first = e.keyword();
      List<Statement> acl = acls.get(first);
      if (acl != null && e.words().size() == 1) {
        if (depth >= ConfigFiles.MAX_DEPTH) {
          throw new ImportException(e.where(), "acl " + first + " nested too deep (a loop?)");
        }
        allowTransfer(new Statement(s.words(), acl), zone, depth + 1);
        continue;
      }
      if (first.equals("key") && e.words().size() == 2 && e.block() == null) {
        String key = e.words().get(1).text();
        if (!keyNames.contains(key)) {
          throw new ImportException(
              e.where(), "allow-transfer names key " + key + ", which is not defined");
        }
        zone.allowTransfer.add(new ImportedConfig.TransferRule(null, key));
      } else if (first.equals("any") && e.words().size() == 1) {
        zone.allowTransfer.add(new ImportedConfig.TransferRule("0.0.0.0/0", null));
        zone.allowTransfer.add(new ImportedConfig.TransferRule("::/0", null));
      } else if (first.equals("none") && e.words().size() == 1) {
        // allows nobody, as an empty Cairn list
      } else if (e.words().size() == 1 && e.block() == null && isNetwork(first)) {
        zone.allowTransfer.add(new ImportedConfig.TransferRule(first, null));
      } else {
        zone.notes.add(
            new Note(
                e.where(),
                "allow-transfer element "
                    + brief(e)
                    + " not imported (Cairn lists addresses, networks and keys that are allowed; no negation, localhost or localnets)"));
      }
    }
  }

  /** Whether an address match list, or an acl it names, excludes anything with {@code !}. */
  private boolean hasNegation(List<Statement> list, int depth) {
    for (Statement e : list) {
      List<Statement> acl = acls.get(e.keyword());
      if (e.keyword().startsWith("!")
          || (e.block() != null
              && depth < ConfigFiles.MAX_DEPTH
              && hasNegation(e.block(), depth + 1))
          || (acl != null && depth < ConfigFiles.MAX_DEPTH && hasNegation(acl, depth + 1))) {
        return true;
      }
    }
    return false;
  }

  private void notifyTargets(Statement also, Zone zone) throws ImportException {
    if (also == null) {
      return;
    }
    notifyTargets(also, zone, port(also.words(), 1, 53), 0);
    Set<String> keys = new HashSet<>();
    zone.notify.forEach(t -> keys.add(String.valueOf(t.key())));
    if (keys.size() > 1) {
      zone.notes.add(
          new Note(
              also.where(),
              "also-notify signs with different keys per target; Cairn signs every NOTIFY of a zone with one notify-key, the first given"));
    }
  }

  private void notifyTargets(Statement also, Zone zone, int port, int depth)
      throws ImportException {
    for (Statement t : block(also)) {
      Statement list = primaryLists.get(t.keyword());
      if (list != null && t.words().size() == 1) {
        if (depth >= ConfigFiles.MAX_DEPTH) {
          throw new ImportException(
              t.where(), "list " + t.keyword() + " nested too deep (a loop?)");
        }
        notifyTargets(list, zone, port(list.words(), 1, port), depth + 1);
        continue;
      }
      if (!isAddress(t.keyword()) || option(t.words(), "tls") != null) {
        zone.notes.add(new Note(t.where(), "also-notify target " + brief(t) + " not imported"));
        continue;
      }
      String key = option(t.words(), "key");
      if (key != null && !keyNames.contains(key)) {
        throw new ImportException(
            t.where(), "also-notify names key " + key + ", which is not defined");
      }
      zone.notify.add(new ImportedConfig.NotifyTarget(t.keyword(), port(t.words(), 1, port), key));
    }
  }

  /** The value after {@code word} in {@code words}, or null. */
  private static String option(List<Token> words, String word) {
    for (int i = 1; i + 1 < words.size(); i++) {
      if (words.get(i).text().equals(word) && !words.get(i).quoted()) {
        return words.get(i + 1).text();
      }
    }
    return null;
  }

  private static int port(List<Token> words, int from, int otherwise) throws ImportException {
    for (int i = from; i + 1 < words.size(); i++) {
      if (words.get(i).text().equals("port")) {
        Token value = words.get(i + 1);
        try {
          int port = Integer.parseInt(value.text());
          if (port >= 1 && port <= 65535) {
            return port;
          }
        } catch (NumberFormatException e) {
          // said below
        }
        throw new ImportException(value.where(), "not a port: " + value.text());
      }
    }
    return otherwise;
  }

  /** An IPv4 or IPv6 literal, checked without a resolver (InetAddress would look a bad one up). */
  static boolean isAddress(String text) {
    if (text.contains(":")) {
      return text.matches("[0-9A-Fa-f:.]+") && text.length() <= 45;
    }
    String[] octets = text.split("\\.", -1);
    if (octets.length != 4) {
      return false;
    }
    for (String o : octets) {
      if (!o.matches("[0-9]{1,3}") || Integer.parseInt(o) > 255) {
        return false;
      }
    }
    return true;
  }

  static boolean isNetwork(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return isAddress(text);
    }
    return isAddress(text.substring(0, slash)) && text.substring(slash + 1).matches("[0-9]{1,3}");
  }

  private Path path(String text) {
    Path p = Path.of(text);
    return (p.isAbsolute() ? p : directory.resolve(p)).normalize();
  }

  private static String name(Statement s) throws ImportException {
    if (s.words().size() < 2) {
      throw new ImportException(s.where(), s.keyword() + " needs a name");
    }
    return s.words().get(1).text();
  }

  private static List<Statement> block(Statement s) throws ImportException {
    if (s.block() == null) {
      throw new ImportException(s.where(), s.keyword() + " needs a { ... } block");
    }
    return s.block();
  }

  private static String argument(Statement s) throws ImportException {
    if (s.words().size() != 2 || s.block() != null) {
      throw new ImportException(s.where(), s.keyword() + " takes one value");
    }
    return s.words().get(1).text();
  }

  /** A statement shortened for a note: long blocks (logging, views) are not worth repeating. */
  private static String brief(Statement s) {
    String text = s.toString();
    return text.length() <= 120 ? text : text.substring(0, 117) + "...";
  }
}
