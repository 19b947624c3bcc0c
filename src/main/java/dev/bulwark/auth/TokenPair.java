package dev.bulwark.auth;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * What signup, login, refresh and password change answer. Signup and login add a {@code
 * device_token} (see {@link DeviceTokens}); the others leave it null and the field out.
 */
public record TokenPair(
    String accessToken,
    long expiresIn,
    String refreshToken,
    long refreshExpiresIn,
    UUID sessionId,
    String deviceToken)
    implements SignInAnswer {

  public TokenPair(
      String accessToken,
      long expiresIn,
      String refreshToken,
      long refreshExpiresIn,
      UUID sessionId) {
    this(accessToken, expiresIn, refreshToken, refreshExpiresIn, sessionId, null);
  }

  public TokenPair withDeviceToken(String token) {
    return new TokenPair(accessToken, expiresIn, refreshToken, refreshExpiresIn, sessionId, token);
  }

  @Override
  public Buffer toBuffer() {
    JsonObject json =
        new JsonObject()
            .put("access_token", accessToken)
            .put("token_type", "Bearer")
            .put("expires_in", expiresIn)
            .put("refresh_token", refreshToken)
            .put("refresh_expires_in", refreshExpiresIn)
            .put("session_id", sessionId.toString());
    if (deviceToken != null) {
      json.put("device_token", deviceToken);
    }
    return json.toBuffer();
  }
}
