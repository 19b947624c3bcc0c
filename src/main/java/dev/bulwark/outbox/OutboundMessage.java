package dev.bulwark.outbox;

/**
 * One row of the outbox as the sender claimed it: what to deliver, to whom, and how many attempts
 * (this one included) it has had. {@code body} may carry a one-time code or link: it is never
 * logged, and is cleared from the table once the message is sent or given up.
 */
public record OutboundMessage(
    long id, String kind, String recipient, String subject, String body, int attempts) {
  @Override
  public String toString() {
    return "OutboundMessage[" + id + ", " + kind + ", attempt " + attempts + "]";
  }
}
