package org.cairndns.tools.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamedConfParserTest {
  @TempDir Path dir;

  @Test
  void tokensSkipTheThreeCommentsAndKeepLines() throws Exception {
    List<NamedConfParser.Token> tokens =
        NamedConfParser.tokens(
            Path.of("n.conf"),
            "a // one\n# two\n/* three\nlines */ b \"c \\\" d;{}\" 10.0.0.0/8;\n");
    assertEquals(
        List.of("a", "b", "c \" d;{}", "10.0.0.0/8", ";"),
        tokens.stream().map(NamedConfParser.Token::text).toList());
    assertEquals(List.of(1, 4, 4, 4, 4), tokens.stream().map(t -> t.where().line()).toList());
  }

  @Test
  void statementsNestAndIncludesSplice() throws Exception {
    Files.writeString(dir.resolve("keys.conf"), "key \"k\" { algorithm hmac-sha256; };\n");
    Path conf = dir.resolve("named.conf");
    Files.writeString(
        conf, "include \"keys.conf\";\nzone \"z\" IN { allow-transfer { 192.0.2.1; key k; }; };\n");
    List<NamedConfParser.Statement> statements = new NamedConfParser().parse(conf);
    assertEquals(2, statements.size());
    assertEquals(dir.resolve("keys.conf"), statements.get(0).where().file());
    assertEquals(
        "zone \"z\" IN { allow-transfer { 192.0.2.1; key k; }; }", statements.get(1).toString());
    assertEquals(2, statements.get(1).where().line());
  }

  @Test
  void aStatementWithoutItsSemicolonNamesTheLine() throws Exception {
    Path conf = dir.resolve("named.conf");
    Files.writeString(conf, "options {\n directory \".\"\n};\n");
    ImportException e =
        assertThrows(ImportException.class, () -> new NamedConfParser().parse(conf));
    assertEquals(conf + ":3: missing ; before }", e.getMessage());
  }

  @Test
  void anIncludedFileOverTheBoundIsRefusedNamingTheInclude() throws Exception {
    Path big = dir.resolve("big.conf");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(ConfigFiles.MAX_FILE_BYTES + 1); // sparse: costs no disk
    }
    Path conf = dir.resolve("named.conf");
    Files.writeString(conf, "\ninclude \"big.conf\";\n");
    ImportException e =
        assertThrows(ImportException.class, () -> new NamedConfParser().parse(conf));
    assertEquals(
        conf + ":2: " + big + " is larger than 32 MiB; not a configuration", e.getMessage());
  }

  @Test
  void addressesAreCheckedWithoutAResolver() {
    assertEquals(true, NamedConf.isAddress("192.0.2.1"));
    assertEquals(true, NamedConf.isAddress("2001:db8::1"));
    assertEquals(false, NamedConf.isAddress("192.0.2.256"));
    assertEquals(false, NamedConf.isAddress("ns1.example"));
    assertEquals(true, NamedConf.isNetwork("198.51.100.0/24"));
    assertEquals(false, NamedConf.isNetwork("198.51.100.0/x"));
  }
}
