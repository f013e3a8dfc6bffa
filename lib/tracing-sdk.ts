import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";

/**
 * The OpenTelemetry SDK: loaded only by lib/tracing.ts startTracing, when OTEL_EXPORTER_OTLP_ENDPOINT is set. Spans
 * are batched and sent as OTLP/HTTP JSON to `<endpoint>/v1/traces`; the W3C trace context is the propagator (the
 * `traceparent` a delivery job carries).
 */
export function startTracingSdk(endpoint: string, serviceName: string) {
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, "")}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return { flush: () => provider.forceFlush(), stop: () => provider.shutdown() };
}
