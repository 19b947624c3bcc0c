package dev.bulwark.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.sqlclient.Tuple;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The assembled statements number their parameters in the order the repository binds them: for
 * every statement the placeholders are exactly $1..$n with n = the number of values bound. (The
 * integration tests run each shape in use.)
 */
class TaskRepositorySqlTest {
  private static final Pattern PARAM = Pattern.compile("\\$(\\d+)");

  private static int maxParam(String sql) {
    Matcher m = PARAM.matcher(sql);
    int max = 0;
    while (m.find()) {
      max = Math.max(max, Integer.parseInt(m.group(1)));
    }
    return max;
  }

  @Test
  void everyListStatementNumbersItsParametersContiguously() {
    List<ListStatement> all = ListStatement.all();
    assertEquals(
        3 * 2 * 64, all.size(), "three orders, two directions, every subset of six predicates");
    Set<String> distinct = new HashSet<>();
    for (ListStatement statement : all) {
      String sql = statement.sql();
      int bound =
          1 /* user */
              + statement.predicates().stream().mapToInt(ListStatement.Predicate::params).sum()
              + 1 /* limit */;
      assertEquals(bound, statement.params(), sql);
      assertEquals(bound, maxParam(sql), sql);
      for (int i = 1; i <= bound; i++) {
        assertTrue(
            sql.contains("$" + i + "::") || sql.contains("$" + i + " ") || sql.endsWith("$" + i),
            i + " in " + sql);
      }
      assertTrue(sql.contains("user_id = $1 AND deleted_at IS NULL"), sql);
      assertTrue(distinct.add(sql), "each statement is its own string: " + sql);
    }
  }

  @Test
  void bindingFollowsTheNumbering() {
    var after =
        new TaskListQuery.Position(
            java.time.OffsetDateTime.parse("2026-01-01T00:00Z"), UUID.randomUUID());
    TaskListQuery q =
        new TaskListQuery(
            TaskSort.DUE_AT,
            false,
            "done",
            null,
            null,
            java.time.OffsetDateTime.parse("2025-01-01T00:00Z"),
            "50%",
            null,
            20,
            after);
    ListStatement statement = ListStatement.of(q);
    assertEquals(
        EnumSet.of(
            ListStatement.Predicate.STATUS,
            ListStatement.Predicate.DUE_AFTER,
            ListStatement.Predicate.TEXT,
            ListStatement.Predicate.AFTER),
        statement.predicates());
    Tuple args = statement.bind(UUID.randomUUID(), q);
    assertEquals(statement.params(), args.size());
    assertEquals("done", args.getString(1));
    assertEquals("%50\\%%", args.getString(3));
    assertEquals(after.id(), args.getUUID(5));
    assertEquals(21, args.getInteger(6));
  }

  @Test
  void everyUpdateShapeNumbersItsParametersContiguously() {
    for (int mask = 1; mask < 32; mask++) {
      for (boolean conditional : new boolean[] {false, true}) {
        String sql = TaskRepository.updateSql(mask, conditional);
        assertEquals(2 + (conditional ? 1 : 0) + Integer.bitCount(mask), maxParam(sql), sql);
        assertTrue(sql.contains("WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"), sql);
      }
    }
  }

  @Test
  void likePatternsEscapeWildcards() {
    assertEquals("100\\% \\_x\\\\", TaskRepository.likeEscape("100% _x\\"));
  }
}
