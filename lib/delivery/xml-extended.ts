import { escapeXml, XML_INVALID } from "@/lib/events/template";

/**
 * Freshsales' "XML (extended)" encoding: the payload as XML in which every element says what its
 * value is, so a receiver reads numbers, booleans, dates, lists and empty values back without a
 * schema (the style of Rails' `to_xml`, which Freshsales' receivers commonly parse):
 *
 *   <event type="hash">
 *     <amount type="integer">48000</amount>
 *     <probability type="float">0.6</probability>
 *     <won type="boolean">true</won>
 *     <close_date type="date">2026-11-22</close_date>
 *     <occurredAt type="datetime">2026-11-22T09:30:00Z</occurredAt>
 *     <merged_ids type="array"><merged_id type="string">l_2090</merged_id></merged_ids>
 *     <owner type="hash"><name type="string">Grace</name></owner>
 *     <previous nil="true"/>
 *   </event>
 *
 * - Types: `string`, `integer` (whole numbers within ±2^53), `float` (any other number), `boolean`,
 *   `datetime` (a string that is an ISO 8601 date and time with a zone), `date` (`YYYY-MM-DD`),
 *   `array` (one child element per item, named after the array: `tags` → `tag`, `categories` →
 *   `category`, otherwise `item`), `hash` (an object: one child per key). `null` is `nil="true"`.
 * - Names: a key is the element's name when it is a plain XML name (ASCII letters, digits, `_`, `-`,
 *   `.`, not starting with a digit, `-`, `.` or "xml"). Any other key (`first name`, `1st`, `<a>`,
 *   `名前`, ``) gets a name made of it (every other character `_`, `_` in front where needed) and
 *   the exact key in a `key` attribute: `<first_name key="first name" type="string">`.
 * - Text: `&`, `<`, `>` (so `]]>` too) and quotes are escaped; tab, line feed and carriage return
 *   are character references (an XML reader would otherwise turn CR into LF). A string or key holding
 *   a character XML 1.0 cannot carry at all (control characters such as U+0001, U+FFFE, a lone
 *   surrogate) is sent base64-encoded (UTF-8) and marked: `encoding="base64"` on the element,
 *   `key-encoding="base64"` for the key — nothing is dropped and the document stays well-formed.
 * - Past 32 levels of nesting, a value is its JSON text (`type="string"`).
 */

const MAX_DEPTH = 32;
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const XML_UNCARRIABLE = new RegExp(
  `${XML_INVALID.source}|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]`,
);
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function plainName(name: string): boolean {
  return PLAIN_NAME.test(name) && !/^xml/i.test(name);
}

/** The element name for a key: the key itself when it is a plain XML name, else one made of it. */
export function extendedXmlName(key: string): string {
  if (plainName(key)) return key;
  let name = key.replace(/[^A-Za-z0-9_.-]/g, "_");
  if (!/^[A-Za-z_]/.test(name)) name = `_${name}`;
  if (/^xml/i.test(name)) name = `_${name}`;
  return name;
}

/** The name of an array's items: `tags` → `tag`, `categories` → `category`, `addresses` → `address`, else `item`. */
function itemName(arrayName: string): string {
  const singular = /[^aeiou]ies$/i.test(arrayName)
    ? arrayName.replace(/ies$/i, "y")
    : /(ss|x|ch|sh)es$/i.test(arrayName)
      ? arrayName.slice(0, -2)
      : /[^s]s$/i.test(arrayName)
        ? arrayName.slice(0, -1)
        : "";
  return plainName(singular) ? singular : "item";
}

function attr(name: string, value: string): string {
  return ` ${name}="${escapeXml(value)}"`;
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** The `key` attribute when the element's name is not the key itself. */
function keyAttrs(key: string | undefined, name: string): string {
  if (key === undefined || key === name) return "";
  return XML_UNCARRIABLE.test(key) ? attr("key", base64(key)) + attr("key-encoding", "base64") : attr("key", key);
}

function stringType(text: string): string {
  if (DATETIME.test(text) && !Number.isNaN(Date.parse(text))) return "datetime";
  if (DATE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`))) return "date";
  return "string";
}

function leaf(name: string, attrs: string, type: string, text: string): string {
  if (XML_UNCARRIABLE.test(text))
    return `<${name}${attrs}${attr("type", type)}${attr("encoding", "base64")}>${base64(text)}</${name}>`;
  return text === ""
    ? `<${name}${attrs}${attr("type", type)}/>`
    : `<${name}${attrs}${attr("type", type)}>${escapeXml(text)}</${name}>`;
}

function numberLeaf(name: string, attrs: string, n: number): string {
  if (Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER) return leaf(name, attrs, "integer", String(n));
  const text = Number.isNaN(n) ? "NaN" : n === Infinity ? "INF" : n === -Infinity ? "-INF" : String(n);
  return leaf(name, attrs, "float", text);
}

function node(key: string | undefined, name: string, value: unknown, depth: number): string {
  const attrs = keyAttrs(key, name);
  if (value === null || value === undefined) return `<${name}${attrs}${attr("nil", "true")}/>`;
  if (typeof value === "boolean") return leaf(name, attrs, "boolean", String(value));
  if (typeof value === "number") return numberLeaf(name, attrs, value);
  if (typeof value === "bigint") return leaf(name, attrs, "integer", value.toString());
  if (typeof value === "string") return leaf(name, attrs, stringType(value), value);
  if (value instanceof Date)
    return leaf(name, attrs, "datetime", Number.isNaN(value.getTime()) ? "" : value.toISOString());
  if (depth >= MAX_DEPTH) return leaf(name, attrs, "string", JSON.stringify(value) ?? "");
  if (Array.isArray(value)) {
    const child = itemName(name);
    const inner = value.map((v) => node(undefined, child, v, depth + 1)).join("");
    return inner ? `<${name}${attrs}${attr("type", "array")}>${inner}</${name}>` : `<${name}${attrs} type="array"/>`;
  }
  if (typeof value === "object") {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => node(k, extendedXmlName(k), v, depth + 1))
      .join("");
    return inner ? `<${name}${attrs}${attr("type", "hash")}>${inner}</${name}>` : `<${name}${attrs} type="hash"/>`;
  }
  return leaf(name, attrs, "string", String(value));
}

/** The payload as an "XML (extended)" document with root `<event type="hash">`. */
export function toExtendedXml(payload: Record<string, unknown>, root = "event"): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${node(undefined, extendedXmlName(root), payload, 0)}`;
}
