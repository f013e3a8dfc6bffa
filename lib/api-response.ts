import { errorFields, log } from "./log";

/** JSON errors of the public API: `{ "error": { "code", "message", "field"? } }`, never a stack trace. */
export function apiError(
  status: number,
  code: string,
  message: string,
  field?: string,
  headers?: Record<string, string>,
): Response {
  return Response.json({ error: { code, message, ...(field ? { field } : {}) } }, { status, headers });
}

const UNAVAILABLE_CODES = [
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01",
  "57P03",
  "08006",
  "08001",
];

/**
 * Whether an error, or what it wraps, says the database is unreachable: drizzle's DrizzleQueryError
 * ("Failed query: …", whose text is the SQL) keeps the driver's error as `cause`.
 */
function isUnavailable(err: unknown, depth = 0): boolean {
  const e = err as { code?: unknown; errno?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== "object" || depth > 4) return false;
  if (UNAVAILABLE_CODES.includes(String(e.code ?? e.errno ?? ""))) return true;
  const message = String(e.message ?? "");
  if (!message.startsWith("Failed query:") && /connect|terminating connection|Connection terminated/i.test(message))
    return true;
  return isUnavailable(e.cause, depth + 1);
}

/** A database that cannot be reached answers 503 (clients retry), anything else 500 — both as JSON. */
export function internalError(err: unknown): Response {
  if (isUnavailable(err))
    return apiError(503, "unavailable", "The service is temporarily unavailable; retry shortly", undefined, {
      "retry-after": "5",
    });
  log.error(errorFields(err), "unexpected error in an API route");
  return apiError(500, "internal", "Unexpected error");
}

/** Reads a request body up to `limit` bytes; null when it is larger (the caller answers 413). */
export async function readBodyCapped(request: Request, limit: number): Promise<Uint8Array | null> {
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > limit) return null;
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** Request bodies of the API are at most 1 MiB. */
export const MAX_API_BODY_BYTES = 1024 * 1024;

export type JsonBody = { ok: true; body: unknown } | { ok: false; response: Response };

/**
 * Reads a JSON body: 413 over `limit`, 400 for invalid UTF-8 or JSON. With `allowEmpty`, an empty
 * body reads as `undefined` (endpoints whose every field is optional).
 */
export async function readJsonBody(
  request: Request,
  options: { limit?: number; allowEmpty?: boolean } = {},
): Promise<JsonBody> {
  const limit = options.limit ?? MAX_API_BODY_BYTES;
  const raw = await readBodyCapped(request, limit);
  if (raw === null)
    return {
      ok: false,
      response: apiError(
        413,
        "too_large",
        `The body is larger than ${limit} bytes (${limit / 1024 / 1024} MiB)`,
        "body",
      ),
    };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    return { ok: false, response: apiError(400, "malformed", "The body is not valid UTF-8", "body") };
  }
  if (options.allowEmpty && text.trim() === "") return { ok: true, body: undefined };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false, response: apiError(400, "malformed", "The body is not valid JSON", "body") };
  }
}

/**
 * Whether a Content-Type header says JSON: `application/json`, optionally with `charset=utf-8`
 * (any case, quoted or not), and nothing else.
 */
export function isJsonContentType(header: string | null): boolean {
  if (!header) return false;
  const [type, ...params] = header.split(";").map((p) => p.trim().toLowerCase());
  if (type !== "application/json") return false;
  return params.every((p) => p === "" || /^charset=("?)utf-8\1$/.test(p));
}
