package dev.bulwark.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Task attachments: where their bytes are kept, which types and sizes are taken, and the limits
 * that keep one user (or one slow client) from holding the server: a storage quota and a count per
 * task, concurrent uploads per user, a deadline per upload and a minimum transfer rate.
 */
public record StorageConfig(
    Backend backend,
    Path localPath,
    long maxFileSize,
    Set<String> allowedTypes,
    boolean keepImageMetadata,
    long quotaPerUser,
    int maxPerTask,
    int concurrentUploadsPerUser,
    Duration uploadDeadline,
    long minBytesPerSecond,
    Duration rateWindow,
    Duration sweepInterval) {

  /** Where attachment bytes live. */
  public enum Backend {
    LOCAL
  }

  /** The types the sniffer recognises, by MIME type, with the short names an operator may use. */
  public static final Map<String, String> KNOWN_TYPES =
      Map.of(
          "jpeg", "image/jpeg",
          "jpg", "image/jpeg",
          "png", "image/png",
          "webp", "image/webp",
          "heic", "image/heic",
          "pdf", "application/pdf");

  /** Never served, whatever the configuration says: they run script in a browser, or code. */
  private static final Set<String> NEVER =
      Set.of(
          "svg", "image/svg+xml", "html", "text/html", "application/xhtml+xml", "text/javascript");

  static StorageConfig read(ConfigReader r, Path dataDir) {
    String local = r.optionalString("storage.localPath");
    List<String> types = r.list("storage.allowedTypes");
    return new StorageConfig(
        r.oneOf("storage.backend", Backend.class, Backend.LOCAL),
        local == null
            ? dataDir.resolve("attachments")
            : Path.of(local).toAbsolutePath().normalize(),
        r.bytes("storage.maxFileSize", 10L * 1024 * 1024, 1, 1024L * 1024 * 1024),
        allowedTypes(r, types),
        r.bool("storage.keepImageMetadata", false),
        r.bytes("storage.quotaPerUser", 1024L * 1024 * 1024, 1, Long.MAX_VALUE / 2),
        r.intIn("storage.maxPerTask", 20, 1, 10_000),
        r.intIn("storage.concurrentUploadsPerUser", 4, 1, 1000),
        r.duration(
            "storage.uploadDeadline",
            Duration.ofMinutes(10),
            Duration.ofSeconds(1),
            Duration.ofHours(6)),
        r.bytes("storage.minTransferRate", 1024, 0, 1024L * 1024 * 1024),
        r.duration(
            "storage.rateWindow",
            Duration.ofSeconds(30),
            Duration.ofMillis(100),
            Duration.ofHours(1)),
        r.duration(
            "storage.sweepInterval",
            Duration.ofHours(1),
            Duration.ofSeconds(1),
            Duration.ofDays(7)));
  }

  private static Set<String> allowedTypes(ConfigReader r, List<String> given) {
    if (given.isEmpty()) {
      return new LinkedHashSet<>(
          List.of("image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"));
    }
    Set<String> out = new LinkedHashSet<>();
    List<String> unknown = new ArrayList<>();
    for (String t : given) {
      String name = t.trim().toLowerCase(Locale.ROOT);
      if (NEVER.contains(name)) {
        r.problem("storage.allowedTypes", "'" + t + "' is never allowed (it can run script)");
      } else if (KNOWN_TYPES.containsKey(name)) {
        out.add(KNOWN_TYPES.get(name));
      } else if (KNOWN_TYPES.containsValue(name)) {
        out.add(name);
      } else {
        unknown.add(t);
      }
    }
    if (!unknown.isEmpty()) {
      r.problem(
          "storage.allowedTypes",
          "unknown type(s) "
              + unknown
              + " (known: image/jpeg, image/png, image/webp, image/heic, application/pdf)");
    }
    return out;
  }
}
