/**
 * The address of whoever sent this request, for per-address limits. `npm start` serves through
 * scripts/web.mjs, which sets `X-Hookrelay-Client` on every request from the socket (or from the
 * trusted proxies, `TRUSTED_PROXIES`) and drops any a client sent. Served some other way (plain
 * `next start`), the last X-Forwarded-For entry is the best there is.
 */
/** The answer for a request that names no address at all: never one over HTTP (a handler called in-process). */
export const UNKNOWN_ADDRESS = "unknown";

export function clientAddress(headers: Headers): string {
  const trusted = headers.get("x-hookrelay-client");
  if (trusted) return trusted;
  const forwarded = headers
    .get("x-forwarded-for")
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return forwarded?.at(-1) ?? UNKNOWN_ADDRESS;
}
