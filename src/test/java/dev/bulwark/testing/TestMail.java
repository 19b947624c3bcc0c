package dev.bulwark.testing;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real SMTP server (GreenMail) on a free port, and what it received, decoded. */
public final class TestMail implements AutoCloseable {
  private static final Pattern TOKEN = Pattern.compile("token=([A-Za-z0-9_-]{43})");

  private final GreenMail greenMail;
  private final int port;

  /** One received message: recipient, subject and decoded text. */
  public record Mail(String to, String subject, String text) {
    /** The token of the link in it, or null. */
    public String token() {
      Matcher m = TOKEN.matcher(text);
      return m.find() ? m.group(1) : null;
    }
  }

  public TestMail() {
    this.port = TestServices.freePort();
    this.greenMail = new GreenMail(new ServerSetup(port, "127.0.0.1", "smtp"));
    greenMail.start();
  }

  public String smtpUrl() {
    return "smtp://127.0.0.1:" + port;
  }

  public List<Mail> all() {
    List<Mail> out = new ArrayList<>();
    try {
      for (MimeMessage m : greenMail.getReceivedMessages()) {
        out.add(
            new Mail(
                m.getRecipients(Message.RecipientType.TO)[0].toString(),
                m.getSubject(),
                m.getContent().toString()));
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  public List<Mail> to(String address) {
    return all().stream().filter(m -> m.to().equalsIgnoreCase(address)).toList();
  }

  /** Waits (at most 15 s) for the {@code n}-th message to {@code address}. */
  public Mail await(String address, int n) {
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      List<Mail> got = to(address);
      if (got.size() >= n) {
        return got.get(n - 1);
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("no message #" + n + " to " + address + " within 15 s");
  }

  @Override
  public void close() {
    greenMail.stop();
  }
}
