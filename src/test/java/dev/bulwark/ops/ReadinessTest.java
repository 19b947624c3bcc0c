package dev.bulwark.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/** /ready follows Redis down and back up, with no restart of Bulwark. Uses a Redis of its own. */
class ReadinessTest {

  @Test
  void readyTurns503WhenRedisStopsAndRecoversWhenItReturns() throws Exception {
    int port = TestServices.freePort();
    RedisServer redis = TestServices.startRedis(port);
    Map<String, String> env = TestServer.baseEnv();
    env.put("REDIS_URL", "redis://127.0.0.1:" + port);
    try (TestServer server = TestServer.start(env, Map.of())) {
      assertEquals(200, server.get("/ready").statusCode());

      redis.stop();
      HttpResponse<Buffer> down = server.get("/ready");
      assertEquals(503, down.statusCode(), down.bodyAsString());
      JsonObject checks = down.bodyAsJsonObject().getJsonObject("checks");
      assertEquals("DOWN", down.bodyAsJsonObject().getString("status"));
      assertEquals("DOWN", checks.getJsonObject("redis").getString("status"));
      assertEquals("UP", checks.getJsonObject("postgres").getString("status"));
      assertEquals(200, server.get("/health").statusCode(), "liveness does not depend on Redis");

      redis.start();
      HttpResponse<Buffer> up = null;
      for (int i = 0; i < 50; i++) {
        up = server.get("/ready");
        if (up.statusCode() == 200) {
          break;
        }
        Thread.sleep(100);
      }
      assertEquals(200, up.statusCode(), up.bodyAsString());
      assertEquals(
          "UP",
          up.bodyAsJsonObject().getJsonObject("checks").getJsonObject("redis").getString("status"));
    } finally {
      redis.stop();
    }
  }
}
