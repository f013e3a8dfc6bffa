import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from "@opentelemetry/api";
import { env } from "./env";

/**
 * Traces (OpenTelemetry). Only `@opentelemetry/api` is imported here; the SDK and the OTLP exporter
 * (lib/tracing-sdk.ts) are loaded by `startTracing` when OTEL_EXPORTER_OTLP_ENDPOINT is set, and not at all
 * otherwise. Until then every helper below does nothing but call its function: the hot paths pay one boolean test.
 *
 * Spans: `POST /api/v1/events` (the intake: its context travels in each delivery job's data as a W3C
 * `traceparent`) → `deliver-webhook` in the worker (a child of the intake's span, one per delivery or batch
 * window) → `HTTP POST` (the request to the receiver, lib/delivery/http-client.ts). One trace per events request.
 */

type State = { on: boolean; flush?: () => Promise<void>; stop?: () => Promise<void> };
const KEY = Symbol.for("hookrelay.tracing");
// Shared through globalThis: Next.js loads instrumentation.ts and the routes as separate bundles.
const state: State = ((globalThis as Record<symbol, unknown>)[KEY] ??= { on: false }) as State;

export { SpanKind };

/** Whether spans are recorded and exported (OTEL_EXPORTER_OTLP_ENDPOINT was set at the start). */
export function tracingOn(): boolean {
  return state.on;
}

/**
 * Starts the SDK (exporting to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces, OTLP over HTTP, JSON) when the variable is
 * set; without it nothing is loaded. `service`: `web` or `worker` (service.name hookrelay-web …).
 */
export async function startTracing(service: string): Promise<boolean> {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || state.on) return state.on;
  const { startTracingSdk } = await import("./tracing-sdk");
  Object.assign(state, startTracingSdk(endpoint, `hookrelay-${service}`), { on: true });
  return true;
}

/** What a process says at its start when tracing is on: where spans go (the collector's host, never credentials). */
export function tracingLine(): string {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return `tracing on: spans go to ${endpoint ? new URL(endpoint).host : "nowhere"} (OTLP/HTTP JSON)`;
}

/** Exports the spans ended so far (tests; a worker stopping). */
export async function flushTracing(): Promise<void> {
  await state.flush?.();
}

/** Flushes and stops the SDK (the process is stopping). */
export async function stopTracing(): Promise<void> {
  if (!state.on) return;
  state.on = false;
  await state.stop?.();
}

/**
 * Runs `fn` inside a new span (the active one while it runs), ended when `fn` settles; a thrown error marks it
 * failed. `parent`: a context taken from a job's `traceparent` (default: the active one). Tracing off: `fn(null)`.
 */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span: Span | null) => Promise<T>,
): Promise<T> {
  if (!state.on) return fn(null);
  const tracer = trace.getTracer("hookrelay");
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.recordException(err instanceof Error ? err : String(err));
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** Marks a span failed, with a short reason (never a URL or a header). */
export function failSpan(span: Span | null, reason: string): void {
  span?.setStatus({ code: SpanStatusCode.ERROR, message: reason });
}

/** The active span's W3C traceparent, to carry in a job's data; undefined when tracing is off. */
export function currentTraceparent(): string | undefined {
  if (!state.on) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context a job's traceparent names (its span becomes the parent); the root context without one. */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!state.on || !traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** The active span's trace and span ids, for log lines (lib/log.ts); nothing when tracing is off. */
export function activeTraceFields(): { traceId: string; spanId: string } | undefined {
  if (!state.on) return undefined;
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}
