package dev.bulwark.tasks;

/**
 * A point on the earth in WGS 84 degrees: latitude −90..90, longitude −180..180, both finite
 * (validated by {@link TaskRequests}; the table's CHECKs hold the same ranges).
 */
public record Location(double lat, double lon) {
  static final double MAX_LAT = 90;
  static final double MAX_LON = 180;

  static boolean validLat(double v) {
    return Double.isFinite(v) && v >= -MAX_LAT && v <= MAX_LAT;
  }

  static boolean validLon(double v) {
    return Double.isFinite(v) && v >= -MAX_LON && v <= MAX_LON;
  }
}
