package dev.bulwark.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that drives a real Bulwark over HTTP: its static {@link Server} fields are set
 * before {@code @BeforeAll} methods run. Classes asking for the same configuration ({@link #env}
 * and {@link #props}, on top of {@link TestServer#baseEnv()}) share one server, started on first
 * use and stopped when the test run ends.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(TestServers.class)
public @interface BulwarkTest {
  /** Environment variables added to the base test environment, each {@code NAME=value}. */
  String[] env() default {};

  /** Config properties (as with {@code -Dkey=value}), each {@code key=value}. */
  String[] props() default {};

  /** The static field of type {@link TestServer} that receives the server. */
  @Target(ElementType.FIELD)
  @Retention(RetentionPolicy.RUNTIME)
  @interface Server {}
}
