package org.cairndns.server.config;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cairndns.xfr.acl.TransferPolicy;
import org.xbill.DNS.NSIDOption;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** The types configuration values are written in, each with its check and its error message. */
final class ValueTypes {
  private static final Pattern DURATION_TEXT = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern SIZE_TEXT = Pattern.compile("(\\d+)([kmg]?)");
  private static final Pattern HEX_128 = Pattern.compile("[0-9a-f]{32}");

  private ValueTypes() {}

  static ValueType<Integer> integer(int min, int max) {
    return type(
        "integer " + min + "–" + max,
        (raw, key, source) -> {
          if (!(raw instanceof Integer i) || i < min || i > max) {
            throw source.error(
                key,
                "expected a whole number from " + min + " to " + max + ", got \"" + raw + "\"");
          }
          return i;
        });
  }

  /** A whole number of at least 1, as large as a long. */
  static final ValueType<Long> COUNT =
      type(
          "integer ≥ 1",
          (raw, key, source) -> {
            if (!(raw instanceof Integer || raw instanceof Long)
                || ((Number) raw).longValue() < 1) {
              throw source.error(key, "expected a whole number of at least 1, got \"" + raw + "\"");
            }
            return ((Number) raw).longValue();
          });

  /** Bytes: a whole number, or one with a k, m or g suffix (KiB, MiB, GiB), at least 1. */
  static final ValueType<Long> SIZE =
      type(
          "size ≥ 1 (k, m, g)",
          (raw, key, source) -> {
            Matcher matcher =
                SIZE_TEXT.matcher(String.valueOf(raw).trim().toLowerCase(Locale.ROOT));
            if (matcher.matches()) {
              try {
                long bytes =
                    Math.multiplyExact(
                        Long.parseLong(matcher.group(1)),
                        switch (matcher.group(2)) {
                          case "k" -> 1L << 10;
                          case "m" -> 1L << 20;
                          case "g" -> 1L << 30;
                          default -> 1L;
                        });
                if (bytes >= 1) {
                  return bytes;
                }
              } catch (ArithmeticException | NumberFormatException tooBig) {
                // reported below
              }
            }
            throw source.error(
                key,
                "expected a size in bytes of at least 1, like 1048576, 512k, 64m or 1g, got \""
                    + raw
                    + "\"");
          });

  /** {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}. */
  static final ValueType<Duration> DURATION = type("duration", ValueTypes::duration);

  /** A duration that is not 0: a limit of nothing would cut off everything it limits. */
  static final ValueType<Duration> POSITIVE_DURATION =
      type(
          "duration > 0",
          (raw, key, source) -> {
            Duration d = duration(raw, key, source);
            if (d.isZero()) {
              throw source.error(key, "must be longer than 0");
            }
            return d;
          });

  static final ValueType<Boolean> BOOLEAN =
      type(
          "boolean",
          (raw, key, source) -> {
            if (!(raw instanceof Boolean b)) {
              throw source.error(key, "expected true or false, got \"" + raw + "\"");
            }
            return b;
          });

  static final ValueType<String> TEXT = type("text", ValueTypes::text);

  /** A 128-bit secret: 32 hex digits, quoted so that YAML keeps them text. */
  static final ValueType<String> SECRET_128 =
      type(
          "32 hex digits",
          (raw, key, source) -> {
            String hex = text(raw, key, source).trim().toLowerCase(Locale.ROOT);
            if (!HEX_128.matcher(hex).matches()) {
              throw source.error(
                  key, "expected 16 bytes as 32 hex digits in quotes, got \"" + raw + "\"");
            }
            return hex;
          });

  /** Resolved against the configuration file's folder. */
  static final ValueType<Path> PATH =
      type("path", (raw, key, source) -> source.resolve(text(raw, key, source)));

  static final ValueType<InetSocketAddress> ADDRESS = type("address", ValueTypes::address);

  /** An address whose port, when left out, the loader works out from other keys. */
  static final ValueType<String> ADDRESS_PORT_OPTIONAL =
      type("address, port optional", ValueTypes::text);

