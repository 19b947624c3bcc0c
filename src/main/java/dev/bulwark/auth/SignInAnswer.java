package dev.bulwark.auth;

import io.vertx.core.buffer.Buffer;

/** What a correct password answers: a token pair, or the second step of an MFA login. */
public sealed interface SignInAnswer permits TokenPair, MfaChallenges.Challenge {
  Buffer toBuffer();
}
