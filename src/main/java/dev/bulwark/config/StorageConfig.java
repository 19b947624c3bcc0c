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
    Duration sweepInterval,
    S3 s3) {

  /** Where attachment bytes live. */
  public enum Backend {
    LOCAL,
    S3
  }

  /**
   * An S3-compatible bucket ({@code storage.backend: s3}). Uploads are spooled to {@code spoolPath}
   * first (S3 needs a PUT's length up front, and the stored size is known only at the end); with
   * {@code presignedGet}, a download answers 302 to a GET URL valid for {@code presignTtl}.
   */
  public record S3(
      String bucket,
      String region,
      java.net.URI endpoint,
      String accessKeyId,
      String secretAccessKey,
      String sessionToken,
      boolean pathStyle,
      boolean presignedGet,
      Duration presignTtl,
      Duration timeout,
      Path spoolPath) {
    @Override
    public String toString() {
      return "S3[bucket=" + bucket + ", region=" + region + ", endpoint=" + endpoint + "]";
    }
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
    Backend backend = r.oneOf("storage.backend", Backend.class, Backend.LOCAL);
    return new StorageConfig(
        backend,
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
            Duration.ofDays(7)),
        s3(r, dataDir, backend == Backend.S3));
  }

  private static S3 s3(ConfigReader r, Path dataDir, boolean s3Backend) {
    String region = r.string("storage.s3.region", "us-east-1");
    String endpoint = r.optionalString("storage.s3.endpoint");
    java.net.URI uri = java.net.URI.create("https://s3." + region + ".amazonaws.com");
    if (endpoint != null) {
      try {
        uri =
            java.net.URI.create(
                endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint);
        if (uri.getHost() == null
            || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
          throw new IllegalArgumentException("not an http(s) URL");
        }
      } catch (IllegalArgumentException e) {
        r.problem("storage.s3.endpoint", "'" + endpoint + "' is not an http(s) URL");
      }
    }
    String spool = r.optionalString("storage.s3.spoolPath");
    String bucket = r.optionalString("storage.s3.bucket");
    String keyId = r.optionalString("storage.s3.accessKeyId");
    String secret = r.optionalString("storage.s3.secretAccessKey");
    if (s3Backend && bucket == null) {
      r.problem("storage.s3.bucket", "S3_BUCKET is required with STORAGE_BACKEND=s3");
    }
    if (s3Backend && (keyId == null || secret == null)) {
      r.problem(
          "storage.s3.accessKeyId",
          "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are required with STORAGE_BACKEND=s3");
    }
    return new S3(
        bucket,
        region,
        uri,
        keyId,
        secret,
        r.optionalString("storage.s3.sessionToken"),
        // a custom endpoint (MinIO, Ceph, s3proxy) rarely has per-bucket DNS names
        r.bool("storage.s3.pathStyle", endpoint != null),
        r.bool("storage.s3.presignedGet", false),
        r.duration(
            "storage.s3.presignTtl",
            Duration.ofMinutes(5),
            Duration.ofSeconds(1),
            Duration.ofDays(7)),
        r.duration(
            "storage.s3.timeout",
            Duration.ofSeconds(30),
            Duration.ofSeconds(1),
            Duration.ofMinutes(10)),
        spool == null ? dataDir.resolve("s3-spool") : Path.of(spool).toAbsolutePath().normalize());
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
