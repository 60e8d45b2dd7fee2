package org.cairndns.zone.master;

import java.util.List;

/** A zone file that cannot be used; every problem names file, line and reason. */
public final class ZoneFileException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<Problem> problems;

  /** One problem in a zone file: {@code file:line: reason}. */
  public record Problem(String file, int line, String reason) {
    @Override
    public String toString() {
      return line > 0 ? file + ":" + line + ": " + reason : file + ": " + reason;
    }
  }

  public ZoneFileException(List<Problem> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  public ZoneFileException(String file, int line, String reason) {
    this(List.of(new Problem(file, line, reason)));
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String render(List<Problem> problems) {
    StringBuilder sb = new StringBuilder(problems.get(0).toString());
    for (int i = 1; i < problems.size(); i++) {
      sb.append('\n').append(problems.get(i));
    }
    return sb.toString();
  }
}
