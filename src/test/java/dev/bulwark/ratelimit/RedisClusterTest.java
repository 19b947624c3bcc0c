package dev.bulwark.ratelimit;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.TestRedisCluster;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two Bulwark instances on a real three-master Redis Cluster: limits are exact across them with a
 * request's principals on different nodes, a revocation on one is refused on the other at the next
 * request, a node that lost its scripts is taught them, and a master killed under load meets the
 * fail mode (no 5xx, no revocation lost) and is used again once it is back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterTest {
  private static final String IP_TAG = "{ip:127.0.0.1}";
  private static TestRedisCluster cluster;
  private static TestServer a;
  private static TestServer b;

  @BeforeAll
  static void start() {
    cluster = TestRedisCluster.start();
    a = server();
    b = server();
  }

  private static TestServer server() {
    Map<String, String> env =
        RateLimitTest.env(
            RateLimitTest.rule("cluster-user", "GET /api/v1/tasks", "user", "5/1m"),
            RateLimitTest.rule("cluster-ip", "GET /api/v1/tasks", "ip", "100000/1m"));
    env.put("REDIS_URL", cluster.url());
    return TestServer.start(
        env, Map.of("rateLimit.redisRetry", "200ms", "redis.commandTimeout", "300ms"));
  }

  @AfterAll
  static void stop() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A new user whose keys live on another node than the address's: the check spans two nodes. */
  private static TestUser userAwayFromTheAddress() {
    int ipNode = cluster.nodeOf("bw:" + IP_TAG + ":x");
    for (int i = 0; i < 20; i++) {
      TestUser u = TestUsers.signup(a);
      if (cluster.nodeOf(PrincipalKeys.user(u.id().toString(), "x")) != ipNode) {
        return u;
      }
    }
    throw new AssertionError("no user landed on another node than the address");
  }

  private static HttpResponse<Buffer> tasks(TestServer server, TestUser u) {
    return server.send(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/tasks"));
  }

  private static long keysOn(int node, String pattern) {
    String reply = cluster.send(node, Request.cmd(Command.KEYS).arg(pattern));
    return reply == null || reply.equals("[]") ? 0 : reply.split(",").length;
  }

  @Test
  @Order(1)
  void aLimitAdmitsExactlyItsCountAcrossInstancesWithTheCheckSpanningTwoNodes() {
    TestUser u = userAwayFromTheAddress();
    for (int i = 0; i < 5; i++) {
      HttpResponse<Buffer> r = tasks(i % 2 == 0 ? a : b, u);
      assertEquals(200, r.statusCode(), () -> "request within the limit: " + r.bodyAsString());
    }
    HttpResponse<Buffer> refused = tasks(b, u);
    assertProblem(refused, 429, "rate_limited");
    assertEquals("0", refused.getHeader("X-RateLimit-Remaining"));
    assertProblem(tasks(a, u), 429, "rate_limited");
    // each principal's counter lives on its own slot's node
    String userKeys = "bw:{u:" + u.id() + "}*";
    assertTrue(keysOn(cluster.nodeOf(PrincipalKeys.user(u.id().toString(), "x")), userKeys) > 0);
    assertTrue(keysOn(cluster.nodeOf("bw:" + IP_TAG + ":x"), "bw:" + IP_TAG + "*") > 0);
  }

  @Test
  @Order(2)
  void aLogoutOnOneInstanceIsRefusedOnTheOtherAtTheNextRequest() {
    TestUser u = userAwayFromTheAddress();
    assertEquals(200, tasks(b, u).statusCode());
    assertEquals(
        204, a.send(TestUsers.as(a, u, HttpMethod.POST, "/api/v1/auth/logout")).statusCode());
    assertProblem(tasks(b, u), 401, "token_revoked");

    TestUser other = userAwayFromTheAddress();
    assertEquals(
        204,
        b.send(TestUsers.as(b, other, HttpMethod.POST, "/api/v1/auth/logout-all")).statusCode());
    assertProblem(tasks(a, other), 401, "token_revoked");
  }

  @Test
  @Order(3)
  void aNodeThatLostItsScriptsIsTaughtThemWithoutFailingARequest() {
    TestUser u = userAwayFromTheAddress();
    assertEquals("4", tasks(a, u).getHeader("X-RateLimit-Remaining"));
    for (int node = 0; node < 3; node++) {
      cluster.send(node, Request.cmd(Command.SCRIPT).arg("FLUSH"));
    }
    HttpResponse<Buffer> r = tasks(b, u);
    assertEquals(200, r.statusCode());
    assertEquals("3", r.getHeader("X-RateLimit-Remaining"), "counted once, by EVAL after NOSCRIPT");
  }

  @Test
  @Order(4)
  void aSlotMigratedBetweenRequestsKeepsItsCountsAndFailsNothing() {
    TestUser u = userAwayFromTheAddress();
    String key = PrincipalKeys.user(u.id().toString(), "x");
    int source = cluster.nodeOf(key);
    int target = (source + 1) % 3;
    String slot = cluster.send(source, Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(key));
    String sourceId = cluster.send(source, Request.cmd(Command.CLUSTER).arg("MYID"));
    String targetId = cluster.send(target, Request.cmd(Command.CLUSTER).arg("MYID"));
    assertEquals("4", tasks(a, u).getHeader("X-RateLimit-Remaining"));

    cluster.send(
        target,
        Request.cmd(Command.CLUSTER).arg("SETSLOT").arg(slot).arg("IMPORTING").arg(sourceId));
    cluster.send(
        source,
        Request.cmd(Command.CLUSTER).arg("SETSLOT").arg(slot).arg("MIGRATING").arg(targetId));
    String keys =
        cluster.send(source, Request.cmd(Command.CLUSTER).arg("GETKEYSINSLOT").arg(slot).arg(100));
    Request migrate =
        Request.cmd(Command.MIGRATE)
            .arg("127.0.0.1")
            .arg(cluster.port(target))
            .arg("")
            .arg(0)
            .arg(5000)
            .arg("KEYS");
    for (String k : keys.replaceAll("[\\[\\]]", "").split(",\\s*")) {
      migrate.arg(k);
    }
    cluster.send(source, migrate);
    // the keys moved, the slot not yet: the source answers ASK, and the target TRYAGAIN (a script
    // whose keys are partly absent — the revocation markers — while its slot is importing): the
    // request meets the fail mode like any Redis failure, never a 5xx
    HttpResponse<Buffer> migrating = tasks(a, u);
    assertEquals(200, migrating.statusCode(), migrating::bodyAsString);
    for (int node : new int[] {target, source, 3 - source - target}) {
      cluster.send(
          node, Request.cmd(Command.CLUSTER).arg("SETSLOT").arg(slot).arg("NODE").arg(targetId));
    }
    // the slot is the target's: MOVED, and the client learns the new map. The call the gate gave
    // up on is still retried by the client (TRYAGAIN backs off up to 1.28 s) and lands once: a
    // timed-out check can count once more later, never less
    RateLimitTest.sleep(2_000);
    HttpResponse<Buffer> moved = tasks(b, u);
    assertEquals(200, moved.statusCode(), moved::bodyAsString);
    int remaining = Integer.parseInt(moved.getHeader("X-RateLimit-Remaining"));
    // 5 − the first request − this one, and − 1 more if the late retry has landed: the count
    // moved with the keys (a lost count would show 4)
    assertTrue(
        remaining == 3 || remaining == 2, () -> "the count moved with the keys: " + remaining);
    for (int i = remaining; i > 0; i--) {
      assertEquals(
          Integer.toString(i - 1), tasks(i % 2 == 0 ? a : b, u).getHeader("X-RateLimit-Remaining"));
    }
    assertProblem(tasks(a, u), 429, "rate_limited");
    assertEquals(target, cluster.nodeOfSlotOwner(key));

    // a slot caught half-migrated (some of a script's keys moved, some not): Redis answers
    // TRYAGAIN until the migration ends; the request meets the fail mode, never a 5xx
    TestUser w = userAwayFromTheAddress();
    String wKey = PrincipalKeys.user(w.id().toString(), "x");
    int wSource = cluster.nodeOf(wKey);
    int wTarget = (wSource + 1) % 3;
    assertEquals(200, tasks(a, w).statusCode());
    String wSlot = cluster.send(wSource, Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(wKey));
    cluster.send(
        wTarget,
        Request.cmd(Command.CLUSTER)
            .arg("SETSLOT")
            .arg(wSlot)
            .arg("IMPORTING")
            .arg(cluster.send(wSource, Request.cmd(Command.CLUSTER).arg("MYID"))));
    cluster.send(
        wSource,
        Request.cmd(Command.CLUSTER)
            .arg("SETSLOT")
            .arg(wSlot)
            .arg("MIGRATING")
            .arg(cluster.send(wTarget, Request.cmd(Command.CLUSTER).arg("MYID"))));
    try {
      HttpResponse<Buffer> halfway = tasks(b, w);
      assertEquals(200, halfway.statusCode(), halfway::bodyAsString);
    } finally {
      cluster.send(wSource, Request.cmd(Command.CLUSTER).arg("SETSLOT").arg(wSlot).arg("STABLE"));
      cluster.send(wTarget, Request.cmd(Command.CLUSTER).arg("SETSLOT").arg(wSlot).arg("STABLE"));
    }
  }

  @Test
  @Order(5)
  void aMasterKilledUnderLoadMeetsTheFailModeLosesNoRevocationAndIsUsedAgain() throws Exception {
    List<TestUser> users = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      users.add(TestUsers.signup(a));
    }
    int victim = cluster.nodeOf(PrincipalKeys.user(users.get(0).id().toString(), "x"));
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    AtomicBoolean loading = new AtomicBoolean(true);
    TestUser loadUser = users.get(5);
    Thread load =
        new Thread(
            () -> {
              int i = 0;
              while (loading.get()) {
                TestServer s = i++ % 2 == 0 ? a : b;
                int status =
                    s.send(TestUsers.as(s, loadUser, HttpMethod.GET, "/api/v1/me")).statusCode();
                statuses.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
              }
            },
            "cluster-load");
    load.start();
    try {
      RateLimitTest.sleep(300);
      cluster.stop(victim);
      RateLimitTest.sleep(300);
      // revocations while a master is gone: users whose keys live on several nodes, dead or not
      List<TestUser> revoked = users.subList(0, 4);
      for (TestUser u : revoked) {
        HttpResponse<Buffer> out =
            a.send(TestUsers.as(a, u, HttpMethod.POST, "/api/v1/auth/logout"));
        assertEquals(
            204, out.statusCode(), () -> "logout during the outage: " + out.bodyAsString());
        assertProblem(tasks(b, u), 401, "token_revoked");
      }
      cluster.restart(victim);
      // back on Redis: the markers owed were written back, each to its own slot's node
      for (TestUser u : revoked) {
        String key = PrincipalKeys.user(u.id().toString(), "sid:" + u.sessionId());
        awaitMarker(key);
        assertProblem(tasks(b, u), 401, "token_revoked");
        assertProblem(tasks(a, u), 401, "token_revoked");
      }
      RateLimitTest.sleep(300);
    } finally {
      loading.set(false);
      load.join();
    }
    statuses.forEach(
        (status, n) ->
            assertTrue(status < 500, () -> n + " response(s) of " + status + " under load"));
    assertTrue(statuses.get(200).get() > 0);
    TestUser fresh = TestUsers.signup(b);
    assertEquals(
        "4",
        tasks(a, fresh).getHeader("X-RateLimit-Remaining"),
        "limits are counted in Redis again");
    assertEquals("3", tasks(b, fresh).getHeader("X-RateLimit-Remaining"));
  }

  private static void awaitMarker(String key) {
    int node = cluster.nodeOf(key);
    for (int i = 0; i < 100; i++) {
      if ("1".equals(cluster.send(node, Request.cmd(Command.EXISTS).arg(key)))) {
        return;
      }
      RateLimitTest.sleep(100);
    }
    throw new AssertionError("revocation marker " + key + " never written back to node " + node);
  }

  @Test
  @Order(6)
  void anUnreachableSeedNodeDoesNotStopAnInstance() {
    Map<String, String> env = RateLimitTest.env();
    env.put(
        "REDIS_URL",
        "redis-cluster://127.0.0.1:1,127.0.0.1:"
            + cluster.port(0)
            + ",127.0.0.1:"
            + cluster.port(1));
    try (TestServer c = TestServer.start(env, Map.of())) {
      TestUser u = TestUsers.signup(c);
      assertEquals(
          204, c.send(TestUsers.as(c, u, HttpMethod.POST, "/api/v1/auth/logout")).statusCode());
      assertProblem(tasks(a, u), 401, "token_revoked");
      assertNotEquals(500, tasks(c, u).statusCode());
    }
  }
}
