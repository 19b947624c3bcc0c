package bulwark.load;

import java.time.Duration;

/**
 * Every knob of a run is a system property ({@code -Drps=2000}); each simulation passes its own defaults. Common:
 * {@code baseUrl}, {@code usersFile} (the CSV written by {@code bulwark.jar seed}), {@code users}, {@code rps},
 * {@code duration} and {@code ramp} (seconds), and the thresholds {@code p95Ms}, {@code p99Ms}, {@code maxFailedPct}.
 */
final class Params {
  private Params() {
  }

  static String baseUrl() {
    return string("baseUrl", "http://127.0.0.1:8080");
  }

  static String usersFile() {
    return string("usersFile", "data/users.csv");
  }

  static String string(String name, String fallback) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  static int integer(String name, int fallback) {
    return Integer.parseInt(string(name, Integer.toString(fallback)));
  }

  static double decimal(String name, double fallback) {
    return Double.parseDouble(string(name, Double.toString(fallback)));
  }

  static Duration seconds(String name, int fallback) {
    return Duration.ofSeconds(integer(name, fallback));
  }

  /** What a run was asked to do, printed first so a report says what it measured. */
  static void announce(String simulation, String details) {
    System.out.println("== " + simulation + " against " + baseUrl() + ": " + details);
  }
}
