/**
 * The loggers' common core, in plain JavaScript: the web server (scripts/web.mjs, run by node itself) uses it as is,
 * the rest of the app through lib/log.ts. pino writes one JSON object a line; `pretty` turns each into a readable
 * line for a terminal (no pino-pretty: a few lines of code do). The request context (the request id, set by
 * scripts/web.mjs around each request) lives in one AsyncLocalStorage shared through globalThis, so the web server's
 * copy of this module and the Next.js bundle's copy see the same one.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import pino from "pino";

const CONTEXT = Symbol.for("hookrelay.log.context");
/** @type {AsyncLocalStorage<Record<string, unknown>>} */
const store = (globalThis[CONTEXT] ??= new AsyncLocalStorage());

/** Runs `fn` with these fields on every log line written inside it (a request's id). */
export function runWithLogContext(fields, fn) {
  return store.run(fields, fn);
}

/** The fields of the context this code runs in ({} outside one). */
export function logContext() {
  return store.getStore() ?? {};
}

/** A client's own X-Request-Id is kept when it is a plain token; anything else is replaced (no log injection). */
export function acceptableRequestId(value) {
  return typeof value === "string" && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : null;
}

const LEVEL_NAMES = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const OMITTED = new Set(["level", "time", "pid", "hostname", "msg", "proc", "err"]);

/**
 * One JSON line as a person reads it: `[hookrelay] WARN message (key=value, …)` and the error's stack — the lines
 * `npm start` always wrote (`[hookrelay] worker 4242 running`), which scripts and tests may wait for.
 */
export function prettyLine(json) {
  let o;
  try {
    o = JSON.parse(json);
  } catch {
    return json;
  }
  const level = o.level >= 40 ? ` ${LEVEL_NAMES[o.level] ?? o.level}` : o.level < 30 ? ` ${LEVEL_NAMES[o.level]}` : "";
  const fields = Object.entries(o)
    .filter(([k]) => !OMITTED.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  const err = o.err
    ? `\n  ${String(o.err.stack ?? o.err.message ?? JSON.stringify(o.err)).replaceAll("\n", "\n  ")}`
    : "";
  return `[hookrelay]${level} ${o.msg ?? ""}${fields.length ? ` (${fields.join(", ")})` : ""}${err}\n`;
}

/**
 * A pino logger: `proc` (web, worker, start) on every line, the request context's fields and `mixin`'s (the trace
 * id), secrets' usual places redacted as a last line of defence. `write` receives each finished line (stdout unless
 * given: tests capture them).
 */
export function createLogger({ proc, level = "info", format = "json", mixin, write }) {
  const out = write ?? ((line) => process.stdout.write(line));
  return pino(
    {
      level,
      base: { pid: process.pid, proc },
      messageKey: "msg",
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => {
        const context = store.getStore();
        const extra = mixin?.();
        return context ? (extra ? { ...context, ...extra } : context) : (extra ?? {});
      },
      redact: {
        paths: ["headers.authorization", "headers.cookie", "*.headers.authorization", "*.headers.cookie", "password"],
        censor: "[redacted]",
      },
      serializers: { err: pino.stdSerializers.err },
    },
    { write: format === "pretty" ? (line) => out(prettyLine(line)) : out },
  );
}

/** LOG_FORMAT, or pretty on a terminal and JSON otherwise (a platform's log collector, a pipe). */
export function defaultFormat(given) {
  if (given === "json" || given === "pretty") return given;
  return process.stdout.isTTY ? "pretty" : "json";
}
