import dns from "node:dns";
import net from "node:net";
import { Agent, buildConnector, request, type Dispatcher } from "undici";
import { failSpan, inSpan, SpanKind, tracingOn } from "@/lib/tracing";
import { redactor, redactRecord, secretsOfRequest } from "./redact";
import { isAllowedPrivateAddress, isAllowedPrivateHost, type PrivateTargets } from "./private-targets";
import { checkLiteralHost, isPublicAddress } from "./ssrf";

/**
 * The one HTTP client for deliveries, Test and OAuth token requests (DESIGN.md "Delivery" 6):
 * http/https only, no credentials in URLs, redirects never followed (a 3xx comes back as the
 * response), the response body read up to a cap and then dropped, an overall timeout, and the
 * SSRF guard applied where it cannot be raced: on the literal IP host, and on every address DNS
 * returns inside the socket's own lookup, so the address checked is the address connected to
 * (no DNS-rebinding window between check and connect).
 */

export type SendErrorKind =
  | "timeout"
  | "connection_refused"
  | "connection_reset"
  | "dns"
  | "blocked_address"
  | "tls"
  | "invalid_url"
  | "http_status"
  // Failures before anything was sent: the template (or its sandbox's limits), a worker that died twice with it in
  // hand.
  | "template"
  | "template_limit"
  | "crashed_worker"
  // The webhook's OAuth credential (authorization code) must be connected again by a person.
  | "oauth_reconnect_needed"
  | "other";

export interface SendRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface SendOptions {
  timeoutMs: number;
  /** Allow loopback/private targets (HOOKRELAY_ALLOW_PRIVATE_TARGETS=1: local development and tests). */
  allowPrivate: boolean;
  /**
   * The operator's private hosts and networks (HOOKRELAY_PRIVATE_TARGETS): reachable although not public. The
   * guard stays on for everything else.
   */
  privateTargets?: PrivateTargets | null;
  /** Response bytes kept; the rest is not read. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Tracing on: the request span's attributes besides its own (the webhook, delivery and attempt: ids only). */
  spanAttributes?: Record<string, string | number>;
}

