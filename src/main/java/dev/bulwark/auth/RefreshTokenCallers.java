package dev.bulwark.auth;

import dev.bulwark.core.Failure;
import dev.bulwark.http.JsonBody;
import dev.bulwark.ratelimit.Caller;
import dev.bulwark.ratelimit.CallerSource;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.List;

/**
 * Recognises the caller of refresh: the family (session) of the refresh token in the body, so that
 * session-keyed limits count per family — users behind one address do not share a budget — while
 * address limits still apply. The lookup is one indexed read, made only after the address's limits
 * admitted the request. A body or token that is not even plausible, or a token no family holds,
 * leaves the request anonymous (counted by address); the refresh itself then answers why.
 */
public final class RefreshTokenCallers implements CallerSource {
  private final Pool pg;

  public RefreshTokenCallers(Pool pg) {
    this.pg = pg;
  }

  @Override
  public boolean needsIo() {
    return true;
  }

  @Override
  public Future<Caller> identify(RoutingContext ctx) {
    Object token;
    try {
      JsonObject body = JsonBody.object(ctx);
      token = body.getValue("refresh_token");
    } catch (Failure e) {
      return Future.succeededFuture();
    }
    if (!(token instanceof String t) || !RefreshTokens.looksValid(t)) {
      return Future.succeededFuture();
    }
    return RevocationRepository.family(pg, RefreshTokens.hash(t))
        .map(family -> family == null ? null : new FamilyCaller(family));
  }

  /** A refresh token's family: nothing to read in Redis, only limits to count. */
  private record FamilyCaller(RevocationRepository.Family family) implements Caller {
    @Override
    public String userId() {
      return family.userId().toString();
    }

    @Override
    public String sessionId() {
      return family.sessionId().toString();
    }

    @Override
    public List<String> checkKeys() {
      return List.of();
    }

    @Override
    public Future<Void> verdict(List<String> values) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> verdictWithoutRedis() {
      return Future.succeededFuture();
    }

    @Override
    public void admit(RoutingContext ctx) {
      // the refresh reads its token from the body again, under the family lock
    }
  }
}
