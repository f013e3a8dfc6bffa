/**
 * The JSON Schema a company may give its own event types, and the check of an event's `data` against
 * it. A deliberately small subset of JSON Schema (draft 2020-12 keywords): enough to say which fields a
 * record has, their types, which are required and which values they take — and nothing that could make
 * a check slow. No `pattern` (a regular expression written by a company could backtrack for minutes on
 * the events API's event loop), no `$ref` (no recursion, nothing fetched); a schema is at most 64 KiB and
 * 16 levels deep, and a check walks each part of the data once per schema node.
 */

export const MAX_SCHEMA_BYTES = 64 * 1024;
const MAX_SCHEMA_DEPTH = 16;
const TYPES = ["string", "number", "integer", "boolean", "object", "array", "null"] as const;
type JsonType = (typeof TYPES)[number];
const FORMATS = ["date-time", "date", "email", "uri"] as const;

/** Keywords that describe and do not constrain: accepted and ignored. */
const ANNOTATIONS = new Set([
  "$schema",
  "$id",
  "title",
  "description",
  "examples",
  "default",
  "$comment",
  "deprecated",
]);
const KEYWORDS = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "const",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "format",
]);

export interface EventSchema {
  type?: JsonType | JsonType[];
  properties?: Record<string, EventSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: EventSchema;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  format?: (typeof FORMATS)[number];
}

/**
 * Why a schema cannot be used (the path inside the schema and what is wrong), or null when it can.
 * The top level must describe an object (an event's `data`).
 */
export function schemaProblem(schema: unknown): string | null {
  if (JSON.stringify(schema).length > MAX_SCHEMA_BYTES)
    return `The schema is larger than ${MAX_SCHEMA_BYTES / 1024} KiB`;
  if (!isPlainObject(schema)) return "The schema must be a JSON object";
  const top = schema.type;
  if (top !== undefined && top !== "object")
    return 'The schema describes the event\'s data: its "type" must be "object"';
  return nodeProblem(schema, "", 0);
}

function nodeProblem(node: unknown, path: string, depth: number): string | null {
  const at = path || "the schema";
  if (depth > MAX_SCHEMA_DEPTH) return `${at}: nested deeper than ${MAX_SCHEMA_DEPTH} levels`;
  if (!isPlainObject(node)) return `${at}: must be a JSON object`;
  for (const [key, value] of Object.entries(node)) {
    if (ANNOTATIONS.has(key)) continue;
    if (!KEYWORDS.has(key))
      return `${at}: "${key.slice(0, 40)}" is not supported (supported: ${[...KEYWORDS].join(", ")})`;
    const here = `${path ? `${path}.` : ""}${key}`;
    switch (key) {
      case "type": {
        const list = Array.isArray(value) ? value : [value];
        if (!list.length || list.some((t) => !TYPES.includes(t as JsonType)))
          return `${here}: must be one of ${TYPES.join(", ")} (or a list of them)`;
        break;
      }
      case "properties": {
        if (!isPlainObject(value)) return `${here}: must be an object of field → schema`;
        for (const [name, sub] of Object.entries(value)) {
          const problem = nodeProblem(sub, `${here}.${name}`, depth + 1);
          if (problem) return problem;
        }
        break;
      }
      case "items": {
        const problem = nodeProblem(value, here, depth + 1);
        if (problem) return problem;
        break;
      }
      case "required":
        if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
          return `${here}: must be a list of field names`;
        break;
      case "additionalProperties":
        if (typeof value !== "boolean") return `${here}: must be true or false`;
        break;
      case "enum":
        if (!Array.isArray(value) || value.length === 0) return `${here}: must be a non-empty list of values`;
        break;
      case "minimum":
      case "maximum":
        if (typeof value !== "number" || !Number.isFinite(value)) return `${here}: must be a number`;
        break;
      case "minLength":
      case "maxLength":
      case "minItems":
      case "maxItems":
        if (!Number.isInteger(value) || (value as number) < 0) return `${here}: must be a whole number ≥ 0`;
        break;
      case "format":
        if (!FORMATS.includes(value as (typeof FORMATS)[number]))
          return `${here}: must be one of ${FORMATS.join(", ")}`;
        break;
    }
  }
  return null;
}

