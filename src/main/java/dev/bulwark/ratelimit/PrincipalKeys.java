package dev.bulwark.ratelimit;

/**
 * The Redis names of one principal. Every key of a principal carries its hash tag, so the gate
 * reads and counts them in one script call, which Redis Cluster keeps on one slot.
 */
public final class PrincipalKeys {
  private PrincipalKeys() {}

  /** The hash tag of a user's keys. */
  static String userTag(String userId) {
    return "{u:" + userId + "}";
  }

  /** One key of a user: {@code bw:{u:<id>}:<suffix>}. */
  public static String user(String userId, String suffix) {
    return "bw:{u:" + userId + "}:" + suffix;
  }

  static String ipTag(String clientKey) {
    return "{ip:" + clientKey + "}";
  }

  static String sessionTag(String sessionId) {
    return "{s:" + sessionId + "}";
  }
}
