package dev.bulwark.auth;

import dev.bulwark.config.IdentityConfig;
import dev.bulwark.outbox.NewMessage;
import java.time.Duration;

/** The words of each email the identity flows send. Links come from configuration only. */
final class IdentityMessages {
  private final IdentityConfig config;

  IdentityMessages(IdentityConfig config) {
    this.config = config;
  }

  NewMessage verification(String email, String token) {
    return NewMessage.email(
        email,
        "Confirm your email address",
        "Confirm that this is your email address by opening this link within "
            + hours(config.verificationTtl())
            + ":\n\n"
            + config.link(config.verifyEmailLink(), token)
            + "\n\nIf you did not create an account, ignore this message.");
  }

  NewMessage reset(String email, String token) {
    return NewMessage.email(
        email,
        "Reset your password",
        "Someone (hopefully you) asked to reset the password of the account with this address. "
            + "Choose a new password within "
            + minutes(config.resetTtl())
            + " here:\n\n"
            + config.link(config.resetPasswordLink(), token)
            + "\n\nThe link works once. If you did not ask, ignore this message: your password is"
            + " unchanged.");
  }

  NewMessage signupAttempt(String email) {
    return NewMessage.email(
        email,
        "Someone tried to sign up with your address",
        "Someone tried to create an account with this email address, which already has one. "
            + "No new account was created. If it was you, sign in instead, or reset your password"
            + " if you have forgotten it.");
  }

  NewMessage secondFactorLocked(String email) {
    return NewMessage.email(
        email,
        "Your second factor was locked after failed codes",
        "Someone entered wrong authenticator or recovery codes for your account ten times within"
            + " fifteen minutes, after giving the right password. Second-factor sign-in is paused"
            + " for fifteen minutes. If it was not you, change your password now: whoever tried"
            + " knows it.");
  }

  private static String hours(Duration d) {
    return d.toHours() + " hours";
  }

  private static String minutes(Duration d) {
    return d.toMinutes() + " minutes";
  }
}
