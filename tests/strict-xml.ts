/**
 * A strict reader for the XML the request builder writes (tests only): a declaration, elements with
 * double-quoted attributes, text with the five predefined entities and character references. It
 * does what an XML 1.0 reader does to line ends (CR LF and CR become LF) and to attribute values
 * (literal tab, LF become spaces), so a value that only survives when escaped properly is caught.
 * Anything not well-formed (a raw `<` or `&`, an unbalanced tag, a bad name, a repeated attribute,
 * a character XML 1.0 forbids, two roots) throws.
 *
 * readExtendedXml decodes "XML (extended)" (lib/delivery/xml-extended.ts) back to the value it was
 * made of, by its `type`, `nil`, `key` and `encoding` attributes alone.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: (XmlElement | string)[];
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
export const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeRefs(raw: string): string {
  if (raw.includes("<")) throw new Error(`raw < in text: ${raw}`);
  return raw.replace(/&([^;]*);|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw new Error("bare & in text");
    if (ref in ENTITIES) return ENTITIES[ref];
    const m = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(ref);
    if (!m) throw new Error(`unknown entity &${ref};`);
    const code = m[1].startsWith("x") ? parseInt(m[1].slice(1), 16) : parseInt(m[1], 10);
    const ch = String.fromCodePoint(code);
    if (XML_FORBIDDEN.test(ch)) throw new Error(`a reference to a forbidden character &${ref};`);
    return ch;
  });
}

function parseAttrs(raw: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  const one = /\s+([^\s=<>/"]+)="([^"]*)"/y;
  let at = 0;
  while (at < raw.length) {
    one.lastIndex = at;
    const m = one.exec(raw);
    if (!m) {
      if (raw.slice(at).trim() === "") break;
      throw new Error(`bad attributes: ${raw}`);
    }
    const [, name, value] = m;
    if (!XML_NAME.test(name)) throw new Error(`bad attribute name ${name}`);
    if (Object.hasOwn(attrs, name)) throw new Error(`repeated attribute ${name}`);
    // Attribute-value normalization: literal whitespace characters become spaces; references stay.
    attrs[name] = decodeRefs(value.replace(/[\t\n]/g, " "));
    at = one.lastIndex;
  }
  return attrs;
}

export function parseXml(xml: string): XmlElement {
  if (XML_FORBIDDEN.test(xml)) throw new Error("a character XML 1.0 cannot hold");
  let rest = xml.replace(/\r\n?/g, "\n");
  const decl = /^<\?xml version="1\.0"( encoding="UTF-8")?\?>/.exec(rest);
  if (decl) rest = rest.slice(decl[0].length);
  const root: XmlElement = { name: "#document", attrs: {}, children: [] };
  const stack: XmlElement[] = [root];
  const tag = /<(\/?)([^<>\s/]+)((?:\s+[^\s=<>/"]+="[^"<]*")*)\s*(\/?)>/g;
  let at = 0;
  for (let m = tag.exec(rest); m; m = tag.exec(rest)) {
    const text = rest.slice(at, m.index);
    if (text) {
      if (stack.length === 1) throw new Error(`text outside the root: ${text}`);
      stack[stack.length - 1].children.push(decodeRefs(text));
    }
    at = m.index + m[0].length;
    const [, closing, name, rawAttrs, selfClosing] = m;
    if (!XML_NAME.test(name) || /^xml/i.test(name)) throw new Error(`bad element name ${name}`);
    if (closing && (selfClosing || rawAttrs)) throw new Error(`</${name} …/>`);
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name || stack.length === 0) throw new Error(`unbalanced </${name}>`);
    } else {
      const el: XmlElement = { name, attrs: parseAttrs(rawAttrs), children: [] };
      if (stack.length === 1 && root.children.length > 0) throw new Error("a second root element");
      stack[stack.length - 1].children.push(el);
      if (!selfClosing) stack.push(el);
    }
  }
  const tail = rest.slice(at);
  if (tail.trim() || stack.length !== 1) throw new Error(`unclosed elements or trailing text: ${tail.slice(0, 50)}`);
  if (root.children.length !== 1 || typeof root.children[0] === "string") throw new Error("no single root element");
  return root.children[0] as XmlElement;
}

export function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== "string");
}

export function child(el: XmlElement, name: string): XmlElement {
  const found = elements(el).filter((c) => c.name === name);
  if (found.length !== 1) throw new Error(`expected one <${name}> in <${el.name}>, found ${found.length}`);
  return found[0];
}

export function textOf(el: XmlElement): string {
  if (el.children.some((c) => typeof c !== "string")) throw new Error(`<${el.name}> holds elements, not text`);
  return el.children.join("");
}

/** What a plain XML element can carry of a string: the characters XML 1.0 forbids are dropped. */
export const xmlVisible = (s: string) => s.replace(new RegExp(XML_FORBIDDEN.source, "g"), "");

const fromBase64 = (text: string) => Buffer.from(text, "base64").toString("utf8");

/** The value an "XML (extended)" element stands for; throws on an element it does not describe. */
export function extendedValue(el: XmlElement): unknown {
  const { type, nil, encoding } = el.attrs;
  if (nil === "true") {
    if (el.children.length > 0 || type !== undefined) throw new Error(`<${el.name} nil="true"> with content or type`);
    return null;
  }
  if (type === "hash") {
    if (el.children.some((c) => typeof c === "string")) throw new Error(`text in hash <${el.name}>`);
    const out: Record<string, unknown> = {};
    for (const c of elements(el)) {
      const key =
        c.attrs.key === undefined
          ? c.name
          : c.attrs["key-encoding"] === "base64"
            ? fromBase64(c.attrs.key)
            : c.attrs.key;
      if (Object.hasOwn(out, key)) throw new Error(`key ${key} twice in <${el.name}>`);
      out[key] = extendedValue(c);
    }
    return out;
  }
  if (type === "array") {
    if (el.children.some((c) => typeof c === "string")) throw new Error(`text in array <${el.name}>`);
    const items = elements(el);
    if (new Set(items.map((i) => i.name)).size > 1) throw new Error(`mixed item names in <${el.name}>`);
    return items.map(extendedValue);
  }
  const raw = textOf(el);
  const text = encoding === "base64" ? fromBase64(raw) : raw;
  if (encoding !== undefined && encoding !== "base64") throw new Error(`unknown encoding ${encoding}`);
  switch (type) {
    case "string":
    case "date":
    case "datetime":
      return text;
    case "integer":
      if (!/^-?\d+$/.test(text)) throw new Error(`integer ${text}`);
      return Number(text);
    case "float":
      return text === "INF" ? Infinity : text === "-INF" ? -Infinity : Number(text);
    case "boolean":
      if (text !== "true" && text !== "false") throw new Error(`boolean ${text}`);
      return text === "true";
    default:
      throw new Error(`<${el.name}> has no known type (${String(type)})`);
  }
}

/** Parses strictly, then decodes: `<event type="hash">…</event>` → the payload object. */
export function readExtendedXml(xml: string): unknown {
  return extendedValue(parseXml(xml));
}
