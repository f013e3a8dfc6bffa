import { Liquid, type Template } from "liquidjs";

/**
 * Placeholders (`{{data.id}}`, `{{ event.type | upcase }}`) in webhook URLs, header values and body
 * templates, rendered with liquidjs (a well-kept, sandboxed engine: no JS evaluation).
 *
 * - A missing field renders empty (strictVariables off); an unknown filter is a template error,
 *   caught when the webhook is saved rather than silently ignored.
 * - No file system: `{% include %}` / `{% render %}` only see an empty in-memory map.
 * - Every output value passes through the escape function chosen per call (JSON string content,
 *   XML text, URL component, header-safe text), so event data can never break out of the place
 *   it is printed in. Rendered output is never parsed again, so `{{...}}` inside event data is inert.
 * - Parse, render time and memory are bounded, and the output is capped.
 */
export type TemplateEscape = "json" | "xml" | "url" | "header" | "none";

export interface RenderOptions {
  /** How each printed value is escaped; default "none". */
  escape?: TemplateEscape;
}

export class TemplateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TemplateError";
  }
}

/**
 * A template broke one of its limits (output size, text size inside the engine, and — raised by the
 * render sandbox, lib/sandbox — memory or wall-clock time). Shown to the user as such, and a
 * delivery's attempt fails with error kind `template_limit`.
 */
export class TemplateLimitError extends TemplateError {
  constructor(message: string) {
    super(message);
    this.name = "TemplateLimitError";
  }
}

/** Largest rendered output (characters); a template that renders more is refused. */
export const MAX_TEMPLATE_OUTPUT = 1_000_000;
/**
 * Largest text a filter may take or give inside the engine. liquidjs' memoryLimit does not count
 * `capture` output, so nested captures can build a text of hundreds of MB out of a few hundred
 * characters; a filter such as `replace` on it then aborts V8 itself (not a catchable error).
 * Refusing such texts here makes the usual bombs fail at once with a clear message; the sandbox's
 * memory cap and deadline (lib/sandbox) catch whatever slips past.
 */
export const MAX_FILTER_TEXT = 4 * MAX_TEMPLATE_OUTPUT;
const MAX_CACHED_TEMPLATES = 500;

/** Liquid's render context carries the escape mode for this call, so one instance serves all modes. */
const ESCAPE_KEY = "__hookrelayEscape";
/** …and a counter of what the call has printed so far. */
const BUDGET_KEY = "__hookrelayBudget";

function isEscape(v: unknown): v is TemplateEscape {
  return v === "json" || v === "xml" || v === "url" || v === "header" || v === "none";
}

/** A value as text: strings as they are, objects/arrays as JSON, null/undefined empty. */
export function valueToText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return value.toISOString();
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

/** Characters XML 1.0 cannot hold at all, even escaped. */
export const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * Text for an XML element or attribute: the characters XML 1.0 forbids dropped, markup escaped, and
 * tab, line feed and carriage return as character references — an XML reader turns a literal CR
 * into LF, and literal whitespace in an attribute into spaces, but keeps a reference as written.
 */
export function escapeXml(text: string): string {
  return text
    .replace(XML_INVALID, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Header values: CR/LF and other control characters removed (no header injection); characters
 * outside Latin-1, which an HTTP header cannot carry, percent-encoded as UTF-8 ("日本" → "%E6%97%A5%E6%9C%AC",
 * as encodeURIComponent would), so a record's data never makes a request unsendable.
 */
export function sanitizeHeaderValue(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000A-\u001F\u007F]/g, "")
    .replace(/[^\u0000-\u00FF]+/gu, (chars) => encodeURIComponent(chars.replace(/[\uD800-\uDFFF]/gu, "\uFFFD")))
    .trim();
}

