package dev.bulwark.tasks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.TestServices;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The statements TaskRepository actually sends are answered by an index scan in key order (no sort, no scan of the
 * user's other rows), on a seeded database of 60,000 tasks (20,000 for one user), with custom and generic plans.
 * A change to the SQL or the indexes that breaks this fails here, not in production. (The 1M-row version of this
 * check is src/test/resources/sql/tasks-explain.sql.)
 */
class TaskQueryPlanTest {
  private static final String USER = "'00000000-0000-4000-8000-000000000000'";
  private static Connection db;

  @BeforeAll
  static void seed() throws SQLException {
    TestServices services = TestServices.get();
    String url = services.freshDatabaseUrl();
    String jdbc = "jdbc:postgresql://127.0.0.1:" + url.substring(url.lastIndexOf(':') + 1);
    Flyway.configure().dataSource(jdbc, "postgres", null).locations("classpath:db/migration").load().migrate();
    db = services.jdbc(url);
    try (Statement s = db.createStatement()) {
      s.execute("INSERT INTO users (id, email, password_hash) SELECT CASE WHEN n = 0 THEN " + USER
          + "::uuid ELSE gen_random_uuid() END, 'p' || n || '@example.com', 'x' FROM generate_series(0, 40) AS n");
      s.execute("""
          INSERT INTO tasks (user_id, title, notes, status, priority, due_at, created_at, updated_at, deleted_at)
          SELECT u.id, 'Task ' || n, NULL, (ARRAY['todo', 'in_progress', 'done'])[1 + n % 3],
                 (ARRAY['low', 'normal', 'high'])[1 + n % 3],
                 CASE WHEN n % 10 < 3 THEN NULL ELSE now() + make_interval(days => (n % 300)::int) END,
                 now() - make_interval(secs => n * 60), now() - make_interval(secs => n * 50),
                 CASE WHEN n % 33 = 0 THEN now() - make_interval(secs => n * 50) END
          FROM users u CROSS JOIN LATERAL generate_series(1, CASE WHEN u.email = 'p0@example.com' THEN 20000 ELSE 1000 END) AS n""");
      s.execute("VACUUM ANALYZE tasks");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    db.close();
  }

  private static String plan(String sql, String args, boolean generic) throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute("SET plan_cache_mode = " + (generic ? "force_generic_plan" : "force_custom_plan"));
      s.execute("DEALLOCATE ALL");
      s.execute("PREPARE q AS " + sql);
      StringBuilder out = new StringBuilder();
      try (ResultSet rs = s.executeQuery("EXPLAIN (COSTS OFF) EXECUTE q(" + args + ")")) {
        while (rs.next()) {
          out.append(rs.getString(1)).append('\n');
        }
      }
      return out.toString();
    }
  }

  private static void assertIndexOrdered(String sql, String args, String index) throws SQLException {
    for (boolean generic : new boolean[] {false, true}) {
      String plan = plan(sql, args, generic);
      assertTrue(plan.contains("Index Scan using " + index + " on tasks")
          || plan.contains("Index Scan Backward using " + index + " on tasks"), (generic ? "generic" : "custom") + ":\n" + plan);
      assertFalse(plan.contains("Sort"), plan);
      assertTrue(plan.lines().anyMatch(l -> l.contains("Index Cond: (") && l.contains("user_id = ")), plan);
      assertFalse(plan.contains("Seq Scan") || plan.contains("Bitmap"), plan);
    }
  }

  /** Shape bits as in TaskRepository.listSql: order 0-1, desc 4, status 8, priority 16, due_before 32, due_after 64, q 128, cursor 256. */
  private static String list(int shape) {
    return TaskRepository.listSql(shape);
  }

  private static final String CURSOR_ID = "'ffffffff-ffff-4fff-bfff-ffffffffffff'";

  @Test
  void defaultListFirstPageAndDeepPage() throws SQLException {
    int created = TaskSort.CREATED_AT.ordinal() | 4;
    assertIndexOrdered(list(created), USER + ", 21", "tasks_user_created_idx");
    assertIndexOrdered(list(created | 256), USER + ", now() - interval '10 days', " + CURSOR_ID + ", 21", "tasks_user_created_idx");
    assertIndexOrdered(list(TaskSort.CREATED_AT.ordinal() | 256), USER + ", now() - interval '10 days', " + CURSOR_ID + ", 21",
        "tasks_user_created_idx");
  }

  @Test
  void statusFilteredList() throws SQLException {
    int shape = TaskSort.CREATED_AT.ordinal() | 4 | 8 | 256;
    assertIndexOrdered(list(shape), USER + ", 'done', now() - interval '10 days', " + CURSOR_ID + ", 21",
        "tasks_user_status_created_idx");
  }

  @Test
  void dueOrderedAndDueFilteredList() throws SQLException {
    int due = TaskSort.DUE_AT.ordinal();
    assertIndexOrdered(list(due), USER + ", 21", "tasks_user_due_idx");
    assertIndexOrdered(list(due | 256), USER + ", now() + interval '30 days', " + CURSOR_ID + ", 21", "tasks_user_due_idx");
    assertIndexOrdered(list(due | 256), USER + ", NULL, " + CURSOR_ID + ", 21", "tasks_user_due_idx");
    assertIndexOrdered(list(due | 4 | 256), USER + ", NULL, " + CURSOR_ID + ", 21", "tasks_user_due_idx");
    assertIndexOrdered(list(due | 32 | 64 | 256), USER + ", now() + interval '200 days', now() + interval '10 days', "
        + "now() + interval '30 days', " + CURSOR_ID + ", 21", "tasks_user_due_idx");
  }

  @Test
  void deltaSync() throws SQLException {
    assertIndexOrdered(TaskRepository.SYNC_FIRST, USER + ", now() - interval '2 days', 21", "tasks_user_updated_idx");
    assertIndexOrdered(TaskRepository.SYNC_NEXT, USER + ", now() - interval '2 days', " + CURSOR_ID + ", 21",
        "tasks_user_updated_idx");
  }
}
