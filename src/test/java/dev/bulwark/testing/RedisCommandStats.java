package dev.bulwark.testing;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/**
 * Redis's per-command call counts ({@code INFO commandstats}), for tests that count what the server
 * sent. Read one snapshot per side of a window and compare.
 */
public final class RedisCommandStats {
  private RedisCommandStats() {}

  /** The server's command statistics as it reports them now. */
  public static String snapshot(Redis redis) {
    return Await.result(redis.send(Request.cmd(Command.INFO).arg("commandstats"))).toString();
  }

  /** How many times clients had sent {@code command} when Redis wrote {@code info}. */
  public static long calls(String info, String command) {
    for (String line : info.split("\r\n")) {
      if (line.startsWith("cmdstat_" + command + ":")) {
        return callsOf(line);
      }
    }
    return 0;
  }

  /**
   * Calls of every command but those {@code excluded} names (a regex alternation of lower-case
   * command names, e.g. {@code "hello|select"}).
   */
  public static long callsExcept(String info, String excluded) {
    long total = 0;
    for (String line : info.split("\r\n")) {
      if (line.startsWith("cmdstat_") && !line.matches("cmdstat_(" + excluded + ")[:|].*")) {
        total += callsOf(line);
      }
    }
    return total;
  }

  private static long callsOf(String line) {
    String calls = line.substring(line.indexOf("calls=") + 6);
    return Long.parseLong(calls.substring(0, calls.indexOf(',')));
  }
}
