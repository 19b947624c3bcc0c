package dev.bulwark.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;

/**
 * Checks, at start-up, that a file of trusted CAs for TLS to PostgreSQL or Redis is there and holds
 * certificates.
 */
final class CaFiles {
  private CaFiles() {}

  /** Throws {@link IllegalArgumentException} naming the file when it cannot be used. */
  static void check(String file) {
    Path path = Path.of(file);
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException("cannot read the CA file " + file);
    }
    try (InputStream in = Files.newInputStream(path)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        throw new IllegalArgumentException(
            "no certificate in the CA file " + file + " (expected PEM)");
      }
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException(
          "no certificate in the CA file " + file + " (expected PEM)");
    }
  }
}
