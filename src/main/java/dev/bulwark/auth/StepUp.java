package dev.bulwark.auth;

import dev.bulwark.core.Failure;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

/**
 * The rule for what matters (password change, MFA removal, account and session deletion, the
 * administration API): a caller whose account has a second factor must have proven it in this
 * session ({@code aal} 2), else 403 {@code mfa_required} with a {@code step_up} hint naming the
 * route that raises the session. A token at level 2 passes without I/O; a level-1 token costs one
 * indexed read (these routes are not the hot path).
 */
public final class StepUp {
  public static final String STEP_UP_PATH = "/api/v1/auth/mfa/step-up";
  static final Failure MFA_REQUIRED =
      Failure.forbidden(
              "mfa_required",
              "This action needs your second factor: confirm a code at "
                  + STEP_UP_PATH
                  + ", then retry with the new access token.")
          .withMember("step_up", STEP_UP_PATH);

  private final Pool pg;

  public StepUp(Pool pg) {
    this.pg = pg;
  }

  public Future<Void> require(Principal p) {
    if (p.aal() >= 2) {
      return Future.succeededFuture();
    }
    return MfaRepository.hasActiveFactor(pg, p.userId())
        .compose(mfa -> mfa ? Future.failedFuture(MFA_REQUIRED) : Future.succeededFuture());
  }

  /**
   * {@code next}, once the caller passed the rule. What {@code next} throws (a 4xx of its parsing)
   * goes to the failure handler as it would have without the rule: a future's callback would
   * swallow it and leave the request unanswered.
   */
  public Handler<RoutingContext> before(Handler<RoutingContext> next) {
    return ctx ->
        require(Principal.of(ctx))
            .onSuccess(
                v -> {
                  try {
                    next.handle(ctx);
                  } catch (RuntimeException e) {
                    ctx.fail(e);
                  }
                })
            .onFailure(ctx::fail);
  }
}
