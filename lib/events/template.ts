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

/** Largest rendered output (characters); a template that renders more is refused. */
export const MAX_TEMPLATE_OUTPUT = 1_000_000;
const MAX_CACHED_TEMPLATES = 500;

/** Liquid's render context carries the escape mode for this call, so one instance serves all modes. */
const ESCAPE_KEY = "__hookrelayEscape";

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
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(text: string): string {
  return text
    .replace(XML_INVALID, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** Header values: CR/LF and other control characters removed (no header injection). */
export function sanitizeHeaderValue(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000A-\u001F\u007F]/g, "").trim();
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
    return escapeValue(value, isEscape(mode) ? mode : "none");
  },
});

// `raw` would let a template print event data unescaped; here it is a plain pass-through, so the
// call's escape still applies and event data can never break out of its JSON string / XML text.
liquid.registerFilter("raw", (value: unknown) => value);

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
    throw new TemplateError(`The template could not be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
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
export function renderTemplate(template: string, context: Record<string, unknown>, options: RenderOptions = {}): string {
  if (!template.includes("{{") && !template.includes("{%")) return template;
  const tpl = parse(template);
  let out: unknown;
  try {
    out = liquid.renderSync(tpl, context, { globals: { [ESCAPE_KEY]: options.escape ?? "none" } });
  } catch (err) {
    throw new TemplateError(`The template could not be rendered: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const text = typeof out === "string" ? out : valueToText(out);
  if (text.length > MAX_TEMPLATE_OUTPUT) throw new TemplateError(`The rendered template is longer than ${MAX_TEMPLATE_OUTPUT} characters`);
  return text;
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
