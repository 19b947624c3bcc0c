package dev.bulwark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigKeys;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.testing.Await;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Every manifest under deploy/kubernetes parses, and what they say matches what the server reads:
 * environment variable names, ports, probe paths, the secrets they reference, the CPU limit behind
 * HTTP_INSTANCES, a termination grace longer than the drain, and a configuration the production
 * profile accepts.
 */
class KubernetesManifestsTest {
  private static final Path DIR = Path.of("deploy/kubernetes");

  /** Read by the JVM or the image rather than by the typed config. */
  private static final Set<String> NOT_CONFIG_KEYS =
      Set.of("JAVA_TOOL_OPTIONS", "BULWARK_CONF_DIR");

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> documents() throws IOException {
    List<Map<String, Object>> docs = new ArrayList<>();
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
          assertNotNull(doc, file + ": an empty document");
          Map<String, Object> m = (Map<String, Object>) doc;
          m.put("__file", file.getFileName().toString());
          docs.add(m);
        }
      }
    }
    return docs;
  }

  private static Map<String, Object> kind(List<Map<String, Object>> docs, String kind) {
    List<Map<String, Object>> of = docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    assertEquals(1, of.size(), "one " + kind);
    return of.get(0);
  }

  @SuppressWarnings("unchecked")
  private static <T> T at(Object node, String... path) {
    Object cur = node;
    for (String p : path) {
      if (cur == null) {
        return null;
      }
      assertTrue(cur instanceof Map, () -> "not a map on the way to " + String.join(".", path));
      cur = ((Map<String, Object>) cur).get(p);
    }
    return (T) cur;
  }

  private static Map<String, Object> container(Map<String, Object> workload) {
    List<Map<String, Object>> containers = at(workload, "spec", "template", "spec", "containers");
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  @Test
  void everyManifestParsesAndTheKustomizationListsThemAll() throws IOException {
    List<Map<String, Object>> docs = documents();
    Set<String> files = new HashSet<>();
    for (Map<String, Object> d : docs) {
      assertNotNull(d.get("apiVersion"), d.get("__file") + ": apiVersion");
      assertNotNull(d.get("kind"), d.get("__file") + ": kind");
      if (!"Kustomization".equals(d.get("kind"))) {
        assertNotNull(at(d, "metadata", "name"), d.get("__file") + ": metadata.name");
        files.add((String) d.get("__file"));
      }
    }
    List<String> resources = at(kind(docs, "Kustomization"), "resources");
    assertEquals(files, new HashSet<>(resources));
    for (String k :
        List.of(
            "Deployment",
            "Service",
            "PodDisruptionBudget",
            "HorizontalPodAutoscaler",
            "Job",
            "Secret",
            "ConfigMap")) {
      kind(docs, k);
    }
  }

  @Test
  void probesPortsAndEnvironmentMatchWhatTheServerReads() throws IOException {
    List<Map<String, Object>> docs = documents();
    Map<String, Object> deployment = kind(docs, "Deployment");
    Map<String, Object> job = kind(docs, "Job");
    Map<String, String> config = at(kind(docs, "ConfigMap"), "data");
    Map<String, String> secret = at(kind(docs, "Secret"), "stringData");

    Map<String, Object> server = container(deployment);
    assertEquals("/health", at(server, "livenessProbe", "httpGet", "path"));
    assertEquals("/ready", at(server, "readinessProbe", "httpGet", "path"));
    assertEquals("http", at(server, "readinessProbe", "httpGet", "port"));
    assertEquals("/health", at(server, "startupProbe", "httpGet", "path"));
    Map<String, Integer> ports = new HashMap<>();
    List<Map<String, Object>> declared = at(server, "ports");
    for (Map<String, Object> p : declared) {
      ports.put((String) p.get("name"), (Integer) p.get("containerPort"));
    }
    assertEquals(Integer.parseInt(config.get("HTTP_PORT")), ports.get("http"));
    assertEquals(Integer.parseInt(config.get("METRICS_PORT")), ports.get("metrics"));
    List<Map<String, Object>> servicePorts = at(kind(docs, "Service"), "spec", "ports");
    assertEquals("http", servicePorts.get(0).get("targetPort"));

    // HTTP_INSTANCES: one event loop per core of the CPU limit
    Object cpuLimit = at(server, "resources", "limits", "cpu");
    Object cpuRequest = at(server, "resources", "requests", "cpu");
    assertEquals(config.get("HTTP_INSTANCES"), String.valueOf(cpuLimit));
    assertEquals(String.valueOf(cpuRequest), String.valueOf(cpuLimit));

    // the servers never migrate; the Job does, directly against PostgreSQL
    assertEquals("false", config.get("DATABASE_MIGRATE_ON_START"));
    assertEquals(List.of("serve"), at(server, "args"));
    assertEquals(List.of("migrate"), at(container(job), "args"));
    String restart = at(job, "spec", "template", "spec", "restartPolicy");
    assertEquals("Never", restart);

    Set<String> known = ConfigKeys.envToKey().keySet();
    for (Map<String, Object> c : List.of(server, container(job))) {
      List<Map<String, Object>> env = at(c, "env");
      for (Map<String, Object> e : env) {
        String name = (String) e.get("name");
        assertTrue(known.contains(name), name + " is not a variable the server reads");
        Map<String, String> ref = at(e, "valueFrom", "secretKeyRef");
        if (ref != null) {
          assertEquals("bulwark-secrets", ref.get("name"));
          assertTrue(secret.containsKey(ref.get("key")), "the Secret has " + ref.get("key"));
        }
      }
    }
    for (String name : config.keySet()) {
      assertTrue(
          known.contains(name) || NOT_CONFIG_KEYS.contains(name),
          name + " is not a variable the server reads");
    }

    // the pods the PDB, HPA and Service select are the Deployment's
    Map<String, String> labels = at(deployment, "spec", "template", "metadata", "labels");
    Map<String, String> pdbSelector =
        at(kind(docs, "PodDisruptionBudget"), "spec", "selector", "matchLabels");
    assertTrue(labels.entrySet().containsAll(pdbSelector.entrySet()));
    Map<String, String> serviceSelector = at(kind(docs, "Service"), "spec", "selector");
    assertTrue(labels.entrySet().containsAll(serviceSelector.entrySet()));
    String name = at(deployment, "metadata", "name");
    String target = at(kind(docs, "HorizontalPodAutoscaler"), "spec", "scaleTargetRef", "name");
    assertEquals(name, target);
  }

  @Test
  void theDrainFitsTheProbesAndTheTerminationGraceAndProductionAcceptsTheConfig()
      throws IOException {
    List<Map<String, Object>> docs = documents();
    Map<String, Object> deployment = kind(docs, "Deployment");
    Map<String, Object> server = container(deployment);
    Map<String, String> env = new HashMap<>(at(kind(docs, "ConfigMap"), "data"));
    Map<String, String> secret = at(kind(docs, "Secret"), "stringData");
    // what the placeholders stand for: values the preflight accepts
    for (String k : secret.keySet()) {
      env.put(k, secret.get(k));
    }
    env.put("JWT_SECRET_KEY", "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx");
    env.put("PASSWORD_PEPPER", "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb");
    env.put("MFA_ENCRYPTION_KEY", "Pq7Lm2Xv9Ck4Rt8Wz1Nb6Hd3Jf5Gs0Ya2Ue7Io4Mr9T");
    Map<String, String> props = new HashMap<>();
    for (String option : env.remove("JAVA_TOOL_OPTIONS").split(" ")) {
      assertTrue(option.startsWith("-D"), option);
      String[] kv = option.substring(2).split("=", 2);
      props.put(kv[0], kv[1]);
    }
    Vertx vertx = Vertx.vertx();
    BulwarkConfig config;
    try {
      config = Await.result(new ConfigLoader(vertx, Path.of("conf")).load(env, props));
    } finally {
      vertx.close().await();
    }
    assertEquals("production", config.environment().id());
    assertTrue(config.redis().clustered(), "the example REDIS_URL is a cluster");
    assertTrue(config.database().pgbouncer());
    assertFalse(config.database().migrateOnStart());

    Duration drain = config.shutdown().drainDelay();
    Duration grace = config.shutdown().gracePeriod();
    int readinessFailsAfter =
        (Integer) at(server, "readinessProbe", "periodSeconds")
            * (Integer) at(server, "readinessProbe", "failureThreshold");
    assertTrue(
        drain.toSeconds() > readinessFailsAfter,
        "the pod keeps serving until its readiness has failed: drainDelay " + drain);
    int termination = at(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds");
    assertTrue(
        termination > drain.plus(grace).toSeconds(),
        "the kubelet waits longer than drainDelay + gracePeriod");
  }
}
