import type { Logger } from "pino";
import { env } from "./env";
import { createLogger, defaultFormat, logContext, runWithLogContext } from "./log-core.mjs";
import { activeTraceFields } from "./tracing";

/**
 * Structured logs (pino): one JSON object a line — or a readable line on a terminal (LOG_FORMAT, lib/log-core.mjs) —
 * with the process (`proc`: web, worker), the request's id inside a web request (scripts/web.mjs), the trace and
 * span ids when tracing is on, and whatever a child logger adds (deliveryId, eventId, companyId, webhookId, jobId).
 * Never log a URL, a header's value, a body or a secret: the ids say where to look.
 *
 *   import { log } from "@/lib/log";
 *   log.child({ deliveryId, companyId }).info({ attempt: 2, status: 503 }, "delivery attempt failed");
 */

type State = { proc: string; logger: Logger | null; write?: (line: string) => void };
const KEY = Symbol.for("hookrelay.log");
// Shared through globalThis: Next.js may load this module once for instrumentation.ts and again for the routes.
const state: State = ((globalThis as Record<symbol, unknown>)[KEY] ??= { proc: "app", logger: null }) as State;

function root(): Logger {
  return (state.logger ??= createLogger({
    proc: state.proc,
    level: env.LOG_LEVEL,
    format: defaultFormat(env.LOG_FORMAT),
    mixin: activeTraceFields,
    write: state.write,
  }));
}

/** The process's logger (created on first use, from LOG_LEVEL and LOG_FORMAT). */
export const log: Logger = new Proxy({} as Logger, {
  get(_, key) {
    const logger = root();
    const value = (logger as unknown as Record<string | symbol, unknown>)[key];
    return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(logger) : value;
  },
});

/** Names this process on every line (`web`, `worker`); called once at its start. */
export function setLogProcess(proc: string): void {
  if (state.proc === proc) return;
  state.proc = proc;
  state.logger = null;
}

/**
 * Tests: every line written from now on (JSON, whatever LOG_FORMAT says) goes to `lines` instead of stdout, until
 * the returned function is called.
 */
export function captureLogLines(lines: string[]): () => void {
  const before = { write: state.write, logger: state.logger };
  state.write = (line) => void lines.push(line);
  state.logger = createLogger({
    proc: state.proc,
    level: "debug",
    format: "json",
    mixin: activeTraceFields,
    write: state.write,
  });
  return () => {
    state.write = before.write;
    state.logger = before.logger;
  };
}

/** An error as a log field (`err`: its type, message and stack). */
export function errorFields(err: unknown): { err: Error } {
  return { err: err instanceof Error ? err : new Error(String(err)) };
}

export { logContext, runWithLogContext };