/** Where `data` departs from the schema (a dotted path and what is wrong), or null when it conforms. */
export function schemaViolation(schema: EventSchema, data: unknown, path = "data"): string | null {
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasType(data, t))) return `${path} must be ${types.map(article).join(" or ")}`;
  }
  if (schema.const !== undefined && !sameJson(data, schema.const))
    return `${path} must be ${JSON.stringify(schema.const).slice(0, 60)}`;
  if (schema.enum && !schema.enum.some((v) => sameJson(data, v)))
    return `${path} must be one of ${schema.enum
      .map((v) => JSON.stringify(v))
      .join(", ")
      .slice(0, 200)}`;
  if (typeof data === "number") {
    if (schema.minimum !== undefined && data < schema.minimum) return `${path} must be at least ${schema.minimum}`;
    if (schema.maximum !== undefined && data > schema.maximum) return `${path} must be at most ${schema.maximum}`;
  }
  if (typeof data === "string") {
    const length = [...data].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      return `${path} must be at least ${schema.minLength} characters long`;
    if (schema.maxLength !== undefined && length > schema.maxLength)
      return `${path} must be at most ${schema.maxLength} characters long`;
    if (schema.format && !matchesFormat(data, schema.format)) return `${path} must be ${formatLabel(schema.format)}`;
  }
  if (Array.isArray(data)) {
    if (schema.minItems !== undefined && data.length < schema.minItems)
      return `${path} must hold at least ${schema.minItems} items`;
    if (schema.maxItems !== undefined && data.length > schema.maxItems)
      return `${path} must hold at most ${schema.maxItems} items`;
    if (schema.items)
      for (let i = 0; i < data.length; i++) {
        const problem = schemaViolation(schema.items, data[i], `${path}.${i}`);
        if (problem) return problem;
      }
  }
  if (isPlainObject(data)) {
    for (const name of schema.required ?? [])
      if (!Object.hasOwn(data, name) || data[name] === undefined) return `${path}.${name} is required`;
    for (const [name, value] of Object.entries(data)) {
      const sub = schema.properties && Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined;
      if (sub) {
        const problem = schemaViolation(sub, value, `${path}.${name}`);
        if (problem) return problem;
      } else if (schema.additionalProperties === false) return `${path}.${name} is not a field of this event type`;
    }
  }
  return null;
}

/** A sample record built from a schema (for a type registered with a schema and no sample). */
export function sampleFromSchema(schema: EventSchema, depth = 0): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const type = Array.isArray(schema.type) ? (schema.type.find((t) => t !== "null") ?? "null") : schema.type;
  switch (type ?? (schema.properties ? "object" : schema.items ? "array" : "string")) {
    case "object": {
      const out: Record<string, unknown> = {};
      if (depth < MAX_SCHEMA_DEPTH)
        for (const [name, sub] of Object.entries(schema.properties ?? {})) out[name] = sampleFromSchema(sub, depth + 1);
      return out;
    }
    case "array":
      return schema.items && depth < MAX_SCHEMA_DEPTH ? [sampleFromSchema(schema.items, depth + 1)] : [];
    case "integer":
    case "number":
      return schema.minimum ?? 1;
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return schema.format === "date-time"
        ? "2026-11-20T09:30:00Z"
        : schema.format === "date"
          ? "2026-11-20"
          : schema.format === "email"
            ? "someone@example.com"
            : schema.format === "uri"
              ? "https://example.com/"
              : "example";
  }
}

function hasType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    case "object":
      return isPlainObject(value);
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    default:
      return typeof value === type;
  }
}

function article(type: JsonType): string {
  return type === "null" ? "null" : `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
}

function matchesFormat(value: string, format: (typeof FORMATS)[number]): boolean {
  switch (format) {
    case "date-time":
      return (
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) && !isNaN(Date.parse(value))
      );
    case "date":
      return /^\d{4}-\d{2}-\d{2}$/.test(value) && !isNaN(Date.parse(value));
    case "email":
      return /^[^\s@]+@[^\s@]+$/.test(value) && value.length <= 320;
    case "uri":
      return URL.canParse(value);
  }
}

function formatLabel(format: (typeof FORMATS)[number]): string {
  return {
    "date-time": "an ISO 8601 date and time",
    date: "a date (YYYY-MM-DD)",
    email: "an email address",
    uri: "a URL",
  }[format];
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
