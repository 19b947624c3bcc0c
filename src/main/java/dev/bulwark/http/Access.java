package dev.bulwark.http;

/** Who may call a route, which decides the handler chain {@link ApiRouter} builds for it. */
public enum Access {
  /** Probes and metrics: no body, no auth, no rate limit. */
  OPS,
  /** Anyone: rate-limited by client address. */
  PUBLIC,
  /** A valid, unrevoked access token: rate-limited by user (or address, or session, per rule). */
  USER,
  /**
   * Anyone presenting a refresh token in the body: rate-limited by its session (token family) and
   * by address.
   */
  REFRESH_TOKEN
}
