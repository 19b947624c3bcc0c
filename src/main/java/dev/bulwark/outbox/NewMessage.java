package dev.bulwark.outbox;

/**
 * A message to queue: a {@code kind} a {@link Delivery} is registered for ({@link #EMAIL}, {@link
 * #SMS}, or deferred work a feature registers), its recipient, and for mail a subject.
 */
public record NewMessage(String kind, String recipient, String subject, String body) {
  public static final String EMAIL = "email";
  public static final String SMS = "sms";

  public static NewMessage email(String to, String subject, String body) {
    return new NewMessage(EMAIL, to, subject, body);
  }

  public static NewMessage sms(String to, String body) {
    return new NewMessage(SMS, to, null, body);
  }

  @Override
  public String toString() {
    return "NewMessage[" + kind + "]";
  }
}
