package dev.bulwark.infra;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Micrometer's "This Gauge has been already registered" notice, and only it. Vert.x's metrics
 * register a gauge again on purpose each time a second pool, client or event-bus consumer shares
 * its id (they share one counter behind it, so nothing is lost); Micrometer cannot tell that from a
 * mistake and warned at every start. Declared in {@code logback.xml}.
 */
public final class RepeatedGaugeNotice extends TurboFilter {
  static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  static final String NOTICE = "This Gauge has been already registered";

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    return format != null && format.startsWith(NOTICE) && LOGGER.equals(logger.getName())
        ? FilterReply.DENY
        : FilterReply.NEUTRAL;
  }
}
