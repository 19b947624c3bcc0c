package dev.bulwark.core;

/**
 * The three levels of authority an account can hold, lowest first. Deployments name them (config
 * {@code auth.roles}: citizen, officer, admin); the code reasons only about the level.
 */
public enum Role {
  /** Every account starts here: its own data only. */
  USER,
  /** Reads the administration API (accounts, their sessions, the audit trail). */
  STAFF,
  /** Everything staff may, and acts on accounts: roles, disabling, ending sessions. */
  ADMIN;

  /** Whether this level includes {@code required}. */
  public boolean atLeast(Role required) {
    return compareTo(required) >= 0;
  }
}
