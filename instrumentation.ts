/**
 * Next.js calls register() once when the web server starts (before any request). On the Node.js runtime it names
 * the process in the logs and starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set (lib/tracing.ts loads the SDK
 * only then). NEXT_RUNTIME is Next's own variable (which runtime this bundle is), not configuration: it is read
 * here rather than in lib/env.ts.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { log, setLogProcess } = await import("./lib/log");
  setLogProcess("web");
  const { startTracing, tracingLine } = await import("./lib/tracing");
  if (await startTracing("web")) log.info(tracingLine());
}
