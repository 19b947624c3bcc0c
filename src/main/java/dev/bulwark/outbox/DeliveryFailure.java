package dev.bulwark.outbox;

/**
 * Why a delivery failed, in words safe to store and log (a status or an exception class, never a
 * gateway's response body, which may echo the message), and whether a retry can help.
 */
public final class DeliveryFailure extends RuntimeException {
  private final boolean permanent;

  private DeliveryFailure(String reason, boolean permanent) {
    super(reason, null, false, false);
    this.permanent = permanent;
  }

  public static DeliveryFailure transientFailure(String reason) {
    return new DeliveryFailure(reason, false);
  }

  public static DeliveryFailure permanent(String reason) {
    return new DeliveryFailure(reason, true);
  }

  public boolean isPermanent() {
    return permanent;
  }

  /** What is recorded of any failure: its reason if it is one of ours, else its class. */
  static String reasonOf(Throwable err) {
    if (err instanceof DeliveryFailure f) {
      return f.getMessage();
    }
    return err.getClass().getSimpleName();
  }
}
