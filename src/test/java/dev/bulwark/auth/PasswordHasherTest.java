package dev.bulwark.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.HasherConfig;
import dev.bulwark.core.Failure;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private PasswordHasher deploy(int rounds, int capacity) {
    return deploy(rounds, capacity, 0, "hasher-test");
  }

  private PasswordHasher deploy(int rounds, int capacity, int niceness, String pool) {
    return deploy(rounds, capacity, niceness, false, pool);
  }

  private PasswordHasher deploy(int rounds, int capacity, int niceness, boolean idle, String pool) {
    HasherConfig config =
        new HasherConfig(2, rounds, capacity, Duration.ofSeconds(30), niceness, idle);
    WorkerNiceness nice = new WorkerNiceness(niceness, idle);
    PasswordHashes hashes = new PasswordHashes("hasher-test-pepper-0123456789-abcdefghijk", rounds);
    PasswordHasher front = new PasswordHasher(vertx, config);
    vertx
        .deployVerticle(
            () -> new PasswordHasherVerticle(hashes, nice, front),
            new DeploymentOptions()
                .setThreadingModel(ThreadingModel.WORKER)
                .setInstances(2)
                .setWorkerPoolName(pool)
                .setWorkerPoolSize(2))
        .await();
    return front;
  }

  /**
   * The nice values of this process's threads whose name starts with {@code prefix}, from /proc.
   */
  private static List<Integer> nicenessOfThreads(String prefix) throws IOException {
    return statOfThreads(prefix, 16); // field 19 of stat: nice
  }

  /** Hashes {@code n} passwords at once and waits for all of them (every worker gets to hash). */
  private static void hashAll(PasswordHasher hasher, int n) {
    List<Future<String>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(hasher.hash("password-" + i));
    }
    calls.forEach(f -> f.await());
  }

  /** The scheduling policies of those threads (field 41 of stat; SCHED_IDLE is 5). */
  private static List<Integer> policyOfThreads(String prefix) throws IOException {
    return statOfThreads(prefix, 38);
  }

  /** Field {@code index} (counted after the command's closing parenthesis) of their stat. */
  private static List<Integer> statOfThreads(String prefix, int index) throws IOException {
    List<Integer> out = new ArrayList<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          if (Files.readString(task.resolve("comm")).trim().startsWith(prefix)) {
            String stat = Files.readString(task.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            out.add(Integer.parseInt(fields[index]));
          }
        } catch (NoSuchFileException ended) {
          // the thread ended while we looked
        }
      }
    }
    return out;
  }

  @Test
  void admissionRefusesAtOnceOnlyWhileTheQueueIsFull() {
    PasswordHasher hasher = deploy(12, 2);
    assertTrue(hasher.admission().succeeded(), "room in the queue");
    List<Future<String>> slow = List.of(hasher.hash("password-1"), hasher.hash("password-2"));
    Future<Void> refused = hasher.admission();
    assertTrue(refused.failed(), "a full queue is answered without waiting");
    assertEquals("server_busy", ((Failure) refused.cause()).code());
    assertEquals(1, hasher.rejectedTotal(), "and counted as a busy rejection");
    slow.forEach(f -> f.await());
    assertTrue(hasher.admission().succeeded(), "room again once the hashes are done");
  }

  /**
   * The queue is measured in work, not requests: starved workers (each hash 4× its cost) must not
   * keep 8 logins waiting 8 slow hashes — past a mobile client's 10 s timeout at cost 12.
   */
  @Test
  void aQueueOfSlowHashesAdmitsOnlyWhatTheUsualQueueWouldTakeToFinish() {
    long cost12 = 330_000_000L;
    for (int outstanding = 0; outstanding < 8; outstanding++) {
      assertTrue(
          PasswordHasher.admits(outstanding, 8, cost12, cost12), "usual speed: " + outstanding);
    }
    assertFalse(PasswordHasher.admits(8, 8, cost12, cost12), "full");

    long starved = 4 * cost12;
    assertTrue(PasswordHasher.admits(0, 8, starved, cost12));
    assertTrue(PasswordHasher.admits(1, 8, starved, cost12), "2 × 1.32 s ≤ 8 × 0.33 s × 1.25");
    assertFalse(
        PasswordHasher.admits(2, 8, starved, cost12), "3 slow hashes are more than 8 usual ones");

    assertTrue(PasswordHasher.admits(7, 8, 0, 0), "nothing measured yet: the count decides");
    assertFalse(PasswordHasher.admits(8, 8, 0, 0));

    long cheap = 2_000_000L;
    assertTrue(
        PasswordHasher.admits(7, 8, 10 * cheap, cheap),
        "under a second of work in all is always admitted (test-cost hashes are all jitter)");
  }

  /**
   * Only hashes at the configured cost set the fastest: a cheap legacy hash that matched (verified
   * at its own, lower cost) must not make every later hash look slow.
   */
  @Test
  void hashTimesLearnTheCostFromFullCostHashesOnly() {
    HashTimes times = new HashTimes();
    assertEquals(0, times.fastestNanos());
    times.record(330_000_000L, true);
    times.record(20_000_000L, false);
    assertEquals(330_000_000L, times.fastestNanos());
    times.record(1_320_000_000L, true);
    assertEquals(330_000_000L, times.fastestNanos());
    assertTrue(times.recentNanos() > 330_000_000L, "a slow hash moves the average up");
  }

  @Test
  void bcryptThreadsRunNicedAndOnlyThem() throws IOException {
    PasswordHasher hasher = deploy(4, 16, 10, "nicetest");
    hashAll(hasher, 8);
    List<Integer> niced = nicenessOfThreads("nicetest");
    assertFalse(niced.isEmpty(), "the pool's threads are visible");
    assertTrue(
        niced.stream().allMatch(n -> n == 10),
        "every bcrypt thread that hashed is niced: " + niced);
    assertTrue(
        nicenessOfThreads("vert.x-eventloop").stream().allMatch(n -> n == 0),
        "event loops keep their priority");
  }

  @Test
  void idlePolicyPutsTheBcryptThreadsAndOnlyThemUnderSchedIdle() throws IOException {
    PasswordHasher hasher = deploy(4, 16, 10, true, "idletest");
    hashAll(hasher, 8);
    List<Integer> policies = policyOfThreads("idletest");
    assertFalse(policies.isEmpty(), "the pool's threads are visible");
    assertTrue(
        policies.stream().allMatch(p -> p == 5),
        "every bcrypt thread that hashed runs under SCHED_IDLE (5): " + policies);
    assertTrue(
        policyOfThreads("vert.x-eventloop").stream().allMatch(p -> p == 0),
        "event loops keep the normal policy");
  }

  @Test
  void nicenessZeroLeavesThreadsAlone() throws IOException {
    PasswordHasher hasher = deploy(4, 4, 0, "plaintest");
    hasher.hash("password-1").await();
    assertTrue(nicenessOfThreads("plaintest").stream().allMatch(n -> n == 0));
  }

  @Test
  void hashesOnWorkerThreadsAndVerifies() {
    PasswordHasher hasher = deploy(4, 4);
    String hash = hasher.hash("correct horse battery").await();
    assertTrue(hash.startsWith("$hmac1$2a$04$"), hash);
    assertTrue(hasher.verify("correct horse battery", hash).await());
    assertFalse(hasher.verify("correct horse batterY", hash).await());
    assertEquals(0, hasher.outstanding());
  }

  @Test
  void loginVerificationAnswersTheUpgradedHashOnlyForAStaleHashThatMatched() {
    PasswordHasher hasher = deploy(5, 4);
    String legacy =
        at.favre.lib.crypto.bcrypt.BCrypt.withDefaults()
            .hashToString(4, "old password 1".toCharArray());
    PasswordHasher.Verified upgraded = hasher.verifyAndUpgrade("old password 1", legacy).await();
    assertTrue(upgraded.matches());
    assertTrue(upgraded.upgradedHash().startsWith("$hmac1$2a$05$"), upgraded.upgradedHash());
    assertTrue(hasher.verify("old password 1", upgraded.upgradedHash()).await());

    PasswordHasher.Verified wrong = hasher.verifyAndUpgrade("old password 2", legacy).await();
    assertFalse(wrong.matches());
    assertEquals(null, wrong.upgradedHash(), "a wrong password never gets a hash made");

    String current = hasher.hash("new password 1").await();
    PasswordHasher.Verified fresh = hasher.verifyAndUpgrade("new password 1", current).await();
    assertTrue(fresh.matches());
    assertEquals(null, fresh.upgradedHash(), "a current hash is left alone");
    assertTrue(hasher.verifyAndUpgrade("x", hasher.decoyHash()).map(v -> !v.matches()).await());
  }

  @Test
  void fullQueueFailsFastWithServerBusy() throws Exception {
    PasswordHasher hasher = deploy(10, 2);
    List<Future<String>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(hasher.hash("password-" + i));
    }
    int busy = 0;
    int done = 0;
    for (Future<String> f : calls) {
      try {
        f.await();
        done++;
      } catch (Failure e) {
        assertEquals(Failure.Kind.UNAVAILABLE, e.kind());
        assertEquals("server_busy", e.code());
        assertTrue(e.retryAfterSeconds() >= 1);
        busy++;
      }
    }
    assertEquals(2, done, "only the queue capacity is admitted");
    assertEquals(18, busy);
    assertEquals(18, hasher.rejectedTotal());
    assertEquals(0, hasher.outstanding(), "slots are released when work completes");
    assertTrue(hasher.hash("after the burst").await().startsWith("$hmac1$2a$10$"));
  }
}
