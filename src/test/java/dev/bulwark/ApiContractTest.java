package dev.bulwark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.ops.ApiContract;
import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * openapi.yaml and the route table describe the same API: a route missing from either side fails.
 */
@BulwarkTest
class ApiContractTest {
  @BulwarkTest.Server private static TestServer server;

  @Test
  @SuppressWarnings("unchecked")
  void everyRouteIsDocumentedAndEveryDocumentedRouteExists() {
    Map<String, Object> doc = new Yaml().load(ApiContract.load().toString());
    assertEquals("3.1.0", doc.get("openapi"));
    Set<String> documented = new TreeSet<>();
    Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) doc.get("paths");
    paths.forEach(
        (path, ops) ->
            ops.keySet().stream()
                .filter(k -> Set.of("get", "post", "put", "patch", "delete").contains(k))
                .forEach(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + path)));

    FeatureSet features = new FeatureSet(server.vertx(), server.app());
    Router router = features.router();
    features.close();
    Set<String> routed = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      if (route.getPath() == null
          || route.methods() == null
          || route.getPath().startsWith("/docs/assets")) {
        continue;
      }
      String path = route.getPath().replaceAll(":([A-Za-z_]+)", "{$1}");
      assertEquals(
          route.methods().contains(HttpMethod.GET),
          route.methods().contains(HttpMethod.HEAD),
          "HEAD wherever GET, and only there (the document says so once): " + path);
      for (HttpMethod m : route.methods()) {
        if (m != HttpMethod.HEAD) {
          routed.add(m.name() + " " + path);
        }
      }
    }
    assertEquals(documented, routed);
    assertTrue(
        doc.get("info").toString().contains("HEAD"),
        "the document says once that every GET also answers HEAD");
  }

  @Test
  void theDocumentIsServed() {
    HttpResponse<Buffer> r = server.get("/openapi.yaml");
    assertEquals(200, r.statusCode());
    assertTrue(r.getHeader("Content-Type").startsWith("application/yaml"));
    assertTrue(r.bodyAsString().startsWith("openapi: 3.1.0"));
  }
}
