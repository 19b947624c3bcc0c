package dev.bulwark.config;

/** Log level of Bulwark's own loggers and the line format. */
public record LoggingConfig(Level level, Format format) {

  public enum Level {
    TRACE,
    DEBUG,
    INFO,
    WARN,
    ERROR
  }

  public enum Format {
    TEXT,
    JSON
  }

  static LoggingConfig read(ConfigReader r, Environment env) {
    Format defaultFormat = env.isStrict() ? Format.JSON : Format.TEXT;
    return new LoggingConfig(
        r.oneOf("logging.level", Level.class, Level.INFO),
        r.oneOf("logging.format", Format.class, defaultFormat));
  }
}
