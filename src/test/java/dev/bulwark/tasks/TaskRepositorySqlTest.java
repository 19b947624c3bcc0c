package dev.bulwark.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The assembled statements number their parameters in the order the repository binds them: for every shape the
 * placeholders are exactly $1..$n with n = the number of values bound. (The integration tests run each shape in use.)
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
  void everyListShapeNumbersItsParametersContiguously() {
    for (int shape = 0; shape < 512; shape++) {
      if ((shape & 3) == TaskSort.CHANGES.ordinal()) {
        continue; // delta sync has its own two statements
      }
      String sql = TaskRepository.listSql(shape);
      int bound = 1 /* user */ + Integer.bitCount(shape & (8 | 16 | 32 | 64 | 128)) + ((shape & 256) != 0 ? 2 : 0) + 1 /* limit */;
      assertEquals(bound, maxParam(sql), sql);
      for (int i = 1; i <= bound; i++) {
        assertTrue(sql.contains("$" + i + "::") || sql.contains("$" + i + " ") || sql.endsWith("$" + i), i + " in " + sql);
      }
      assertTrue(sql.contains("user_id = $1 AND deleted_at IS NULL"), sql);
    }
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
