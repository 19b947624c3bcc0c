package dev.bulwark.ops;

import dev.bulwark.http.Access;
import dev.bulwark.http.ApiRouter;
import dev.bulwark.http.RouteModule;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code /docs}: Swagger UI (from its webjar) over {@code /openapi.yaml}, mounted only where docs
 * are enabled. The page gets its own Content-Security-Policy: same-origin scripts and styles,
 * nothing inline but styles.
 */
public final class DocsRoutes implements RouteModule {
  private static final String SWAGGER_UI =
      "META-INF/resources/webjars/swagger-ui/" + swaggerVersion();
  private static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
  private static final Buffer PAGE = resource("/docs/index.html");
  private static final Buffer INIT = resource("/docs/init.js");

  @Override
  public void mount(ApiRouter api) {
    api.route(
        HttpMethod.GET, "/docs", Access.PUBLIC, ctx -> send(ctx, "text/html; charset=utf-8", PAGE));
    api.route(
        HttpMethod.GET,
        "/docs/init.js",
        Access.PUBLIC,
        ctx -> send(ctx, "text/javascript; charset=utf-8", INIT));
    api.assets("/docs/assets/*")
        .handler(
            ctx -> {
              ctx.response()
                  .putHeader("Content-Security-Policy", CSP)
                  .putHeader("Cache-Control", "public, max-age=3600");
              ctx.next();
            })
        .handler(
            StaticHandler.create(SWAGGER_UI).setCachingEnabled(true).setDirectoryListing(false));
  }

  private static void send(RoutingContext ctx, String type, Buffer body) {
    ctx.response()
        .putHeader("Content-Type", type)
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("Cache-Control", "public, max-age=300")
        .end(body);
  }

  private static String swaggerVersion() {
    try (InputStream in =
        DocsRoutes.class.getResourceAsStream(
            "/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
      java.util.Properties p = new java.util.Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "5.18.2");
    } catch (IOException e) {
      return "5.18.2";
    }
  }

  private static Buffer resource(String path) {
    try (InputStream in = DocsRoutes.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(path + " is missing from the classpath");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
