package dev.bulwark.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.HasherConfig;
import dev.bulwark.http.ApiException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private PasswordHasher deploy(int rounds, int capacity) {
    HasherConfig config = new HasherConfig(2, rounds, capacity, Duration.ofSeconds(30));
    vertx.deployVerticle(() -> new PasswordHasherVerticle(config),
        new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER).setInstances(2)).await();
    return new PasswordHasher(vertx, config);
  }

  @Test
  void hashesOnWorkerThreadsAndVerifies() {
    PasswordHasher hasher = deploy(4, 4);
    String hash = hasher.hash("correct horse battery").await();
    assertTrue(hash.startsWith("$2a$04$"), hash);
    assertTrue(hasher.verify("correct horse battery", hash).await());
    assertFalse(hasher.verify("correct horse batterY", hash).await());
    assertEquals(0, hasher.outstanding());
  }

  @Test
  void fullQueueFailsFastWithServerBusy() throws Exception {
    PasswordHasher hasher = deploy(10, 2);
    List<Future<String>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(hasher.hash("password-" + i));
    }
    int busy = 0;
    int done = 0;
    for (Future<String> f : calls) {
      try {
        f.await();
        done++;
      } catch (ApiException e) {
        assertEquals(503, e.status());
        assertEquals("server_busy", e.code());
        assertTrue(e.retryAfterSeconds() >= 1);
        busy++;
      }
    }
    assertEquals(2, done, "only the queue capacity is admitted");
    assertEquals(18, busy);
    assertEquals(18, hasher.rejectedTotal());
    assertEquals(0, hasher.outstanding(), "slots are released when work completes");
    assertTrue(hasher.hash("after the burst").await().startsWith("$2a$10$"));
  }
}
