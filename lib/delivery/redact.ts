import { maskSecret } from "@/lib/crypto";

/**
 * Redaction of secrets from text we keep or show: attempt logs, Test results, token errors. A
 * receiver or a token endpoint may echo the request it got (its Authorization header, its URL with
 * an API key, a form body with a client secret) in its answer's body, headers or error page.
 */

/**
 * A function that replaces every secret in a text by its masked form (`sk_l••••••1a2b`), also
 * URL-encoded, form-encoded and JSON-escaped. Longest first, so a secret containing another is
 * masked whole; secrets shorter than 4 characters are left out (they would mask innocent text).
 */
export function redactor(secrets: Iterable<string | null | undefined>): (text: string) => string {
  const list = [...new Set([...secrets].filter((s): s is string => typeof s === "string" && s.length >= 4))].sort(
    (a, b) => b.length - a.length,
  );
  if (list.length === 0) return (text) => text;
  const forms = list.map((s) => ({
    mask: maskSecret(s),
    forms: [
      ...new Set([
        s,
        encodeURIComponent(s),
        new URLSearchParams([["", s]]).toString().slice(1),
        JSON.stringify(s).slice(1, -1),
      ]),
    ].filter(Boolean),
  }));
  return (text: string): string => {
    let out = text;
    for (const { mask, forms: variants } of forms)
      for (const v of variants) if (out.includes(v)) out = out.split(v).join(mask);
    return out;
  };
}

export function redactRecord(record: Record<string, string>, redact: (t: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, redact(v)]));
}

/**
 * The secrets each built request carries (auth values, secret header values, an API key in the
 * query), kept against the request's `headers` object: buildRequest registers them, and the HTTP
 * client redacts them from whatever comes back for that request — without every caller having to
 * pass them along.
 */
const requestSecrets = new WeakMap<object, readonly string[]>();

export function registerRequestSecrets(headers: object, secrets: readonly string[]): void {
  requestSecrets.set(headers, secrets);
}

export function secretsOfRequest(headers: object): readonly string[] {
  return requestSecrets.get(headers) ?? [];
}
