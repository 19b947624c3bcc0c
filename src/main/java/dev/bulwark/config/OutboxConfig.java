package dev.bulwark.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * The durable outbox and its senders. The outbox: how often the sender looks for due messages, how
 * many it claims at once, how long a claim holds, the retry backoff, and when a message is given up
 * (expired with an audit event). Mail goes over SMTP ({@code mail.smtpUrl}); SMS through an HTTP
 * gateway ({@code sms.gatewayUrl}, a Twilio-style form adapter or a generic JSON one). Either unset
 * in development: each message is written to a file in the outbox folder under the development data
 * folder, one log line naming it — which staging and production refuse.
 */
public record OutboxConfig(
    Duration pollInterval,
    int batchSize,
    Duration lease,
    int maxAttempts,
    Duration baseBackoff,
    Duration maxBackoff,
    Duration maxAge,
    Smtp smtp,
    String mailFrom,
    Duration sendTimeout,
    Sms sms,
    Duration retention) {

  /** How the SMTP connection is secured: STARTTLS required/optional/off, or TLS from the start. */
  public enum Tls {
    REQUIRED,
    OPTIONAL,
    DISABLED,
    IMPLICIT
  }

  /** An SMTP server, parsed from {@code smtp[s]://[user:password@]host[:port]}. */
  public record Smtp(String host, int port, String username, String password, Tls tls) {
    @Override
    public String toString() {
      return "Smtp[" + host + ":" + port + ", tls=" + tls + "]";
    }
  }

  /** The SMS gateway adapter: Twilio's form POST, or a generic JSON body. */
  public enum SmsAdapter {
    TWILIO,
    JSON
  }

  /** An HTTP SMS gateway. */
  public record Sms(
      String gatewayUrl, SmsAdapter adapter, String username, String token, String from) {
    @Override
    public String toString() {
      return "Sms[" + gatewayUrl + ", " + adapter + "]";
    }
  }

  /** Whether messages go to the development outbox folder (no SMTP server configured). */
  public boolean mailToFolder() {
    return smtp == null;
  }

  public boolean smsToFolder() {
    return sms == null;
  }

  static OutboxConfig read(ConfigReader r) {
    Tls starttls = r.oneOf("mail.starttls", Tls.class, Tls.REQUIRED);
    if (starttls == Tls.IMPLICIT) {
      r.problem("mail.starttls", "required, optional or disabled (smtps:// is TLS from the start)");
      starttls = Tls.REQUIRED;
    }
    return new OutboxConfig(
        r.duration(
            "outbox.pollInterval",
            Duration.ofSeconds(1),
            Duration.ofMillis(10),
            Duration.ofMinutes(5)),
        r.intIn("outbox.batchSize", 50, 1, 1000),
        r.duration(
            "outbox.lease", Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofHours(1)),
        r.intIn("outbox.maxAttempts", 8, 1, 100),
        r.duration(
            "outbox.baseBackoff",
            Duration.ofSeconds(5),
            Duration.ofMillis(10),
            Duration.ofHours(1)),
        r.duration(
            "outbox.maxBackoff", Duration.ofMinutes(15), Duration.ofMillis(10), Duration.ofDays(1)),
        r.duration(
            "outbox.maxAge", Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofDays(30)),
        smtp(r, starttls),
        r.string("mail.from", "Bulwark <no-reply@localhost>"),
        r.duration(
            "outbox.sendTimeout",
            Duration.ofSeconds(10),
            Duration.ofMillis(100),
            Duration.ofMinutes(5)),
        sms(r),
        r.duration("outbox.retention", Duration.ofDays(7), Duration.ZERO, Duration.ofDays(3650)));
  }

  private static Smtp smtp(ConfigReader r, Tls starttls) {
    String url = r.optionalString("mail.smtpUrl");
    if (url == null) {
      return null;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("smtp") && !scheme.equals("smtps")) {
        r.problem("mail.smtpUrl", "expected smtp://host:port or smtps://host:port");
        return null;
      }
      if (uri.getHost() == null) {
        r.problem("mail.smtpUrl", "has no host");
        return null;
      }
      boolean implicit = scheme.equals("smtps");
      int port = uri.getPort() > 0 ? uri.getPort() : implicit ? 465 : 587;
      String user = null;
      String password = null;
      if (uri.getRawUserInfo() != null) {
        String[] parts = uri.getUserInfo().split(":", 2);
        user = parts[0];
        password = parts.length > 1 ? parts[1] : null;
      }
      return new Smtp(uri.getHost(), port, user, password, implicit ? Tls.IMPLICIT : starttls);
    } catch (URISyntaxException e) {
      r.problem("mail.smtpUrl", "is not a URL (expected smtp://user:password@host:587)");
      return null;
    }
  }

  private static Sms sms(ConfigReader r) {
    SmsAdapter adapter = r.oneOf("sms.adapter", SmsAdapter.class, SmsAdapter.TWILIO);
    String user = r.optionalString("sms.username");
    String token = r.optionalString("sms.token");
    String from = r.optionalString("sms.from");
    String url = r.optionalString("sms.gatewayUrl");
    if (url == null) {
      return null;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((!scheme.equals("http") && !scheme.equals("https")) || uri.getHost() == null) {
        r.problem("sms.gatewayUrl", "expected an http(s) URL");
        return null;
      }
    } catch (URISyntaxException e) {
      r.problem("sms.gatewayUrl", "is not a URL");
      return null;
    }
    if (adapter == SmsAdapter.TWILIO && (user == null || token == null)) {
      r.problem(
          "sms.token",
          "the twilio adapter needs SMS_GATEWAY_USER (the account SID) and SMS_GATEWAY_TOKEN");
    }
    return new Sms(url, adapter, user, token, from);
  }
}
