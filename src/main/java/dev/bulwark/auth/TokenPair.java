package dev.bulwark.auth;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** What signup, login, refresh and password change answer (DESIGN §4). */
public record TokenPair(String accessToken, long expiresIn, String refreshToken, long refreshExpiresIn, UUID sessionId) {

  public Buffer toBuffer() {
    return new JsonObject()
        .put("access_token", accessToken)
        .put("token_type", "Bearer")
        .put("expires_in", expiresIn)
        .put("refresh_token", refreshToken)
        .put("refresh_expires_in", refreshExpiresIn)
        .put("session_id", sessionId.toString())
        .toBuffer();
  }
}
