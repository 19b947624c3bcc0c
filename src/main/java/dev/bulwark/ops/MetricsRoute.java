package dev.bulwark.ops;

import dev.bulwark.core.Failure;
import dev.bulwark.http.ProblemHandler;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * {@code GET /metrics}: the Prometheus scrape, behind {@code Authorization: Bearer <metrics.token>}
 * when a token is configured. The presented token is compared by SHA-256 digest in constant time,
 * so neither its content nor its length shows in the response time.
 */
public final class MetricsRoute implements Handler<RoutingContext> {
  private static final Failure MISSING =
      Failure.unauthenticated(
          "missing_token",
          "/metrics requires the metrics bearer token: Authorization: Bearer <METRICS_TOKEN>.");
  private static final Failure WRONG =
      Failure.unauthenticated("invalid_metrics_token", "The metrics bearer token is not valid.");
  private static final String BEARER = "bearer ";

  private final Handler<RoutingContext> scrape;
  private final byte[] expected;

  /** {@code token} null: the scrape is open to whoever reaches this port. */
  public MetricsRoute(String registryName, String token) {
    this.scrape = PrometheusScrapingHandler.create(registryName);
    this.expected = token == null ? null : sha256(token);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (expected != null) {
      String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
      if (header == null || header.isBlank()) {
        ProblemHandler.send(ctx, MISSING);
        return;
      }
      boolean bearer = header.regionMatches(true, 0, BEARER, 0, BEARER.length());
      byte[] presented = sha256(bearer ? header.substring(BEARER.length()).trim() : "");
      if (!bearer || !MessageDigest.isEqual(presented, expected)) {
        ProblemHandler.send(ctx, WRONG);
        return;
      }
    }
    scrape.handle(ctx);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
