package dev.bulwark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.RedisUrl.Mode;
import dev.bulwark.config.RedisUrl.Topology;
import dev.bulwark.testing.Await;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** REDIS_URL in its three topologies, the REDIS_MODE + REDIS_NODES form, and what is refused. */
class RedisTopologyConfigTest {
  private static Vertx vertx;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  private static BulwarkConfig load(Map<String, String> env) {
    return Await.result(new ConfigLoader(vertx, Path.of("conf")).load(env, Map.of()));
  }

  private static List<ConfigProblem> problems(Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> load(env)).problems();
  }

  @Test
  void aStandaloneUrlIsOneEndpointAsBefore() {
    Topology t = RedisUrl.parse("redis://:pw@cache:6379/2");
    assertEquals(Mode.STANDALONE, t.mode());
    assertEquals(List.of("redis://:pw@cache:6379/2"), t.endpoints());
    assertFalse(load(Map.of("REDIS_URL", "redis://cache:6379")).redis().clustered());
  }

  @Test
  void aClusterUrlNamesItsSeedsEachWithTheCredentialsAndTls() {
    Topology t = RedisUrl.parse("rediss-cluster://app:s3cret@n1:7000,n2:7001,n3:7002");
    assertEquals(Mode.CLUSTER, t.mode());
    assertTrue(t.tls());
    assertEquals(
        List.of(
            "rediss://app:s3cret@n1:7000",
            "rediss://app:s3cret@n2:7001",
            "rediss://app:s3cret@n3:7002"),
        t.endpoints());
    assertNull(t.masterName());
    BulwarkConfig c = load(Map.of("REDIS_URL", "redis-cluster://n1:7000,n2:7001"));
    assertTrue(c.redis().clustered());
  }

  @Test
  void aSentinelUrlNamesItsSentinelsAndTheirMaster() {
    Topology t = RedisUrl.parse("redis-sentinel://:pw@s1:26379,s2:26379/1?master=bulwark");
    assertEquals(Mode.SENTINEL, t.mode());
    assertEquals("bulwark", t.masterName());
    assertEquals(List.of("redis://:pw@s1:26379/1", "redis://:pw@s2:26379/1"), t.endpoints());
    assertFalse(
        load(Map.of("REDIS_URL", "redis-sentinel://s1:26379?master=m")).redis().clustered());
  }

  @Test
  void modeAndNodesAreAnotherWayToWriteTheSameUrl() {
    BulwarkConfig c =
        load(
            Map.of(
                "REDIS_MODE",
                "cluster",
                "REDIS_NODES",
                "rediss://u:p@n1:7000,rediss://u:p@n2:7001"));
    assertEquals("rediss-cluster://u:p@n1:7000,n2:7001", c.redis().url());
    assertTrue(c.redis().clustered());
    BulwarkConfig s =
        load(
            Map.of(
                "REDIS_MODE",
                "sentinel",
                "REDIS_NODES",
                "redis://s1:26379",
                "REDIS_MASTER_NAME",
                "main"));
    assertEquals("redis-sentinel://s1:26379?master=main", s.redis().url());
    BulwarkConfig seed = load(Map.of("REDIS_MODE", "cluster", "REDIS_URL", "redis://n1:7000"));
    assertEquals("redis-cluster://n1:7000", seed.redis().url());
  }

  @Test
  void badTopologiesAreRefusedWithAClearMessageAndNoPassword() {
    Map<String, String> bad =
        Map.of(
            "redis-sentinel://s1:26379", "names its master",
            "redis-cluster://n1:7000,,n2:7001", "empty node",
            "redis-cluster://n1:7000/3", "database 0 only",
            "redis-cluster://n1:7000?master=x", "Sentinel URLs only",
            "redis-cluster://:hunter2@n1:notaport", "missing host",
            "redis-sentinel://s1:26379?mster=x", "unknown URL parameter",
            "memcached://cache:11211", "scheme must be");
    bad.forEach(
        (url, fragment) -> {
          List<ConfigProblem> p = problems(Map.of("REDIS_URL", url));
          assertTrue(
              p.stream()
                  .anyMatch(
                      x ->
                          x.key().equals("redis.url")
                              && x.message().contains(fragment)
                              && !x.toString().contains("hunter2")),
              () -> url + ": " + p);
        });
    assertTrue(
        problems(Map.of("REDIS_MODE", "sentinel", "REDIS_NODES", "redis://s1:26379")).stream()
            .anyMatch(x -> x.key().equals("redis.masterName")));
    assertTrue(
        problems(Map.of("REDIS_MODE", "cluster")).stream()
            .anyMatch(x -> x.key().equals("redis.nodes") && x.toString().contains("REDIS_NODES")));
    assertTrue(
        problems(
                Map.of(
                    "REDIS_MODE", "cluster",
                    "REDIS_URL", "redis://a:1",
                    "REDIS_NODES", "redis://b:2"))
            .stream()
            .anyMatch(x -> x.key().equals("redis.url")));
    assertTrue(
        problems(Map.of("REDIS_NODES", "redis://b:2")).stream()
            .anyMatch(x -> x.key().equals("redis.nodes")));
    assertTrue(
        problems(
                Map.of(
                    "REDIS_MODE", "cluster",
                    "REDIS_NODES", "redis://a:1,rediss://b:2"))
            .stream()
            .anyMatch(x -> x.message().contains("mixes")));
  }

  @Test
  void theEffectiveConfigHidesNodePasswords() {
    var tree =
        new io.vertx.core.json.JsonObject()
            .put(
                "redis",
                new io.vertx.core.json.JsonObject()
                    .put("url", "redis-cluster://app:hunter2@n1:1,n2:2")
                    .put("nodes", "redis://app:hunter2@n1:1,redis://app:hunter2@n2:2"));
    String shown = EffectiveConfig.redacted(tree).encode();
    assertFalse(shown.contains("hunter2"), shown);
  }
}
