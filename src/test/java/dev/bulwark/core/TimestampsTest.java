package dev.bulwark.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TimestampsTest {
  @Test
  void parsesRfc3339AndNormalisesToUtcMicroseconds() {
    assertEquals(
        OffsetDateTime.of(2026, 1, 31, 7, 0, 0, 0, ZoneOffset.UTC),
        Timestamps.parse("2026-01-31T09:00:00+02:00").value());
    assertEquals(
        OffsetDateTime.of(2026, 1, 31, 9, 0, 0, 123_456_000, ZoneOffset.UTC),
        Timestamps.parse("2026-01-31t09:00:00.123456789z").value());
    assertEquals(
        OffsetDateTime.of(2026, 1, 31, 10, 30, 0, 0, ZoneOffset.UTC),
        Timestamps.parse("2026-01-31T09:00:00-01:30").value());
    assertEquals(
        OffsetDateTime.of(2026, 1, 31, 7, 0, 0, 0, ZoneOffset.UTC),
        Timestamps.parse("2026-01-31T09:00:00 02:00").value(),
        "a space where the sign belongs is a + that lost its encoding");
  }

  @Test
  void refusesWhatRfc3339DoesNotAllow() {
    for (String bad :
        new String[] {
          "2026-01-31",
          "2026-01-31T09:00Z",
          "2026-01-31T09:00:00",
          "2026-01-31 09:00:00Z",
          "2026-02-29T00:00:00Z",
          "2026-01-31T24:00:00Z",
          "2026-01-31T09:00:00.Z",
          "2026-01-31T09:00:00+0200",
          "2026-01-31T09:00:00+02",
          "+2026-01-31T09:00:00Z",
          "２０２６-01-31T09:00:00Z",
          "",
          "2026-01-31T09:00:00.1234567890Z"
        }) {
      assertEquals(Timestamps.Problem.MALFORMED, Timestamps.parse(bad).problem(), bad);
      assertNull(Timestamps.parse(bad).value(), bad);
    }
    assertEquals(Timestamps.Problem.MALFORMED, Timestamps.parse(null).problem());
  }

  @Test
  void refusesYearsOutsideFourDigitsOnceInUtc() {
    assertEquals(
        Timestamps.Problem.OUT_OF_RANGE, Timestamps.parse("0000-06-01T00:00:00Z").problem());
    assertEquals(
        Timestamps.Problem.OUT_OF_RANGE, Timestamps.parse("0001-01-01T00:00:00+01:00").problem());
    assertEquals(
        Timestamps.Problem.OUT_OF_RANGE, Timestamps.parse("9999-12-31T23:30:00-01:00").problem());
    assertNull(Timestamps.parse("0001-01-01T00:00:00Z").problem());
    assertNull(Timestamps.parse("9999-12-31T23:59:59.999999Z").problem());
  }

  @Test
  void formatsOneFixedUtcForm() {
    assertEquals(
        "2026-01-31T09:00:00.000000Z",
        Timestamps.format(OffsetDateTime.of(2026, 1, 31, 9, 0, 0, 0, ZoneOffset.UTC)));
    assertEquals(
        "2026-01-31T07:00:00.000001Z",
        Timestamps.format(OffsetDateTime.of(2026, 1, 31, 9, 0, 0, 1_999, ZoneOffset.ofHours(2))));
    assertEquals(
        "0001-01-01T00:00:00.999999Z",
        Timestamps.format(OffsetDateTime.of(1, 1, 1, 0, 0, 0, 999_999_000, ZoneOffset.UTC)));
    assertNull(Timestamps.format(null));
    assertEquals(
        "+10000-01-01T00:00:00Z",
        Timestamps.format(OffsetDateTime.of(10000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)),
        "out of four digits falls back to ISO, never garbage");
  }

  @Test
  void microsecondsRoundTrip() {
    OffsetDateTime t = OffsetDateTime.of(1969, 12, 31, 23, 59, 59, 123_456_000, ZoneOffset.UTC);
    assertEquals(t, Timestamps.fromMicros(Timestamps.toMicros(t)));
    OffsetDateTime u = OffsetDateTime.of(2026, 7, 4, 12, 0, 0, 654_321_000, ZoneOffset.UTC);
    assertEquals(u, Timestamps.fromMicros(Timestamps.toMicros(u)));
  }
}
