package dev.bulwark.ops;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The OpenAPI document shipped in the jar ({@code openapi.yaml}). */
public final class ApiContract {
  public static final String RESOURCE = "/openapi.yaml";

  private ApiContract() {}

  public static Buffer load() {
    try (InputStream in = ApiContract.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
