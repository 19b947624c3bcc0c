package dev.bulwark.attachments;

import dev.bulwark.core.Failure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Reads an object that a client uploaded directly through the same checks a streamed upload passes:
 * the first KiB decides the type, the type's structure check follows the rest (refusing polyglots),
 * and a running SHA-256 and length describe it. Nothing is stripped: the object is what it is.
 * Stops reading (and fails) past {@code maxSize} bytes.
 */
final class ObjectCheck {
  /** What the object turned out to be. */
  record Checked(FileType type, long size, String sha256) {}

  private final Set<String> allowed;
  private final long maxSize;
  private final Promise<Checked> result = Promise.promise();
  private ReadStream<Buffer> stream;
  private Buffer head = Buffer.buffer();
  private FileType type;
  private StructureCheck check;
  private final MessageDigest sha256;
  private long size;
  private boolean done;

  private ObjectCheck(Set<String> allowed, long maxSize) {
    this.allowed = allowed;
    this.maxSize = maxSize;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  static Future<Checked> of(ReadStream<Buffer> stream, Set<String> allowed, long maxSize) {
    ObjectCheck c = new ObjectCheck(allowed, maxSize);
    c.stream = stream;
    stream.exceptionHandler(c::fail);
    stream.handler(c::onData);
    stream.endHandler(v -> c.onEnd());
    stream.resume();
    return c.result.future();
  }

  private void onData(Buffer data) {
    if (done) {
      return;
    }
    size += data.length();
    if (size > maxSize) {
      fail(UploadReceiver.tooLarge(maxSize));
      return;
    }
    sha256.update(data.getBytes());
    try {
      if (type == null) {
        head.appendBuffer(data);
        if (head.length() >= Sniffer.HEAD) {
          begin();
        }
      } else {
        check.accept(data);
      }
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void begin() {
    type = Sniffer.sniff(head, allowed);
    check = StructureCheck.of(type, false);
    Buffer first = head;
    head = null;
    check.accept(first);
  }

  private void onEnd() {
    if (done) {
      return;
    }
    try {
      if (type == null) {
        if (head.length() == 0) {
          throw Failure.invalid("empty_file", "The file is empty.");
        }
        begin();
      }
      check.finish();
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    done = true;
    result.complete(new Checked(type, size, HexFormat.of().formatHex(sha256.digest())));
  }

  private void fail(Throwable err) {
    if (done) {
      return;
    }
    done = true;
    // stop the transfer: what is left is not worth reading
    stream.handler(null);
    stream.endHandler(null);
    result.fail(err);
  }
}
