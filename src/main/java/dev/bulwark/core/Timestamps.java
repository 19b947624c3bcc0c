package dev.bulwark.core;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * Timestamps on the wire: strict RFC 3339 in, one fixed UTC form out ({@code
 * 2026-01-31T09:00:00.123456Z}: always microseconds, PostgreSQL's precision, so equal instants
 * always print equally and sort as strings).
 */
public final class Timestamps {
  /** Years PostgreSQL and RFC 3339's four-digit years both represent. */
  private static final int MIN_YEAR = 1;

  private static final int MAX_YEAR = 9999;

  private Timestamps() {}

  /** Why a timestamp was refused. */
  public enum Problem {
    MALFORMED,
    OUT_OF_RANGE
  }

  /** A parsed timestamp (UTC, truncated to microseconds), or why it is not one. */
  public record Parsed(OffsetDateTime value, Problem problem) {}

  /**
   * Parses {@code YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)} — RFC 3339's date-time, seconds
   * required. A space where the offset's sign belongs is read as {@code +}: an unencoded {@code +}
   * in a query string arrives as a space.
   */
  public static Parsed parse(String s) {
    if (s == null || !wellFormed(s)) {
      return new Parsed(null, Problem.MALFORMED);
    }
    String normalized = s.replace(' ', '+').replace('t', 'T').replace('z', 'Z');
    OffsetDateTime t;
    try {
      t = OffsetDateTime.parse(normalized);
    } catch (DateTimeException e) {
      return new Parsed(null, Problem.MALFORMED);
    }
    OffsetDateTime utc = t.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    if (utc.getYear() < MIN_YEAR || utc.getYear() > MAX_YEAR) {
      return new Parsed(null, Problem.OUT_OF_RANGE);
    }
    return new Parsed(utc, null);
  }

  /**
   * The shape check, so {@link OffsetDateTime#parse}'s leniencies (no seconds, other forms) are
   * refused.
   */
  private static boolean wellFormed(String s) {
    int n = s.length();
    if (n < 20 || n > 35) {
      return false;
    }
    if (!digits(s, 0, 4)
        || s.charAt(4) != '-'
        || !digits(s, 5, 7)
        || s.charAt(7) != '-'
        || !digits(s, 8, 10)
        || (s.charAt(10) != 'T' && s.charAt(10) != 't')
        || !digits(s, 11, 13)
        || s.charAt(13) != ':'
        || !digits(s, 14, 16)
        || s.charAt(16) != ':'
        || !digits(s, 17, 19)) {
      return false;
    }
    int i = 19;
    if (s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      if (i == start || i - start > 9) {
        return false;
      }
    }
    if (i == n - 1) {
      return s.charAt(i) == 'Z' || s.charAt(i) == 'z';
    }
    if (i != n - 6) {
      return false;
    }
    char sign = s.charAt(i);
    return (sign == '+' || sign == '-' || sign == ' ')
        && digits(s, i + 1, i + 3)
        && s.charAt(i + 3) == ':'
        && digits(s, i + 4, i + 6);
  }

  private static boolean digits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** The wire form of an instant; null stays null. */
  public static String format(OffsetDateTime t) {
    if (t == null) {
      return null;
    }
    char[] out = new char[27];
    return write(t, out) ? new String(out) : t.toInstant().toString();
  }

  /**
   * Writes the 27-character wire form into {@code out} without allocating; false (nothing usable
   * written) when the year has no four-digit form.
   */
  public static boolean write(OffsetDateTime t, char[] out) {
    OffsetDateTime utc =
        t.getOffset().equals(ZoneOffset.UTC) ? t : t.withOffsetSameInstant(ZoneOffset.UTC);
    int year = utc.getYear();
    if (year < 0 || year > 9999) {
      return false;
    }
    four(out, 0, year);
    out[4] = '-';
    two(out, 5, utc.getMonthValue());
    out[7] = '-';
    two(out, 8, utc.getDayOfMonth());
    out[10] = 'T';
    two(out, 11, utc.getHour());
    out[13] = ':';
    two(out, 14, utc.getMinute());
    out[16] = ':';
    two(out, 17, utc.getSecond());
    out[19] = '.';
    int micros = utc.getNano() / 1000;
    for (int i = 25; i >= 20; i--) {
      out[i] = (char) ('0' + micros % 10);
      micros /= 10;
    }
    out[26] = 'Z';
    return true;
  }

  /** Epoch microseconds, the unit PostgreSQL stores. */
  public static long toMicros(OffsetDateTime t) {
    return Math.addExact(Math.multiplyExact(t.toEpochSecond(), 1_000_000L), t.getNano() / 1000);
  }

  public static OffsetDateTime fromMicros(long micros) {
    return OffsetDateTime.ofInstant(
        Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L),
        ZoneOffset.UTC);
  }

  private static void two(char[] out, int at, int v) {
    out[at] = (char) ('0' + v / 10);
    out[at + 1] = (char) ('0' + v % 10);
  }

  private static void four(char[] out, int at, int v) {
    out[at] = (char) ('0' + v / 1000);
    out[at + 1] = (char) ('0' + v / 100 % 10);
    out[at + 2] = (char) ('0' + v / 10 % 10);
    out[at + 3] = (char) ('0' + v % 10);
  }
}
