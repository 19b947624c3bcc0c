package dev.bulwark;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestRedisCluster;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Many instances, one truth: three Bulwark instances on one PostgreSQL and a three-master Redis
 * Cluster, requests spread over them round-robin by a client-side balancer that, like a load
 * balancer, takes an instance out of rotation once its {@code /ready} fails. Each instance is a
 * Bulwark of its own (own Vert.x, pools, gate, fallback windows) in this JVM; {@code
 * scripts/multi-instance-drill.sh} runs it.
 */
@Tag("drill")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiInstanceDrill {
  private static final int LIMIT = 10;
  private static TestRedisCluster cluster;
  private static final List<TestServer> instances = new CopyOnWriteArrayList<>();
  private static final AtomicInteger next = new AtomicInteger();

  @BeforeAll
  static void start() {
    cluster = TestRedisCluster.start();
    for (int i = 0; i < 3; i++) {
      instances.add(instance());
    }
  }

  private static TestServer instance() {
    Map<String, String> env =
        TestServer.baseEnv(); // the shared PostgreSQL; the cluster below for Redis
    env.put("REDIS_URL", cluster.url());
    env.put(
        "RATE_LIMIT_RULES",
        new JsonArray()
            .add(
                new JsonObject()
                    .put("name", "drill")
                    .put("match", "GET /api/v1/me")
                    .put("key", "user")
                    .put("limits", new JsonArray().add(LIMIT + "/1m")))
            .encode());
    return TestServer.start(
        env, Map.of("shutdown.drainDelay", "1s", "shutdown.gracePeriod", "10s"));
  }

  @AfterAll
  static void stop() {
    instances.forEach(TestServer::close);
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The next instance in rotation. */
  private static TestServer any() {
    return instances.get(Math.floorMod(next.getAndIncrement(), instances.size()));
  }

  @Test
  @Order(1)
  void aLimitOfNAdmitsExactlyNAcrossAllInstances() {
    TestUser u = TestUsers.signup(any());
    int admitted = 0;
    int refused = 0;
    for (int i = 0; i < LIMIT + 5; i++) {
      TestServer s = any();
      HttpResponse<Buffer> r = s.send(TestUsers.as(s, u, HttpMethod.GET, "/api/v1/me"));
      if (r.statusCode() == 200) {
        admitted++;
      } else {
        assertProblem(r, 429, "rate_limited");
        refused++;
      }
    }
    assertEquals(LIMIT, admitted, "exactly the limit, across three instances");
    assertEquals(5, refused);
  }

  @Test
  @Order(2)
  void aLogoutOnOneInstanceIsRefusedOnEveryOtherAtTheVeryNextRequest() {
    TestUser u = TestUsers.signup(instances.get(0));
    TestServer a = instances.get(0);
    assertEquals(
        204, a.send(TestUsers.as(a, u, HttpMethod.POST, "/api/v1/auth/logout")).statusCode());
    for (TestServer other : List.of(instances.get(1), instances.get(2))) {
      assertProblem(
          other.send(TestUsers.as(other, u, HttpMethod.GET, "/api/v1/tasks")),
          401,
          "token_revoked");
    }
  }

  @Test
  @Order(3)
  void fiftyParallelRefreshesOverThreeInstancesMakeOneChain() throws Exception {
    TestUser u = TestUsers.signup(any());
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      TestServer s = any();
      calls.add(
          s.request(HttpMethod.POST, "/api/v1/auth/refresh")
              .sendJsonObject(new JsonObject().put("refresh_token", u.refreshToken())));
    }
    Set<String> children = new HashSet<>();
    for (Future<HttpResponse<Buffer>> call : calls) {
      HttpResponse<Buffer> r = Await.result(call);
      assertEquals(200, r.statusCode(), r.bodyAsString());
      children.add(r.bodyAsJsonObject().getString("refresh_token"));
    }
    assertEquals(1, children.size(), "every refresh, on any instance, got the same child");
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FILTER (WHERE consumed_at IS NULL), count(*) FROM refresh_tokens"
                    + " WHERE session_id = ?")) {
      ps.setObject(1, u.sessionId());
      ResultSet rs = ps.executeQuery();
      rs.next();
      assertEquals(1, rs.getInt(1), "exactly one live refresh token in the family");
      assertEquals(2, rs.getInt(2), "the original and its single child");
    }
  }

  @Test
  @Order(4)
  void aRollingRestartUnderTrafficFailsNoRequest() throws Exception {
    Vertx vertx = Vertx.vertx();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
    List<Integer> rotation = new CopyOnWriteArrayList<>();
    instances.forEach(s -> rotation.add(s.port()));
    AtomicBoolean running = new AtomicBoolean(true);
    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    TestUser u = TestUsers.signup(any());
    // the balancer: out of rotation when /ready fails, as a load balancer's health check does
    Thread balancer =
        new Thread(
            () -> {
              while (running.get()) {
                for (Integer port : rotation) {
                  try {
                    int status =
                        client
                            .get(port, "127.0.0.1", "/ready")
                            .send()
                            .await(1, TimeUnit.SECONDS)
                            .statusCode();
                    if (status != 200) {
                      rotation.remove(port);
                    }
                  } catch (Exception e) {
                    rotation.remove(port);
                  }
                }
                sleep(100);
              }
            },
            "drill-balancer");
    List<Thread> clients = new ArrayList<>();
    AtomicInteger turn = new AtomicInteger();
    for (int c = 0; c < 8; c++) {
      clients.add(
          new Thread(
              () -> {
                while (running.get()) {
                  List<Integer> live = List.copyOf(rotation);
                  if (live.isEmpty()) {
                    sleep(10);
                    continue;
                  }
                  int port = live.get(Math.floorMod(turn.getAndIncrement(), live.size()));
                  String outcome;
                  try {
                    outcome =
                        Integer.toString(
                            client
                                .get(port, "127.0.0.1", "/api/v1/tasks")
                                .putHeader("Authorization", u.bearer())
                                .send()
                                .await(15, TimeUnit.SECONDS)
                                .statusCode());
                  } catch (Exception e) {
                    outcome = e.getClass().getSimpleName() + ": " + e.getMessage();
                  }
                  outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                }
              },
              "drill-client-" + c));
    }
    balancer.start();
    clients.forEach(Thread::start);
    try {
      for (int i = 0; i < 3; i++) {
        sleep(500);
        TestServer old = instances.get(i);
        old.app().stop().await(30, TimeUnit.SECONDS); // what SIGTERM runs
        old.close();
        TestServer fresh = instance();
        instances.set(i, fresh);
        rotation.add(fresh.port());
      }
      sleep(500);
    } finally {
      running.set(false);
      for (Thread t : clients) {
        t.join();
      }
      balancer.join();
      client.close();
      vertx.close().await();
    }
    int ok = outcomes.getOrDefault("200", new AtomicInteger()).get();
    assertTrue(ok > 100, "traffic flowed: " + outcomes);
    assertEquals(Set.of("200"), outcomes.keySet(), "every request answered 200: " + outcomes);
    System.out.println("rolling restart: " + ok + " requests, all 200");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