  /** One address or a list of them. */
  static final ValueType<List<InetSocketAddress>> ADDRESSES =
      type(
          "address or list of addresses",
          (raw, key, source) -> {
            List<InetSocketAddress> out = new ArrayList<>();
            for (Object item : raw instanceof List<?> l ? l : List.of(raw)) {
              out.add(address(item, key, source));
            }
            return out;
          });

  static final ValueType<Name> DOMAIN_NAME = name("domain name", "not a domain name: ");

  /** The name of a TSIG key; whether {@code tsig-keys} has it is the loader's check. */
  static final ValueType<Name> KEY_NAME = name("TSIG key name", "not a key name: ");

  /** An address or a network, {@code 192.0.2.0/24}. */
  static final ValueType<TransferPolicy.Cidr> NETWORK =
      type(
          "address or CIDR",
          (raw, key, source) -> {
            try {
              return TransferPolicy.Cidr.parse(text(raw, key, source));
            } catch (IllegalArgumentException e) {
              throw source.error(key, e.getMessage());
            }
          });

  /** The most an NSID may hold: it rides on every answer to a query asking for it. */
  static final int NSID_MAX_BYTES = 128;

  /**
   * An NSID (RFC 5001) as Knot writes it: text (its UTF-8 bytes), or hex after {@code 0x}. Only a
   * YAML string: YAML reads an unquoted {@code 0x0a} as the number 10, its digits lost.
   */
  static final ValueType<NSIDOption> NSID =
      type(
          "text or 0x hex",
          (raw, key, source) -> {
            if (!(raw instanceof String text)) {
              throw source.error(
                  key, "expected text, got \"" + raw + "\"; quote it (hex as \"0x...\")");
            }
            byte[] data;
            if (text.startsWith("0x") || text.startsWith("0X")) {
              try {
                data = HexFormat.of().parseHex(text.substring(2));
              } catch (IllegalArgumentException e) {
                throw source.error(key, "not hex after 0x: \"" + text + "\"");
              }
            } else {
              data = text.getBytes(StandardCharsets.UTF_8);
            }
            if (data.length == 0 || data.length > NSID_MAX_BYTES) {
              throw source.error(
                  key, "expected 1 to " + NSID_MAX_BYTES + " bytes, got " + data.length);
            }
            return new NSIDOption(data);
          });

  /**
   * @param what what the items are, for the error
   */
  static ValueType<List<String>> textList(String what) {
    return type(
        "list of text",
        (raw, key, source) -> {
          if (!(raw instanceof List<?> list)) {
            throw source.error(key, "expected a list of " + what);
          }
          return list.stream().map(String::valueOf).toList();
        });
  }

  /** One word of a closed set, each word standing for one of {@code choices}. */
  static <E> ValueType<E> oneOf(List<E> choices, Function<E, String> word) {
    String words = alternatives(choices, word, " or ");
    return type(
        words,
        (raw, key, source) -> {
          for (E choice : choices) {
            if (word.apply(choice).equals(text(raw, key, source))) {
              return choice;
            }
          }
          throw source.error(key, "expected " + words + ", got \"" + raw + "\"");
        });
  }

  /** A list of words of a closed set, at least one. */
  static <E> ValueType<Set<E>> setOf(List<E> choices, Function<E, String> word) {
    ValueType<E> one = oneOf(choices, word);
    String words = alternatives(choices, word, " and/or ");
    return type(
        "list of " + words,
        (raw, key, source) -> {
          if (!(raw instanceof List<?> list) || list.isEmpty()) {
            throw source.error(key, "expected a list of " + words);
          }
          Set<E> out = new LinkedHashSet<>();
          for (Object item : list) {
            out.add(one.read(item, key, source));
          }
          return out;
        });
  }

  /** A nested mapping of {@code section}'s keys. */
  static ValueType<Values> mapping(Section section) {
    return new Mapping(section);
  }

  /** A list of mappings of {@code section}'s keys. */
  static ValueType<List<Values>> listOf(Section section) {
    return type(
        "list of mappings",
        (raw, key, source) -> {
          if (!(raw instanceof List<?> list)) {
            throw source.error(key, "expected a list");
          }
          List<Values> out = new ArrayList<>();
          for (int i = 0; i < list.size(); i++) {
            out.add(Values.read(list.get(i), key + "[" + i + "]", section, source));
          }
          return out;
        });
  }

