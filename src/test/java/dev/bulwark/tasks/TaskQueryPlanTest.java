package dev.bulwark.tasks;

import static dev.bulwark.tasks.ListStatement.Predicate.AFTER;
import static dev.bulwark.tasks.ListStatement.Predicate.DUE_AFTER;
import static dev.bulwark.tasks.ListStatement.Predicate.DUE_BEFORE;
import static dev.bulwark.tasks.ListStatement.Predicate.STATUS;
import static dev.bulwark.tasks.TaskSort.CREATED_AT;
import static dev.bulwark.tasks.TaskSort.DUE_AT;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.TestServices;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The statements TaskRepository actually sends are answered by an index scan in key order (no sort,
 * no scan of the user's other rows), on a seeded database of 60,000 tasks (20,000 for one user),
 * with custom and generic plans. A change to the SQL or the indexes that breaks this fails here,
 * not in production. (The 1M-row version of this check is
 * src/test/resources/sql/tasks-explain.sql.)
 */
class TaskQueryPlanTest {
  private static final String USER = "'00000000-0000-4000-8000-000000000000'";
  private static Connection db;

  @BeforeAll
  static void seed() throws SQLException {
    TestServices services = TestServices.get();
    String url = services.freshDatabaseUrl();
    String jdbc = "jdbc:postgresql://127.0.0.1:" + url.substring(url.lastIndexOf(':') + 1);
    Flyway.configure()
        .dataSource(jdbc, "postgres", null)
        .locations("classpath:db/migration")
        .load()
        .migrate();
    db = services.jdbc(url);
    try (Statement s = db.createStatement()) {
      s.execute(
          "INSERT INTO users (id, email, password_hash) SELECT CASE WHEN n = 0 THEN "
              + USER
              + "::uuid ELSE gen_random_uuid() END, 'p' || n || '@example.com', 'x' FROM generate_series(0, 40) AS n");
      s.execute(
          """
          INSERT INTO tasks (user_id, title, notes, status, priority, due_at, created_at, updated_at, deleted_at, lat, lon)
          SELECT u.id, 'Task ' || n, NULL, (ARRAY['todo', 'in_progress', 'done'])[1 + n % 3],
                 (ARRAY['low', 'normal', 'high'])[1 + n % 3],
                 CASE WHEN n % 10 < 3 THEN NULL ELSE now() + make_interval(days => (n % 300)::int) END,
                 now() - make_interval(secs => n * 60), now() - make_interval(secs => n * 50),
                 CASE WHEN n % 33 = 0 THEN now() - make_interval(secs => n * 50) END,
                 CASE WHEN n % 2 = 0 THEN 35 + (n * 7919 % 3000) / 100.0 END,
                 CASE WHEN n % 2 = 0 THEN -10 + (n * 104729 % 4000) / 100.0 END
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

  private static void assertIndexOrdered(String sql, String args, String index)
      throws SQLException {
    assertIndexed(sql, args, index, true);
  }

  /** {@code index} null: any of the per-user indexes. */
  private static void assertIndexed(String sql, String args, String index, boolean inKeyOrder)
      throws SQLException {
    for (boolean generic : new boolean[] {false, true}) {
      String plan = plan(sql, args, generic);
      String using = index == null ? "tasks_user_" : index;
      String where = (generic ? "generic" : "custom") + ":\n" + sql + "\n" + plan;
      boolean ordered =
          plan.contains("Index Scan using " + using)
              || plan.contains("Index Scan Backward using " + using);
      boolean bitmap = plan.contains("Bitmap Index Scan on " + using);
      assertTrue(ordered || (!inKeyOrder && bitmap), where);
      assertFalse(inKeyOrder && (plan.contains("Sort") || bitmap), where);
      assertTrue(
          plan.lines().anyMatch(l -> l.contains("Index Cond: (") && l.contains("user_id = ")),
          where);
      assertFalse(plan.contains("Seq Scan"), where);
    }
  }

  private static String list(TaskSort sort, boolean desc, ListStatement.Predicate... predicates) {
    return new ListStatement(sort, desc, predicates).sql();
  }

  private static final String CURSOR_ID = "'ffffffff-ffff-4fff-bfff-ffffffffffff'";

  @Test
  void defaultListFirstPageAndDeepPage() throws SQLException {
    assertIndexOrdered(list(CREATED_AT, true), USER + ", 21", "tasks_user_created_idx");
    assertIndexOrdered(
        list(CREATED_AT, true, AFTER),
        USER + ", now() - interval '10 days', " + CURSOR_ID + ", 21",
        "tasks_user_created_idx");
    assertIndexOrdered(
        list(CREATED_AT, false, AFTER),
        USER + ", now() - interval '10 days', " + CURSOR_ID + ", 21",
        "tasks_user_created_idx");
  }

  @Test
  void statusFilteredList() throws SQLException {
    assertIndexOrdered(
        list(CREATED_AT, true, STATUS, AFTER),
        USER + ", 'done', now() - interval '10 days', " + CURSOR_ID + ", 21",
        "tasks_user_status_created_idx");
  }

  @Test
  void dueOrderedAndDueFilteredList() throws SQLException {
    assertIndexOrdered(list(DUE_AT, false), USER + ", 21", "tasks_user_due_idx");
    assertIndexOrdered(
        list(DUE_AT, false, AFTER),
        USER + ", now() + interval '30 days', " + CURSOR_ID + ", 21",
        "tasks_user_due_idx");
    assertIndexOrdered(
        list(DUE_AT, false, AFTER), USER + ", NULL, " + CURSOR_ID + ", 21", "tasks_user_due_idx");
    assertIndexOrdered(
        list(DUE_AT, true, AFTER), USER + ", NULL, " + CURSOR_ID + ", 21", "tasks_user_due_idx");
    assertIndexOrdered(
        list(DUE_AT, false, DUE_BEFORE, DUE_AFTER, AFTER),
        USER
            + ", now() + interval '200 days', now() + interval '10 days', "
            + "now() + interval '30 days', "
            + CURSOR_ID
            + ", 21",
        "tasks_user_due_idx");
  }

  /**
   * Every list statement the server can send is answered from a per-user index (user_id in the
   * index condition), never by a scan of the table. (Key order without a sort is checked above for
   * the statements clients use most; with several filters the planner may rightly take a filter's
   * own index and sort the rows it bounds.)
   */
  @Test
  void everyListStatementUsesAPerUserIndex() throws SQLException {
    Map<ListStatement.Predicate, String> values =
        Map.of(
            STATUS,
            "'done'",
            ListStatement.Predicate.PRIORITY,
            "'high'",
            DUE_BEFORE,
            "now() + interval '200 days'",
            DUE_AFTER,
            "now() + interval '10 days'",
            ListStatement.Predicate.TEXT,
            "'%Task 1%'",
            AFTER,
            "now() - interval '10 days', " + CURSOR_ID);
    for (ListStatement statement : ListStatement.all()) {
      StringBuilder args = new StringBuilder(USER);
      statement.predicates().forEach(p -> args.append(", ").append(values.get(p)));
      assertIndexed(statement.sql(), args.append(", 21").toString(), null, false);
    }
  }

  /**
   * A near list is answered by the per-user GiST index on {@code ll_to_earth(lat, lon)} (user_id
   * and the earth box both in its index condition, the box test commuted to {@code <@}), then
   * sorted by distance: the rows it sorts are those in the box, not the user's tasks.
   */
  @Test
  void nearListsUseTheLocationIndex() throws SQLException {
    String point = USER + ", 50.0::float8, 10.0::float8, 50000::float8";
    for (String[] statement :
        new String[][] {
          {TaskRepository.NEAR_FIRST, point + ", 21"},
          {TaskRepository.NEAR_NEXT, point + ", 1234.5::float8, " + CURSOR_ID + ", 21"}
        }) {
      assertIndexed(statement[0], statement[1], "tasks_user_location_idx", false);
      for (boolean generic : new boolean[] {false, true}) {
        String plan = plan(statement[0], statement[1], generic);
        assertTrue(
            plan.lines()
                .anyMatch(
                    l ->
                        l.contains("Index Cond: (")
                            && l.contains("ll_to_earth(lat, lon))::cube <@")),
            plan);
      }
    }
  }

  @Test
  void deltaSync() throws SQLException {
    assertIndexOrdered(
        TaskRepository.SYNC_FIRST,
        USER + ", now() - interval '2 days', 21",
        "tasks_user_updated_idx");
    assertIndexOrdered(
        TaskRepository.SYNC_NEXT,
        USER + ", now() - interval '2 days', " + CURSOR_ID + ", 21",
        "tasks_user_updated_idx");
  }
}
