package dev.bulwark.auth;

import dev.bulwark.config.JwtConfig;
import dev.bulwark.config.SigningKeys;
import dev.bulwark.config.SigningKeys.VerificationKey;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

/**
 * {@code GET /.well-known/jwks.json}: the public keys access tokens are verified with (RFC 7517),
 * so other services can verify Bulwark's tokens themselves. Current key first, then the previous
 * keys still accepted. Empty under HS256, whose key is a shared secret. Built once; the keys change
 * only with a restart.
 */
final class Jwks {
  private final Buffer document;

  Jwks(JwtConfig config) {
    JsonArray keys = new JsonArray();
    for (VerificationKey key : config.verificationKeys()) {
      keys.add(jwk(key, config.algorithm()));
    }
    this.document = new JsonObject().put("keys", keys).toBuffer();
  }

  void handle(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", "application/jwk-set+json")
        .putHeader("Cache-Control", "public, max-age=300")
        .end(document);
  }

  static JsonObject jwk(VerificationKey key, String algorithm) {
    JsonObject jwk = new JsonObject().put("kid", key.kid()).put("use", "sig").put("alg", algorithm);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    if (key.key() instanceof RSAPublicKey rsa) {
      jwk.put("kty", "RSA")
          .put("n", b64.encodeToString(SigningKeys.unsigned(rsa.getModulus(), 0)))
          .put("e", b64.encodeToString(SigningKeys.unsigned(rsa.getPublicExponent(), 0)));
    } else if (key.key() instanceof ECPublicKey ec) {
      jwk.put("kty", "EC")
          .put("crv", "P-256")
          .put("x", b64.encodeToString(SigningKeys.unsigned(ec.getW().getAffineX(), 32)))
          .put("y", b64.encodeToString(SigningKeys.unsigned(ec.getW().getAffineY(), 32)));
    }
    return jwk;
  }
}