/** Content of a JSON string literal (no surrounding quotes): `"` `\` and control characters escaped. */
export function escapeJsonString(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

function escapeValue(value: unknown, mode: TemplateEscape): string {
  if (mode === "json") {
    // Numbers, booleans, objects and arrays print as JSON (`"owner": {{data.owner}}` works);
    // strings print as JSON string content so they belong inside quotes in the template.
    if (value === undefined || value === null) return "";
    if (typeof value === "string") return escapeJsonString(value);
    return valueToText(value);
  }
  const text = valueToText(value);
  switch (mode) {
    case "xml":
      return escapeXml(text);
    case "url":
      return encodeURIComponent(text);
    case "header":
      return sanitizeHeaderValue(text);
    default:
      return text;
  }
}

const liquid = new Liquid({
  strictVariables: false,
  strictFilters: true,
  ownPropertyOnly: true,
  // An empty in-memory "file system": include/render/layout can never read from disk.
  templates: {},
  dynamicPartials: false,
  cache: false,
  parseLimit: 200_000,
  renderLimit: 1_000,
  memoryLimit: 20_000_000,
  outputEscape(this: { context?: { globals?: unknown } }, value: unknown): string {
    const globals = this.context?.globals;
    const mode = globals && typeof globals === "object" ? (globals as Record<string, unknown>)[ESCAPE_KEY] : undefined;
    const text = escapeValue(value, isEscape(mode) ? mode : "none");
    // Everything printed counts, also into `capture` (which liquidjs' memoryLimit does not see).
    const budget =
      globals && typeof globals === "object"
        ? ((globals as Record<string, unknown>)[BUDGET_KEY] as { printed: number } | undefined)
        : undefined;
    if (budget && (budget.printed += text.length) > MAX_FILTER_TEXT) {
      throw new TemplateLimitError(
        `The template prints more than ${MAX_FILTER_TEXT.toLocaleString("en-US")} characters (captures included)`,
      );
    }
    return text;
  },
});

// `raw` would let a template print event data unescaped; here it is a plain pass-through, so the
// call's escape still applies and event data can never break out of its JSON string / XML text.
liquid.registerFilter("raw", (value: unknown) => value);

function checkFilterText(value: unknown, name: string): void {
  if (typeof value === "string" && value.length > MAX_FILTER_TEXT) {
    throw new TemplateLimitError(
      `The template builds a text longer than ${MAX_FILTER_TEXT.toLocaleString("en-US")} characters (at the ${name} filter)`,
    );
  }
  if (Array.isArray(value) && value.length > MAX_FILTER_TEXT / 4) {
    throw new TemplateLimitError(
      `The template builds a list longer than ${(MAX_FILTER_TEXT / 4).toLocaleString("en-US")} items (at the ${name} filter)`,
    );
  }
}

// Every filter checks the length of what it is given and what it gives back (reading a string's
// length never flattens it, so a huge text built by captures is caught before it is copied).
for (const [name, filter] of Object.entries(liquid.filters)) {
  const impl = typeof filter === "function" ? filter : filter.handler;
  if (typeof impl !== "function") continue;
  const handler = function (this: unknown, ...args: unknown[]) {
    for (const arg of args) checkFilterText(arg, name);
    const out = (impl as (...a: unknown[]) => unknown).apply(this, args);
    checkFilterText(out, name);
    return out;
  };
  liquid.registerFilter(name, typeof filter === "function" ? handler : { handler, raw: filter.raw });
}

/** Parsed templates by source text; a small LRU keeps hot webhook templates parsed. */
const parsed = new Map<string, Template[]>();

function parse(source: string): Template[] {
  const hit = parsed.get(source);
  if (hit) {
    parsed.delete(source);
    parsed.set(source, hit);
    return hit;
  }
  let tpl: Template[];
  try {
    tpl = liquid.parse(source);
  } catch (err) {
    throw new TemplateError(`The template could not be read: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  parsed.set(source, tpl);
  if (parsed.size > MAX_CACHED_TEMPLATES) {
    const oldest = parsed.keys().next().value;
    if (oldest !== undefined) parsed.delete(oldest);
  }
  return tpl;
}

/** Checks that a template parses (unknown filters and syntax errors throw a TemplateError). */
export function validateTemplate(source: string): void {
  parse(source);
}

/**
 * Renders `template` against `context`. Missing fields render empty; syntax errors, unknown
 * filters and over-long output throw a TemplateError.
 */
export function renderTemplate(
  template: string,
  context: Record<string, unknown>,
  options: RenderOptions = {},
): string {
  if (!template.includes("{{") && !template.includes("{%")) return template;
  const tpl = parse(template);
  let out: unknown;
  try {
    out = liquid.renderSync(tpl, context, {
      globals: { [ESCAPE_KEY]: options.escape ?? "none", [BUDGET_KEY]: { printed: 0 } },
    });
  } catch (err) {
    const limit = findLimitError(err);
    if (limit) throw limit;
    throw new TemplateError(`The template could not be rendered: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (typeof out === "string" && out.length > MAX_TEMPLATE_OUTPUT) throw outputTooLong();
  const text = typeof out === "string" ? out : valueToText(out);
  if (text.length > MAX_TEMPLATE_OUTPUT) throw outputTooLong();
  return text;
}

function outputTooLong(): TemplateLimitError {
  return new TemplateLimitError(
    `The template renders more than ${MAX_TEMPLATE_OUTPUT.toLocaleString("en-US")} characters`,
  );
}

/** liquidjs wraps a filter's error (RenderError → originalError); its limit errors ("… limit exceeded") count as limits
 * too. */
function findLimitError(err: unknown): TemplateLimitError | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof TemplateLimitError) return e;
    if (e instanceof RangeError)
      return new TemplateLimitError(`The template builds more than the engine can hold (${e.message})`);
    const next = (e as { originalError?: unknown; cause?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
    if (next === e) break;
    e = next;
  }
  const message = err instanceof Error ? err.message : "";
  if (/limit exceeded/i.test(message))
    return new TemplateLimitError(`The template uses more than its share of the engine: ${message}`);
  return null;
}

/**
 * Reads a dotted path ("data.owner.email", "items.0.sku") from an object: own properties only,
 * undefined when any step is missing.
 */
export function getPath(obj: unknown, path: string): unknown {
  let current: unknown = obj;
  for (const key of path.split(".")) {
    if (key === "" || current === null || typeof current !== "object") return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
