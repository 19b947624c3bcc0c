package dev.bulwark.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Deadlines kept in a FIFO on one event loop, checked periodically instead of a timer each. */
class FixedTimeoutsTest {
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static <T> T onLoop(Supplier<Future<T>> body) throws Exception {
    Promise<T> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> body.get().onComplete(done));
    return done.future().await(10, TimeUnit.SECONDS);
  }

  /** An entry that records whether it expired. */
  private static final class Probe extends FixedTimeouts.Entry {
    boolean expired;

    @Override
    protected void expire() {
      expired = true;
    }
  }

  @Test
  void workThatEndsInTimeNeverExpiresAndWorkThatDoesNotExpiresOnce() throws Exception {
    List<Object> seen =
        onLoop(
            () -> {
              FixedTimeouts timeouts = new FixedTimeouts(vertx, 50);
              Probe ended = new Probe();
              Probe late = new Probe();
              timeouts.add(ended);
              timeouts.add(late);
              ended.end();
              // well past the deadline and several checks
              return vertx
                  .timer(300)
                  .map(
                      t ->
                          List.<Object>of(
                              ended.expired, late.expired, late.isEnded(), timeouts.pending()));
            });
    assertEquals(List.of(false, true, true, 0), seen);
  }

  @Test
  void boundPassesOutcomesThroughAndFailsWhatHasNoneInTime() throws Exception {
    List<Object> outcomes =
        onLoop(
            () -> {
              FixedTimeouts timeouts = new FixedTimeouts(vertx, 100);
              Promise<String> never = Promise.promise();
              Promise<String> quick = Promise.promise();
              Promise<String> failing = Promise.promise();
              List<Future<String>> bounded = new ArrayList<>();
              bounded.add(timeouts.bound(never.future()));
              bounded.add(timeouts.bound(quick.future()));
              bounded.add(timeouts.bound(failing.future()));
              bounded.add(timeouts.bound(Future.succeededFuture("done already")));
              vertx.setTimer(10, t -> quick.complete("quick"));
              vertx.setTimer(10, t -> failing.fail(new IllegalStateException("refused")));
              return Future.join(new ArrayList<>(bounded))
                  // and a little longer, for the next check to drop the entries that ended
                  .transform(ar -> vertx.timer(50))
                  .transform(
                      ar -> {
                        // an answer after the deadline changes nothing
                        never.tryComplete("too late");
                        List<Object> out = new ArrayList<>();
                        for (Future<String> f : bounded) {
                          out.add(f.succeeded() ? f.result() : f.cause());
                        }
                        out.add(timeouts.pending());
                        return Future.succeededFuture(out);
                      });
            });
    assertInstanceOf(TimeoutException.class, outcomes.get(0));
    assertEquals("quick", outcomes.get(1));
    assertInstanceOf(IllegalStateException.class, outcomes.get(2));
    assertEquals("done already", outcomes.get(3));
    assertEquals(0, outcomes.get(4), "ended entries leave at the next check");
  }

  @Test
  void deadlinesFireInArrivalOrder() throws Exception {
    List<Integer> order =
        onLoop(
            () -> {
              FixedTimeouts timeouts = new FixedTimeouts(vertx, 30);
              List<Integer> fired = new ArrayList<>();
              for (int i = 0; i < 5; i++) {
                int n = i;
                timeouts.add(
                    new FixedTimeouts.Entry() {
                      @Override
                      protected void expire() {
                        fired.add(n);
                      }
                    });
              }
              return vertx.timer(200).map(t -> fired);
            });
    assertEquals(List.of(0, 1, 2, 3, 4), order);
  }
}