export interface SendOutcome {
  /** A 2xx status. */
  ok: boolean;
  status: number | null;
  headers: Record<string, string>;
  body: string;
  bodyTruncated: boolean;
  durationMs: number;
  error: null | { kind: SendErrorKind; message: string };
  /** The response's Retry-After in seconds (delta-seconds or an HTTP date), if any. */
  retryAfterSeconds: number | null;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const UTF8 = new TextDecoder("utf-8");

/** Raised by the guard; its code lets the classifier find it through undici's wrapping. */
export class BlockedAddressError extends Error {
  readonly code = "HOOKRELAY_BLOCKED_ADDRESS";
  constructor(message: string) {
    super(message);
    this.name = "BlockedAddressError";
  }
}

/**
 * net.connect's `lookup`: resolves every address and refuses the connection when ANY of them is
 * not public (a name with one public and one private address could otherwise be steered) — unless
 * the name is one of the operator's private hosts (any address it resolves to), or the address lies
 * in one of the operator's private networks.
 */
export function guardedLookupFor(privateTargets: PrivateTargets | null): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { family: options.family, hints: options.hints, all: true }, (err, addresses) => {
      if (err) return callback(err, "");
      if (addresses.length === 0) {
        const e: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        e.code = "ENOTFOUND";
        return callback(e, "");
      }
      const hostAllowed = isAllowedPrivateHost(hostname, privateTargets);
      const bad = hostAllowed
        ? undefined
        : addresses.find((a) => !isPublicAddress(a.address) && !isAllowedPrivateAddress(a.address, privateTargets));
      if (bad)
        return callback(
          new BlockedAddressError(`${hostname} resolves to ${bad.address}, which is not a public address`),
          "",
        );
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** The guard without private targets. */
export const guardedLookup: net.LookupFunction = guardedLookupFor(null);

function guardedConnector(allowPrivate: boolean, privateTargets: PrivateTargets | null): buildConnector.connector {
  // The connect timeout is a backstop; each request's own timeout (abort signal) is shorter.
  const base = buildConnector(
    allowPrivate ? { timeout: 30_000 } : { timeout: 30_000, lookup: guardedLookupFor(privateTargets) },
  );
  if (allowPrivate) return base;
  return (options, callback) => {
    // net.connect skips `lookup` for a literal IP, so the literal is checked here, at connect time.
    const host = options.hostname.replace(/^\[|\]$/g, "");
    if (net.isIP(host) !== 0 && !isPublicAddress(host) && !isAllowedPrivateAddress(host, privateTargets)) {
      callback(new BlockedAddressError(`${host} is not a public address`), null);
      return;
    }
    base(options, callback);
  };
}

const agents = new Map<string, Agent>();

/**
 * The shared keep-alive pool for this policy (also for OAuth token requests: pass as `dispatcher`): one per
 * allowPrivate value and private-targets list, so a connection opened under one policy never serves another.
 */
export function safeDispatcher(allowPrivate: boolean, privateTargets: PrivateTargets | null = null): Agent {
  const key = allowPrivate ? "*" : `guarded:${privateTargets?.source ?? ""}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({
      connect: guardedConnector(allowPrivate, privateTargets),
      pipelining: 1,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 30_000,
    });
    agents.set(key, agent);
  }
  return agent;
}

/** Closes the shared pools (worker shutdown, test teardown). */
export async function closeSafeDispatchers(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map((a) => a.close().catch(() => a.destroy())));
}

/** Retry-After as seconds: delta-seconds, or an HTTP date relative to `now`. */
export function parseRetryAfter(value: string | undefined | null, now: number = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME", "ENODATA"]);
const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);
const TIMEOUT_CODES = new Set([
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

function errorChain(err: unknown): { code: string; name: string; message: string }[] {
  const out: { code: string; name: string; message: string }[] = [];
  let current: unknown = err;
  for (let i = 0; i < 6 && current instanceof Error; i++) {
    const code = (current as NodeJS.ErrnoException).code;
    out.push({ code: typeof code === "string" ? code : "", name: current.name, message: current.message });
    const aggregate = current instanceof AggregateError ? current.errors[0] : undefined;
    current = current.cause ?? aggregate;
  }
  return out;
}

export function classifyError(err: unknown, timedOut: boolean): { kind: SendErrorKind; message: string } {
  const chain = errorChain(err);
  const first = chain[0];
  const message = first ? [first.code, first.message].filter(Boolean).join(": ") : String(err);
  const find = (pred: (e: { code: string; name: string; message: string }) => boolean) => chain.find(pred);
  const blocked = find((e) => e.code === "HOOKRELAY_BLOCKED_ADDRESS");
  if (blocked) return { kind: "blocked_address", message: blocked.message };
  if (timedOut || find((e) => TIMEOUT_CODES.has(e.code) || e.name === "TimeoutError"))
    return { kind: "timeout", message: timedOut ? "The request timed out" : message };
  if (find((e) => e.code === "ECONNREFUSED")) return { kind: "connection_refused", message };
  if (find((e) => DNS_CODES.has(e.code))) return { kind: "dns", message };
  if (
    find(
      (e) =>
        /^(ERR_TLS|ERR_SSL|ERR_OSSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH)/.test(e.code) ||
        /\b(SSL|TLS|certificate)\b/i.test(e.message),
    )
  )
    return { kind: "tls", message };
  if (find((e) => RESET_CODES.has(e.code))) return { kind: "connection_reset", message };
  return { kind: "other", message };
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

function failure(kind: SendErrorKind, message: string, started: number): SendOutcome {
  return {
    ok: false,
    status: null,
    headers: {},
    body: "",
    bodyTruncated: false,
    durationMs: Math.round(performance.now() - started),
    error: { kind, message },
    retryAfterSeconds: null,
  };
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
function isMethod(m: string): m is (typeof METHODS)[number] & Dispatcher.HttpMethod {
  return (METHODS as readonly string[]).includes(m);
}

/**
 * Sends one request under the outbound rules above. Never throws: every failure is an outcome.
 * The secrets a request built by buildRequest carries are redacted from the outcome (a receiver
 * echoing its Authorization header or URL back must not put them in the attempt log).
 */
export function sendSafely(req: SendRequest, opts: SendOptions): Promise<SendOutcome> {
  if (!tracingOn()) return sendRedacted(req, opts);
  // Tracing on: a client span with the method, the host (never the path, query or a header), status and error kind.
  return inSpan(
    `HTTP ${req.method.toUpperCase()}`,
    {
      kind: SpanKind.CLIENT,
      attributes: { "http.request.method": req.method.toUpperCase(), ...hostOf(req.url), ...opts.spanAttributes },
    },
    async (span) => {
      const outcome = await sendRedacted(req, opts);
      if (span) {
        if (outcome.status !== null) span.setAttribute("http.response.status_code", outcome.status);
        if (outcome.error) {
          span.setAttribute("error.type", outcome.error.kind);
          failSpan(span, outcome.error.kind);
        }
      }
      return outcome;
    },
  );
}

function hostOf(url: string): { "server.address"?: string } {
  try {
    return { "server.address": new URL(url).hostname };
  } catch {
    return {};
  }
}

async function sendRedacted(req: SendRequest, opts: SendOptions): Promise<SendOutcome> {
  const redact = redactor(secretsOfRequest(req.headers));
  const outcome = await send(req, opts);
  if (outcome.error) outcome.error.message = redact(outcome.error.message);
  return { ...outcome, headers: redactRecord(outcome.headers, redact), body: redact(outcome.body) };
}

async function send(req: SendRequest, opts: SendOptions): Promise<SendOutcome> {
  const started = performance.now();
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return failure("invalid_url", "The URL is not valid", started);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return failure("invalid_url", "Only http and https URLs can be called", started);
  if (url.username || url.password)
    return failure("invalid_url", "The URL may not contain a user name or password", started);
  const method = req.method.toUpperCase();
  if (!isMethod(method)) return failure("other", `Unsupported HTTP method ${req.method.slice(0, 20)}`, started);
  if (!opts.allowPrivate) {
    const reason = checkLiteralHost(url.hostname, opts.privateTargets);
    if (reason) return failure("blocked_address", reason, started);
  }

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error("The request timed out"));
  }, opts.timeoutMs);

  let status: number | null = null;
  let headers: Record<string, string> = {};
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    const res = await request(url, {
      method,
      headers: req.headers,
      body: req.body ?? undefined,
      dispatcher: safeDispatcher(opts.allowPrivate, opts.privateTargets ?? null),
      signal: controller.signal,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    status = res.statusCode;
    headers = flattenHeaders(res.headers);
    try {
      for await (const chunk of res.body) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        if (size + buf.length > maxBody) {
          chunks.push(buf.subarray(0, maxBody - size));
          size = maxBody;
          truncated = true;
          break; // leaving the loop destroys the stream: the rest is never read
        }
        chunks.push(buf);
        size += buf.length;
      }
    } catch {
      // The status and headers arrived; a body cut short (reset, timeout) keeps what was read.
      truncated = true;
    } finally {
      if (!res.body.destroyed) res.body.destroy();
    }
  } catch (err) {
    const { kind, message } = classifyError(err, timedOut);
    return failure(kind, message, started);
  } finally {
    clearTimeout(timer);
  }

  if (status === null) return failure("other", "No response", started);
  const code: number = status;
  const ok = code >= 200 && code < 300;
  return {
    ok,
    status: code,
    headers,
    // PostgreSQL text cannot hold NUL: a receiver's NUL bytes are logged as U+FFFD.
    body: UTF8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).replaceAll("\u0000", "\uFFFD"),
    bodyTruncated: truncated,
    durationMs: Math.round(performance.now() - started),
    error: ok ? null : { kind: "http_status", message: `The receiver answered HTTP ${code}` },
    retryAfterSeconds: parseRetryAfter(headers["retry-after"]),
  };
}
