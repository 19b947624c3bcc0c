package dev.bulwark.testing;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real OTLP/HTTP collector in the test's process: accepts {@code POST /v1/traces}
 * (http/protobuf), decodes every span it is sent, and answers as the test says: 200, another
 * status, or never.
 */
public final class OtlpReceiver implements AutoCloseable {
  public static final int HANG = -1;

  /** One received span, its ids in hex, attributes as strings. */
  public record ReceivedSpan(
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      String kind,
      long startNanos,
      String serviceName,
      Map<String, String> attributes,
      List<Map<String, String>> events) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final int port;
  public final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  public volatile int behaviour = 200;

  public OtlpReceiver() {
    port = TestServices.freePort();
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              int status = behaviour;
                              if (status == HANG) {
                                return;
                              }
                              if (status == 200 && req.path().equals("/v1/traces")) {
                                try {
                                  decode(ExportTraceServiceRequest.parseFrom(body.getBytes()));
                                } catch (Exception e) {
                                  req.response().setStatusCode(400).end();
                                  return;
                                }
                              }
                              req.response()
                                  .setStatusCode(status)
                                  .putHeader("Content-Type", "application/x-protobuf")
                                  .end();
                            }));
    Await.result(server.listen(port, "127.0.0.1"));
  }

  private void decode(ExportTraceServiceRequest request) {
    HexFormat hex = HexFormat.of();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      String service = attributes(rs.getResource().getAttributesList()).get("service.name");
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (var span : ss.getSpansList()) {
          spans.add(
              new ReceivedSpan(
                  hex.formatHex(span.getTraceId().toByteArray()),
                  hex.formatHex(span.getSpanId().toByteArray()),
                  hex.formatHex(span.getParentSpanId().toByteArray()),
                  span.getName(),
                  span.getKind().name(),
                  span.getStartTimeUnixNano(),
                  service,
                  attributes(span.getAttributesList()),
                  span.getEventsList().stream()
                      .map(e -> attributes(e.getAttributesList()))
                      .toList()));
        }
      }
    }
  }

  private static Map<String, String> attributes(List<KeyValue> list) {
    Map<String, String> out = new LinkedHashMap<>();
    for (KeyValue kv : list) {
      AnyValue v = kv.getValue();
      out.put(
          kv.getKey(),
          switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INT_VALUE -> Long.toString(v.getIntValue());
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            default -> v.toString();
          });
    }
    return out;
  }

  /** The OTLP endpoint to configure ({@code OTEL_EXPORTER_OTLP_ENDPOINT}). */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public List<ReceivedSpan> trace(String traceId) {
    return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
