package dev.bulwark.tasks;

import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The list statements of {@code GET /api/v1/tasks}: an order, a direction and the optional
 * predicates a query carries. Each predicate is declared once, below, with the test that says a
 * query has it, the values it binds and the SQL it adds, so the parameters are bound in the order
 * the SQL numbers them by construction. Every statement starts with {@code user_id = $1 AND
 * deleted_at IS NULL} and ends with the keyset order and {@code LIMIT}, so the planner can serve it
 * from the order's index; each distinct statement is built once and cached (a bounded set of
 * strings for the prepared-statement cache).
 */
record ListStatement(TaskSort sort, boolean descending, Set<Predicate> predicates) {

  /** Predicates always iterate in declaration order, the order the SQL numbers them. */
  ListStatement {
    predicates =
        predicates.isEmpty() ? EnumSet.noneOf(Predicate.class) : EnumSet.copyOf(predicates);
  }

  ListStatement(TaskSort sort, boolean descending, Predicate... predicates) {
    this(sort, descending, Set.of(predicates));
  }

  /** The optional predicates, in the order they appear in the statement. */
  enum Predicate {
    STATUS {
      @Override
      boolean in(TaskListQuery q) {
        return q.status() != null;
      }

      @Override
      void bind(TaskListQuery q, Tuple args) {
        args.addString(q.status());
      }

      @Override
      String sql(TaskSort sort, boolean desc, int n) {
        return " AND status = $" + n + "::text";
      }
    },
    PRIORITY {
      @Override
      boolean in(TaskListQuery q) {
        return q.priority() != null;
      }

      @Override
      void bind(TaskListQuery q, Tuple args) {
        args.addString(q.priority());
      }

      @Override
      String sql(TaskSort sort, boolean desc, int n) {
        return " AND priority = $" + n + "::text";
      }
    },
    /**
     * Written against the due-date index's expression, so it serves both the filter and the due_at
     * order.
     */
    DUE_BEFORE {
      @Override
      boolean in(TaskListQuery q) {
        return q.dueBefore() != null;
      }

      @Override
      void bind(TaskListQuery q, Tuple args) {
        args.addOffsetDateTime(q.dueBefore());
      }

      @Override
      String sql(TaskSort sort, boolean desc, int n) {
        return " AND COALESCE(due_at, 'infinity'::timestamptz) < $" + n + "::timestamptz";
      }
    },
    DUE_AFTER {
      @Override
      boolean in(TaskListQuery q) {
        return q.dueAfter() != null;
      }

      @Override
      void bind(TaskListQuery q, Tuple args) {
        args.addOffsetDateTime(q.dueAfter());
      }

      @Override
      String sql(TaskSort sort, boolean desc, int n) {
        return " AND due_at IS NOT NULL AND COALESCE(due_at, 'infinity'::timestamptz) >= $"
            + n
            + "::timestamptz";
      }
    },
    /** {@code q}: a substring of the title or notes, its own wildcards escaped. */
    TEXT {
      @Override
      boolean in(TaskListQuery q) {
        return q.q() != null;
      }

      @Override
      void bind(TaskListQuery q, Tuple args) {
        args.addString("%" + TaskRepository.likeEscape(q.q()) + "%");
      }

      @Override
      String sql(TaskSort sort, boolean desc, int n) {
        return " AND (title ILIKE $" + n + "::text OR notes ILIKE $" + n + "::text)";
      }
    },
    /** The keyset cursor: rows strictly after the previous page's last (key, id). */
    AFTER {
      @Override
      boolean in(TaskListQuery q) {
        return q.after() != null;
      }

      @Override
      int params() {
        return 2;
      }

      @Override
      void bind(TaskListQuery q, Tuple args) {
        args.addOffsetDateTime(q.after().key()).addUUID(q.after().id());
      }

      @Override
      String sql(TaskSort sort, boolean desc, int n) {
        String key =
            sort == TaskSort.DUE_AT
                ? "COALESCE($" + n + "::timestamptz, 'infinity'::timestamptz)"
                : "$" + n + "::timestamptz";
        return " AND ("
            + sort.key
            + ", id) "
            + (desc ? "<" : ">")
            + " ("
            + key
            + ", $"
            + (n + 1)
            + "::uuid)";
      }
    };

    abstract boolean in(TaskListQuery q);

    abstract void bind(TaskListQuery q, Tuple args);

    /** The predicate's SQL, its first parameter numbered {@code n}. */
    abstract String sql(TaskSort sort, boolean desc, int n);

    /** How many values {@link #bind} adds. */
    int params() {
      return 1;
    }
  }

  private static final int ORDERS = TaskSort.values().length * 2;
  private static final AtomicReferenceArray<String> CACHE =
      new AtomicReferenceArray<>(ORDERS << Predicate.values().length);

  /** The statement a (non-sync) list query runs. */
  static ListStatement of(TaskListQuery q) {
    EnumSet<Predicate> present = EnumSet.noneOf(Predicate.class);
    for (Predicate p : Predicate.values()) {
      if (p.in(q)) {
        present.add(p);
      }
    }
    return new ListStatement(q.sort(), q.descending(), present);
  }

  /** Every statement there is (the query-plan and numbering tests walk them all). */
  static List<ListStatement> all() {
    List<ListStatement> out = new ArrayList<>();
    for (TaskSort sort : TaskSort.values()) {
      if (sort == TaskSort.CHANGES || sort == TaskSort.DISTANCE) {
        continue; // delta sync and near lists have their own two statements each
      }
      for (boolean desc : new boolean[] {false, true}) {
        for (int bits = 0; bits < 1 << Predicate.values().length; bits++) {
          EnumSet<Predicate> set = EnumSet.noneOf(Predicate.class);
          for (Predicate p : Predicate.values()) {
            if ((bits & (1 << p.ordinal())) != 0) {
              set.add(p);
            }
          }
          out.add(new ListStatement(sort, desc, set));
        }
      }
    }
    return out;
  }

  /**
   * The values for {@link #sql()}: the user, each present predicate's values in order, then the
   * limit.
   */
  Tuple bind(UUID userId, TaskListQuery q) {
    Tuple args = Tuple.of(userId);
    for (Predicate p : predicates) {
      p.bind(q, args);
    }
    return args.addInteger(q.limit() + 1);
  }

  /** How many values {@link #bind} produces. */
  int params() {
    int n = 2;
    for (Predicate p : predicates) {
      n += p.params();
    }
    return n;
  }

  String sql() {
    int index = index();
    String sql = CACHE.get(index);
    if (sql == null) {
      sql = build();
      CACHE.set(index, sql);
    }
    return sql;
  }

  private int index() {
    int bits = 0;
    for (Predicate p : predicates) {
      bits |= 1 << p.ordinal();
    }
    return (bits * ORDERS) + sort.ordinal() * 2 + (descending ? 1 : 0);
  }

  private String build() {
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(TaskRepository.COLUMNS)
            .append(", false AS deleted FROM tasks WHERE user_id = $1 AND deleted_at IS NULL");
    int n = 2;
    for (Predicate p : predicates) {
      sql.append(p.sql(sort, descending, n));
      n += p.params();
    }
    String dir = descending ? " DESC" : " ASC";
    return sql.append(" ORDER BY ")
        .append(sort.key)
        .append(dir)
        .append(", id")
        .append(dir)
        .append(" LIMIT $")
        .append(n)
        .toString();
  }
}
