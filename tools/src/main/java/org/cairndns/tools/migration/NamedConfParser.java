package org.cairndns.tools.migration;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * BIND's {@code named.conf} syntax, read as named reads it: comments ({@code //}, {@code #}, {@code
 * /* *}{@code /}), quoted strings, and statements made of words, optionally a {@code { ... }} block
 * of statements, and a closing {@code ;}. {@code include "FILE";} is replaced by the statements of
 * FILE (relative to the including file's folder). Errors name file and line.
 */
final class NamedConfParser {
  /** Blocks inside blocks: named.conf needs three or four; the bound keeps recursion shallow. */
  static final int MAX_NESTING = 32;

  /** A word or quoted string, where it was read. */
  record Token(String text, boolean quoted, ImportedConfig.Where where) {
    boolean is(String punctuation) {
      return !quoted && text.equals(punctuation);
    }
  }

  /** {@code words... [{ block }] ;}; {@code block} is null when the statement has none. */
  record Statement(List<Token> words, List<Statement> block) {
    ImportedConfig.Where where() {
      return words.get(0).where();
    }

    String keyword() {
      return words.get(0).text();
    }

    /** The statement as written, on one line, for notes: {@code allow-notify { ... }}. */
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder();
      for (Token t : words) {
        if (b.length() > 0) {
          b.append(' ');
        }
        b.append(t.quoted() ? '"' + t.text() + '"' : t.text());
      }
      if (block != null) {
        b.append(" { ");
        for (Statement s : block) {
          b.append(s).append("; ");
        }
        b.append('}');
      }
      return b.toString();
    }
  }

  private final ConfigFiles files = new ConfigFiles();

  /** The statements of {@code file} with its includes spliced in. */
  List<Statement> parse(Path file) throws ImportException {
    return parseFile(file, 0, null);
  }

  private List<Statement> parseFile(Path file, int depth, ImportedConfig.Where from)
      throws ImportException {
    String text = files.read(file, depth, from);
    Cursor c = new Cursor(tokens(file, text), file);
    List<Statement> out = new ArrayList<>();
    statements(c, out, depth, 0, false);
    return out;
  }

  private void statements(Cursor c, List<Statement> out, int depth, int nesting, boolean inBlock)
      throws ImportException {
    while (true) {
      Token t = c.peek();
      if (t == null) {
        if (inBlock) {
          throw new ImportException(c.end(), "unexpected end of file: a { is not closed");
        }
        return;
      }
      if (t.is("}")) {
        if (!inBlock) {
          throw new ImportException(t.where(), "} without a matching {");
        }
        return;
      }
      if (t.is(";")) { // an empty statement, which named accepts
        c.next();
        continue;
      }
      Statement s = statement(c, depth, nesting);
      if (s.keyword().equals("include") && s.block() == null && !s.words().get(0).quoted()) {
        if (s.words().size() != 2) {
          throw new ImportException(s.where(), "include takes one file name");
        }
        Path included = c.file.resolveSibling(s.words().get(1).text());
        out.addAll(parseFile(included, depth + 1, s.where()));
      } else {
        out.add(s);
      }
    }
  }

  private Statement statement(Cursor c, int depth, int nesting) throws ImportException {
    List<Token> words = new ArrayList<>();
    List<Statement> block = null;
    while (true) {
      Token t = c.next();
      if (t == null) {
        throw new ImportException(
            c.end(), "unexpected end of file: missing ; after " + describe(words));
      }
      if (t.is(";")) {
        return new Statement(words, block); // words: statements() starts one at a word or {
      }
      if (block != null) {
        throw new ImportException(
            t.where(), "missing ; after the } of " + describe(words) + " (found " + t.text() + ")");
      }
      if (t.is("{")) {
        if (nesting + 1 > MAX_NESTING) {
          throw new ImportException(t.where(), "blocks nested deeper than " + MAX_NESTING);
        }
        if (words.isEmpty()) { // an anonymous list, as in allow-transfer { { a; b; }; };
          words.add(new Token("{}", false, t.where()));
        }
        block = new ArrayList<>();
        statements(c, block, depth, nesting + 1, true);
        c.next(); // the closing }
        continue;
      }
      if (t.is("}")) {
        throw new ImportException(t.where(), "missing ; before }");
      }
      words.add(t);
    }
  }

  private static String describe(List<Token> words) {
    return words.isEmpty() ? "a statement" : "'" + words.get(0).text() + "'";
  }

  /** Splits named.conf text into words, strings and the punctuation { } ;. */
  static List<Token> tokens(Path file, String text) throws ImportException {
    List<Token> out = new ArrayList<>();
    int line = 1;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char ch = text.charAt(i);
      if (ch == '\n') {
        line++;
        i++;
      } else if (Character.isWhitespace(ch)) {
        i++;
      } else if (ch == '#' || (ch == '/' && i + 1 < n && text.charAt(i + 1) == '/')) {
        while (i < n && text.charAt(i) != '\n') {
          i++;
        }
      } else if (ch == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        int start = line;
        int close = text.indexOf("*/", i + 2);
        if (close < 0) {
          throw new ImportException(
              new ImportedConfig.Where(file, start), "comment /* is not closed");
        }
        line += count(text, i, close, '\n');
        i = close + 2;
      } else if (ch == '"') {
        int start = line;
        StringBuilder b = new StringBuilder();
        i++;
        while (true) {
          if (i >= n) {
            throw new ImportException(
                new ImportedConfig.Where(file, start), "quoted string is not closed");
          }
          char s = text.charAt(i++);
          if (s == '"') {
            break;
          }
          if (s == '\\' && i < n) { // named keeps the escaped character
            s = text.charAt(i++);
          }
          if (s == '\n') {
            line++;
          }
          b.append(s);
        }
        out.add(new Token(b.toString(), true, new ImportedConfig.Where(file, start)));
      } else if (ch == '{' || ch == '}' || ch == ';') {
        out.add(new Token(String.valueOf(ch), false, new ImportedConfig.Where(file, line)));
        i++;
      } else {
        int start = i;
        while (i < n && !isDelimiter(text, i)) {
          i++;
        }
        out.add(new Token(text.substring(start, i), false, new ImportedConfig.Where(file, line)));
      }
    }
    return out;
  }

  private static boolean isDelimiter(String text, int i) {
    char ch = text.charAt(i);
    return Character.isWhitespace(ch)
        || ch == '{'
        || ch == '}'
        || ch == ';'
        || ch == '"'
        || ch == '#'
        || (ch == '/'
            && i + 1 < text.length()
            && (text.charAt(i + 1) == '/' || text.charAt(i + 1) == '*'));
  }

  private static int count(String text, int from, int to, char ch) {
    int c = 0;
    for (int i = from; i < to; i++) {
      if (text.charAt(i) == ch) {
        c++;
      }
    }
    return c;
  }

  /** The tokens of one file, read in order. */
  private static final class Cursor {
    private final List<Token> tokens;
    private final Path file;
    private int next;

    Cursor(List<Token> tokens, Path file) {
      this.tokens = tokens;
      this.file = file;
    }

    Token peek() {
      return next < tokens.size() ? tokens.get(next) : null;
    }

    Token next() {
      return next < tokens.size() ? tokens.get(next++) : null;
    }

    ImportedConfig.Where end() {
      return tokens.isEmpty()
          ? new ImportedConfig.Where(file, 1)
          : tokens.get(tokens.size() - 1).where();
    }
  }
}
