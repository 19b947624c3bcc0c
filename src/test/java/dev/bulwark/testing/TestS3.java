package dev.bulwark.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-compatible server (s3proxy, in-memory) in a process of its own, with AWS Signature V4
 * checking on: a request signed wrongly is refused as S3 would refuse it. Its jars are copied to
 * {@code target/s3proxy/} by the build (they bring Netty 4.1 and Jetty, so they stay off this
 * classpath). Stopped by {@link #close}, and when the JVM exits.
 */
public final class TestS3 implements AutoCloseable {
  public static final String IDENTITY = "bulwark-test-identity";
  public static final String CREDENTIAL = "bulwark-test-credential-0123456789";
  public static final String REGION = "us-east-1";

  private static final Path JARS = Path.of("target/s3proxy").toAbsolutePath();

  private final int port;
  private final Path dir;
  private Process process;
  private final Thread hook;

  private TestS3(int port, Path dir, Process process) {
    this.port = port;
    this.dir = dir;
    this.process = process;
    this.hook = new Thread(this::kill);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Starts one and waits until it accepts connections. */
  public static TestS3 start() {
    if (!Files.isRegularFile(JARS.resolve("s3proxy-2.7.0.jar"))) {
      throw new IllegalStateException(
          JARS + " has no s3proxy: run the build (mvn test) so that it copies it there");
    }
    try {
      int port = TestServices.freePort();
      Path dir = Files.createTempDirectory("bulwark-s3proxy");
      Path properties = dir.resolve("s3proxy.properties");
      Files.writeString(
          properties,
          String.join(
              "\n",
              "s3proxy.endpoint=http://127.0.0.1:" + port,
              "s3proxy.authorization=aws-v4",
              "s3proxy.identity=" + IDENTITY,
              "s3proxy.credential=" + CREDENTIAL,
              "jclouds.provider=transient",
              "jclouds.identity=" + IDENTITY,
              "jclouds.credential=" + CREDENTIAL,
              "jclouds.regions=" + REGION,
              ""));
      Path logback = dir.resolve("logback.xml");
      Files.writeString(
          logback,
          "<configuration><appender name=\"E\" class=\"ch.qos.logback.core.ConsoleAppender\">"
              + "<encoder><pattern>s3proxy %level %logger{0} %msg%n</pattern></encoder></appender>"
              + "<root level=\"WARN\"><appender-ref ref=\"E\"/></root></configuration>");
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      Process p =
          new ProcessBuilder(
                  java.toString(),
                  "-Xmx256m",
                  "-XX:TieredStopAtLevel=1",
                  "-Dlogback.configurationFile=" + logback,
                  "-cp",
                  JARS + "/*",
                  "org.gaul.s3proxy.Main",
                  "--properties",
                  properties.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("s3proxy.log").toFile())
              .start();
      TestS3 s3 = new TestS3(port, dir, p);
      s3.awaitPort();
      return s3;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitPort() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("s3proxy exited; see " + dir.resolve("s3proxy.log"));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
    kill();
    throw new IllegalStateException("s3proxy did not listen within 60 s");
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** The environment that points Bulwark at this server's {@code bucket}. */
  public Map<String, String> env(String bucket) {
    Map<String, String> env = new HashMap<>();
    env.put("STORAGE_BACKEND", "s3");
    env.put("S3_ENDPOINT", endpoint());
    env.put("S3_REGION", REGION);
    env.put("S3_BUCKET", bucket);
    env.put("S3_ACCESS_KEY_ID", IDENTITY);
    env.put("S3_SECRET_ACCESS_KEY", CREDENTIAL);
    return env;
  }

  /** Kills the process now (a test of what an outage does), waiting until it is gone. */
  public synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  @Override
  public void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running (or ran) already
    }
  }
}
