package dev.bulwark.attachments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The signer against AWS's published values: the Signature V4 test suite's {@code get-vanilla} and
 * {@code post-vanilla}, and the worked examples of the S3 API reference ("Signature Calculations
 * for the Authorization Header" and "Authenticating Requests: Using Query Parameters").
 */
class SigV4Test {
  private static final String SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  private static final Instant SUITE_DATE = Instant.parse("2015-08-30T12:36:00Z");
  private static final String S3_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  private static final Instant S3_DATE = Instant.parse("2013-05-24T00:00:00Z");

  private static final SigV4 SUITE = new SigV4("AKIDEXAMPLE", SUITE_SECRET, "us-east-1", "service");
  private static final SigV4 S3 = new SigV4("AKIAIOSFODNN7EXAMPLE", S3_SECRET, "us-east-1", "s3");

  private static Map<String, String> headers(String... pairs) {
    Map<String, String> out = new TreeMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put(pairs[i], pairs[i + 1]);
    }
    return out;
  }

  @Test
  void getVanilla() {
    assertEquals(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=host;x-amz-date, "
            + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        SUITE.authorization(
            "GET",
            "/",
            Map.of(),
            headers("host", "example.amazonaws.com", "x-amz-date", "20150830T123600Z"),
            SigV4.EMPTY_SHA256,
            SUITE_DATE));
  }

  @Test
  void postVanilla() {
    assertEquals(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=host;x-amz-date, "
            + "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        SUITE.authorization(
            "POST",
            "/",
            Map.of(),
            headers("host", "example.amazonaws.com", "x-amz-date", "20150830T123600Z"),
            SigV4.EMPTY_SHA256,
            SUITE_DATE));
  }

  @Test
  void s3GetObjectWithRange() {
    assertEquals(
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        S3.authorization(
            "GET",
            "/test.txt",
            Map.of(),
            headers(
                "host", "examplebucket.s3.amazonaws.com",
                "range", "bytes=0-9",
                "x-amz-content-sha256", SigV4.EMPTY_SHA256,
                "x-amz-date", "20130524T000000Z"),
            SigV4.EMPTY_SHA256,
            S3_DATE));
  }

  @Test
  void s3PutObject() {
    String payload = SigV4.sha256Hex("Welcome to Amazon S3.".getBytes(StandardCharsets.UTF_8));
    assertEquals("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", payload);
    assertEquals(
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
            + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        S3.authorization(
            "PUT",
            "/test$file.text",
            Map.of(),
            headers(
                "date", "Fri, 24 May 2013 00:00:00 GMT",
                "host", "examplebucket.s3.amazonaws.com",
                "x-amz-content-sha256", payload,
                "x-amz-date", "20130524T000000Z",
                "x-amz-storage-class", "REDUCED_REDUNDANCY"),
            payload,
            S3_DATE));
  }

  @Test
  void s3GetBucketLifecycleAndListObjects() {
    Map<String, String> h =
        headers(
            "host", "examplebucket.s3.amazonaws.com",
            "x-amz-content-sha256", SigV4.EMPTY_SHA256,
            "x-amz-date", "20130524T000000Z");
    assertTrue(
        S3.authorization("GET", "/", Map.of("lifecycle", ""), h, SigV4.EMPTY_SHA256, S3_DATE)
            .endsWith(
                "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
    assertTrue(
        S3.authorization(
                "GET", "/", Map.of("max-keys", "2", "prefix", "J"), h, SigV4.EMPTY_SHA256, S3_DATE)
            .endsWith(
                "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
  }

  @Test
  void s3PresignedGet() {
    assertEquals(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
        S3.presign(
            "GET",
            "/test.txt",
            Map.of(),
            headers("host", "examplebucket.s3.amazonaws.com"),
            null,
            SigV4.UNSIGNED_PAYLOAD,
            S3_DATE,
            Duration.ofDays(1)));
  }
}
