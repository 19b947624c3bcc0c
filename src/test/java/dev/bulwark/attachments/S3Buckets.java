package dev.bulwark.attachments;

import dev.bulwark.testing.TestS3;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Creates a bucket on a {@link TestS3}, signed as any S3 request is. */
final class S3Buckets {
  private S3Buckets() {}

  static void create(TestS3 s3, String bucket) {
    URI endpoint = URI.create(s3.endpoint());
    Instant now = Instant.now();
    Map<String, String> headers = new TreeMap<>();
    headers.put("host", endpoint.getHost() + ":" + endpoint.getPort());
    headers.put("x-amz-date", SigV4.amzDate(now));
    headers.put("x-amz-content-sha256", SigV4.EMPTY_SHA256);
    String authorization =
        new SigV4(TestS3.IDENTITY, TestS3.CREDENTIAL, TestS3.REGION, "s3")
            .authorization("PUT", "/" + bucket, Map.of(), headers, SigV4.EMPTY_SHA256, now);
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(s3.endpoint() + "/" + bucket))
                      .PUT(HttpRequest.BodyPublishers.noBody())
                      .header("x-amz-date", headers.get("x-amz-date"))
                      .header("x-amz-content-sha256", SigV4.EMPTY_SHA256)
                      .header("Authorization", authorization)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("bucket not created: " + r.statusCode() + " " + r.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
