package dev.bulwark.ratelimit;

import dev.bulwark.ratelimit.RateLimitRules.AppliedLimit;
import dev.bulwark.ratelimit.RateLimitRules.Selection;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * The script call of one check: a group per principal — the address {@code {ip:..}}, the user
 * {@code {u:..}} (with the caller's keys to read) and the session {@code {s:..}} — each group with
 * only keys of that principal's hash tag.
 */
final class ScriptCalls {
  static final boolean EVALSHA = true;
  static final boolean EVAL = false;

  /**
   * One principal's call: its tag, the user it stands for (null for an address), whether it is the
   * caller's (rather than the address's), the caller's keys read with it, and its limits.
   */
  record Group(
      String tag,
      String userId,
      boolean ofCaller,
      List<String> checkKeys,
      List<AppliedLimit> limits) {}

  final List<Group> groups = new ArrayList<>(3);

  /** {@code ipTag} is needed only when an address limit applies. */
  static ScriptCalls of(String ipTag, Selection selection, Caller caller) {
    ScriptCalls calls = new ScriptCalls();
    if (!selection.byIp().isEmpty()) {
      calls.groups.add(new Group(ipTag, null, false, List.of(), selection.byIp()));
    }
    if (caller != null && (!caller.checkKeys().isEmpty() || !selection.byUser().isEmpty())) {
      calls.groups.add(
          new Group(
              PrincipalKeys.userTag(caller.userId()),
              caller.userId(),
              true,
              caller.checkKeys(),
              selection.byUser()));
    }
    if (!selection.bySession().isEmpty()) {
      calls.groups.add(
          new Group(
              PrincipalKeys.sessionTag(caller.sessionId()),
              caller.userId(),
              true,
              List.of(),
              selection.bySession()));
    }
    return calls;
  }

  boolean isEmpty() {
    return groups.isEmpty();
  }

  boolean hasLimits() {
    for (Group g : groups) {
      if (!g.limits().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The one script call of this check: every principal's group in one command (the script judges
   * each group on its own, as separate calls would), so a request costs Redis one command.
   */
  Request request(boolean bySha) {
    return request(groups, bySha);
  }

  /**
   * The call of group {@code g} alone, for Redis Cluster (a script there may touch one slot only,
   * and each group's keys share one hash tag); {@code g} = -1: the one call of every group.
   */
  Request request(int g, boolean bySha) {
    return g < 0 ? request(groups, bySha) : request(List.of(groups.get(g)), bySha);
  }

  /** Each group's reply, in order: from the one call's reply, or from one reply per group. */
  List<Response> groupReplies(List<Response> replies) {
    List<Response> out = new ArrayList<>(groups.size());
    if (replies.size() == 1) {
      Response all = replies.get(0);
      for (int g = 0; g < groups.size(); g++) {
        out.add(all.get(g));
      }
    } else {
      for (Response r : replies) {
        out.add(r.get(0));
      }
    }
    return out;
  }

  private static Request request(List<Group> groups, boolean bySha) {
    Request r =
        bySha
            ? Request.cmd(Command.EVALSHA).arg(SlidingWindowScript.SHA1)
            : Request.cmd(Command.EVAL).arg(SlidingWindowScript.TEXT);
    int keys = 0;
    for (Group g : groups) {
      keys += g.checkKeys().size() + g.limits().size();
    }
    r.arg(keys);
    for (Group g : groups) {
      g.checkKeys().forEach(r::arg);
      for (AppliedLimit l : g.limits()) {
        r.arg("bw:" + g.tag() + l.keySuffix());
      }
    }
    r.arg(groups.size());
    for (Group g : groups) {
      r.arg(g.checkKeys().size()).arg(g.limits().size());
      for (AppliedLimit l : g.limits()) {
        r.arg(l.countArg()).arg(l.windowArg());
      }
    }
    return r;
  }
}