  /**
   * One item or a list of them, each a mapping of {@code section}'s keys or, alone, the value of
   * its {@code shorthand} key.
   */
  static ValueType<List<Values>> itemsOf(Section section, String shorthand) {
    return type(
        shorthand + " or mapping, or a list of these",
        (raw, key, source) -> {
          List<Values> out = new ArrayList<>();
          List<?> items = raw instanceof List<?> l ? l : List.of(raw);
          for (int i = 0; i < items.size(); i++) {
            String at = key + "[" + i + "]";
            Object item = items.get(i);
            out.add(
                item instanceof Map
                    ? Values.read(item, at, section, source)
                    : Values.shorthand(item, at, section, shorthand, source));
          }
          return out;
        });
  }

  /** A section of the file; docs/configuration.md lists its keys rather than it. */
  record Mapping(Section section) implements ValueType<Values> {
    @Override
    public Values read(Object raw, String key, Source source) throws ConfigException {
      return Values.read(raw, key, section, source);
    }

    @Override
    public String describe() {
      return "mapping";
    }
  }

  /**
   * {@code bytes} as the file would write it, with the largest suffix that divides it: {@code
   * 256m}.
   */
  static String sizeText(long bytes) {
    for (int shift = 30; shift > 0; shift -= 10) {
      if (bytes >= 1L << shift && bytes % (1L << shift) == 0) {
        return (bytes >> shift) + "gmk".substring(3 - shift / 10, 4 - shift / 10);
      }
    }
    return Long.toString(bytes);
  }

  /**
   * {@code duration} as the file would write it, in the largest unit that divides it: {@code 2h}.
   */
  static String durationText(Duration duration) {
    long ms = duration.toMillis();
    return ms % 3_600_000 == 0
        ? ms / 3_600_000 + "h"
        : ms % 60_000 == 0 ? ms / 60_000 + "m" : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** Checks one raw value; {@link #type} makes it a {@link ValueType}. */
  @FunctionalInterface
  private interface Reader<T> {
    T read(Object raw, String key, Source source) throws ConfigException;
  }

  private static <T> ValueType<T> type(String description, Reader<T> reader) {
    return new ValueType<>() {
      @Override
      public T read(Object raw, String key, Source source) throws ConfigException {
        return reader.read(raw, key, source);
      }

      @Override
      public String describe() {
        return description;
      }
    };
  }

  private static <E> String alternatives(List<E> choices, Function<E, String> word, String last) {
    List<String> words = choices.stream().map(word).toList();
    return words.size() == 1
        ? words.get(0)
        : String.join(", ", words.subList(0, words.size() - 1))
            + last
            + words.get(words.size() - 1);
  }

  private static ValueType<Name> name(String description, String problem) {
    return type(
        description,
        (raw, key, source) -> {
          try {
            return Name.fromString(text(raw, key, source), Name.root);
          } catch (TextParseException e) {
            throw source.error(key, problem + e.getMessage());
          }
        });
  }

  private static String text(Object raw, String key, Source source) throws ConfigException {
    if (raw instanceof Map || raw instanceof List) {
      throw source.error(key, "expected a single value");
    }
    return String.valueOf(raw);
  }

  private static InetSocketAddress address(Object raw, String key, Source source)
      throws ConfigException {
    try {
      return ConfigLoader.parseAddress(String.valueOf(raw));
    } catch (IllegalArgumentException e) {
      throw source.error(
          key, "expected ADDRESS:PORT like 127.0.0.1:53 or [::1]:53: " + e.getMessage());
    }
  }

  private static Duration duration(Object raw, String key, Source source) throws ConfigException {
    Matcher matcher = DURATION_TEXT.matcher(String.valueOf(raw).trim());
    if (!matcher.matches()) {
      throw source.error(
          key, "expected a duration like 10s, 500ms, 5m, 1h or 7d, got \"" + raw + "\"");
    }
    try {
      long n = Long.parseLong(matcher.group(1));
      return switch (matcher.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    } catch (NumberFormatException | ArithmeticException tooLong) {
      throw source.error(key, "duration \"" + raw + "\" is too long");
    }
  }
}
