import { createHmac } from "node:crypto";
import { maskSecret } from "@/lib/crypto";
import {
  escapeXml,
  getPath,
  renderTemplate,
  sanitizeHeaderValue,
  TemplateError,
  TemplateLimitError,
  valueToText,
  type TemplateEscape,
} from "@/lib/events/template";
import { eventTypeAsSent } from "@/lib/events/leadsquared-names";
import { redactor, registerRequestSecrets } from "./redact";
import { toExtendedXml } from "./xml-extended";
import {
  BODY_METHODS,
  CREDENTIAL_NAME,
  isSecretConstant,
  isSecretHeader,
  isTemplated,
  type BodyEncoding,
  type HttpMethod,
  type WebhookConfig,
} from "@/lib/validations/webhook";

/**
 * Turns a webhook's configuration and an event into the exact HTTP request to send (DESIGN.md
 * "Delivery" 2): placeholders, body mode and encoding, auth, custom headers and the Standard
 * Webhooks headers. Pure: no I/O, so the worker, Test and the unit tests build identical requests.
 */

export interface DeliveryEvent {
  id: string;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
  previous?: Record<string, unknown> | null;
}

export interface BuildContext {
  /** Sent as `webhook-id`; stable across retries so receivers can dedupe. */
  deliveryId: string;
  timestamp: Date;
  /** `whsec_…` secrets; during a rotation overlap both, and the request carries one signature per secret. */
  signingSecrets: string[];
  /**
   * Decrypted secrets; each falls back to the value in the config (the unsaved form used by Test).
   * Secret header values are keyed by lower-case header name, secret constants by name.
   */
  secrets: {
    basicPassword?: string;
    apiKeyValue?: string;
    bearerToken?: string;
    oauthAccessToken?: string;
    headers?: Record<string, string>;
    constants?: Record<string, string>;
  };
  /** The webhook's id: LeadSquared's `entityId` query parameter (empty for an unsaved webhook). */
  webhookId?: string;
  /**
   * The templates' outputs, rendered beforehand in the sandbox (renderInSandbox). Without it the
   * templates are rendered here, in this thread: only for the unit tests and the sandbox itself.
   */
  rendered?: Rendered;
}

/** Looks up a template's pre-rendered output for the event at `eventIndex`; throws its error. */
export type Rendered = (template: string, escape: TemplateEscape, eventIndex: number, where: string) => string;

export interface BuiltRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  /** The headers with every secret replaced by its masked form: what the attempt log stores and Test shows. */
  maskedHeaders: Record<string, string>;
  /** The body with every secret (secret constants, any secret of the request in its text) masked: what is logged and
   * shown. */
  maskedBody: string | null;
  maskedUrl: string;
}

/** The parts of a webhook that shape the request (a full WebhookConfig fits). */
export type RequestConfig = Pick<
  WebhookConfig,
  "method" | "url" | "includeEntityParams" | "headers" | "auth" | "body"
> &
  Partial<Pick<WebhookConfig, "eventNaming">>;

export type BuildRequestErrorCode =
  | "invalid_url"
  | "template"
  | "template_limit"
  | "missing_secret"
  | "oauth_token_missing"
  | "invalid_signing_secret"
  | "invalid_header"
  | "unsupported";

export class BuildRequestError extends Error {
  constructor(
    readonly code: BuildRequestErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "BuildRequestError";
  }
}

/** Headers the request's framing or its signature own; a custom header cannot set them. */
const RESERVED_HEADERS = new Set([
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "proxy-connection",
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const USER_AGENT = "Hookrelay-Webhooks/1.0";
const MAX_DEPTH = 32;

export const CONTENT_TYPES: Record<BodyEncoding, string> = {
  json: "application/json",
  json_array: "application/json",
  xml: "application/xml; charset=utf-8",
  xml_extended: "application/xml; charset=utf-8",
  form: "application/x-www-form-urlencoded",
  text: "text/plain; charset=utf-8",
};

/** What placeholders see: `{{event.id}}`, `{{event.type}}`, `{{data.owner.email}}`, `{{previous.stage}}`. */
export function templateContext(event: DeliveryEvent): Record<string, unknown> {
  return {
    event: { id: event.id, type: event.type, occurredAt: event.occurredAt },
    data: event.data,
    previous: event.previous ?? null,
  };
}

/** The raw-mode payload: the whole event. */
export function eventEnvelope(event: DeliveryEvent): Record<string, unknown> {
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    data: event.data,
    previous: event.previous ?? null,
  };
}

/** A picked field: `event.*`, `data.*`, `previous.*`, or a bare path read from the record (`owner.email`). */
export function resolveField(context: Record<string, unknown>, path: string): unknown {
  const first = path.split(".")[0];
  if (first === "event" || first === "data" || first === "previous") return getPath(context, path);
  return getPath(context.data, path);
}

// ---------------------------------------------------------------------------------------------
// Encoders

function xmlName(key: string): string {
  let name = key.replace(/[^A-Za-z0-9_.-]/g, "_");
  if (!/^[A-Za-z_]/.test(name)) name = `_${name}`;
  if (/^xml/i.test(name)) name = `_${name}`; // names starting with "xml" are reserved
  return name;
}

function xmlNode(name: string, value: unknown, depth: number): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (depth >= MAX_DEPTH) return `<${name}>${escapeXml(valueToText(value))}</${name}>`;
  if (Array.isArray(value)) return `<${name}>${value.map((v) => xmlNode("item", v, depth + 1)).join("")}</${name}>`;
  if (typeof value === "object") {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => xmlNode(xmlName(k), v, depth + 1))
      .join("");
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(valueToText(value))}</${name}>`;
}

/** A well-formed XML document with root `<event>`; keys become valid element names, arrays `<item>`s. */
export function toXml(payload: Record<string, unknown>, root = "event"): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${xmlNode(xmlName(root), payload, 0)}`;
}

/** Flattens nested objects PHP/Rails style: `{a:{b:1},c:[x]}` → `a[b]=1`, `c[0]=x`. */
export function flattenParams(payload: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  const walk = (key: string, value: unknown, depth: number) => {
    if (value === null || value === undefined) {
      out.push([key, ""]);
    } else if (depth < MAX_DEPTH && Array.isArray(value)) {
      value.forEach((v, i) => walk(`${key}[${i}]`, v, depth + 1));
    } else if (depth < MAX_DEPTH && typeof value === "object" && !(value instanceof Date)) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(`${key}[${k}]`, v, depth + 1);
    } else {
      out.push([key, valueToText(value)]);
    }
  };
  for (const [k, v] of Object.entries(payload)) walk(k, v, 0);
  return out;
}

/** Encodes a payload object (raw or picked fields) in the webhook's encoding. */
export function encodePayload(payload: Record<string, unknown>, encoding: BodyEncoding): string {
  switch (encoding) {
    case "json":
    case "text":
      return JSON.stringify(payload);
    case "json_array":
      return JSON.stringify([payload]);
    case "xml":
      return toXml(payload);
    case "xml_extended":
      return toExtendedXml(payload);
    case "form":
      return new URLSearchParams(flattenParams(payload)).toString();
  }
}

const TEMPLATE_ESCAPE = {
  json: "json",
  json_array: "json",
  xml: "xml",
  xml_extended: "xml",
  form: "url",
  text: "none",
} as const;

/**
 * The event as this webhook sends it: its type in the webhook's naming (`deal.updated`, or LeadSquared's
 * `Opportunity_Post_Update`), which the body's `type`, a picked `event.type`, `{{event.type}}` and the
 * `eventType` query parameter all carry.
 */
export function eventAsSent(config: Pick<RequestConfig, "eventNaming">, event: DeliveryEvent): DeliveryEvent {
  const type = eventTypeAsSent(event.type, config.eventNaming);
  return type === event.type ? event : { ...event, type };
}

function render(
  template: string,
  context: Record<string, unknown>,
  escape: TemplateEscape,
  where: string,
  ctx: BuildContext,
  eventIndex = 0,
): string {
  if (ctx.rendered && isTemplated(template)) return ctx.rendered(template, escape, eventIndex, where);
  try {
    return renderTemplate(template, context, { escape });
  } catch (err) {
    if (err instanceof TemplateError)
      throw new BuildRequestError(
        err instanceof TemplateLimitError ? "template_limit" : "template",
        `${where}: ${err.message}`,
        { cause: err },
      );
    throw err;
  }
}

/** The templates a request for `config` renders, per event: what renderInSandbox sends. */
function templatedPlaces(
  config: RequestConfig,
  eventCount: number,
  batch: boolean,
): { template: string; escape: TemplateEscape; eventIndex: number }[] {
  const places: { template: string; escape: TemplateEscape; eventIndex: number }[] = [
    { template: config.url, escape: "url", eventIndex: 0 },
  ];
  // A secret header's value is sent as typed: it is never rendered, so never handed to the sandbox.
  for (const h of config.headers)
    if (!isSecretHeader(h)) places.push({ template: h.value, escape: "header", eventIndex: 0 });
  if (config.body.mode === "template") {
    const body = config.body.template;
    if (batch) for (let i = 0; i < eventCount; i++) places.push({ template: body, escape: "json", eventIndex: i });
    else
      places.push({
        template: body,
        escape: BODY_METHODS.includes(config.method) ? TEMPLATE_ESCAPE[config.body.encoding] : "url",
        eventIndex: 0,
      });
  }
  return places.filter((p) => isTemplated(p.template));
}

/** Renders through the sandbox (lib/sandbox): `key` is whose turn it is (the company). */
export type SandboxRender = (
  key: string,
  contexts: Record<string, unknown>[],
  items: { template: string; escape: TemplateEscape; context: number }[],
) => Promise<({ ok: true; text: string } | { ok: false; limit: boolean; message: string })[]>;

/**
 * Renders every template a request needs (one event, or a batch window's events) in one sandbox
 * call, and returns the lookup buildRequest / buildBatchRequest read them from (BuildContext.rendered).
 * Undefined when nothing is templated. Throws BuildRequestError("template_limit") when the sandbox
 * stopped the render (deadline, memory); a template's own error is thrown where the builder reads it.
 */
export async function renderInSandbox(
  sandbox: SandboxRender,
  key: string,
  config: RequestConfig,
  events: DeliveryEvent[],
  batch = false,
): Promise<Rendered | undefined> {
  const places = templatedPlaces(config, events.length, batch);
  if (places.length === 0) return undefined;
  const used = [...new Set(places.map((p) => p.eventIndex))];
  const contexts = used.map((i) => templateContext(eventAsSent(config, events[i])));
  let results;
  try {
    results = await sandbox(
      key,
      contexts,
      places.map((p) => ({ template: p.template, escape: p.escape, context: used.indexOf(p.eventIndex) })),
    );
  } catch (err) {
    if (err instanceof TemplateLimitError) throw new BuildRequestError("template_limit", err.message, { cause: err });
    throw err;
  }
  const byPlace = new Map<string, (typeof results)[number]>();
  places.forEach((p, i) => byPlace.set(`${p.eventIndex}\u0000${p.escape}\u0000${p.template}`, results[i]));
  return (template, escape, eventIndex, where) => {
    const result = byPlace.get(`${eventIndex}\u0000${escape}\u0000${template}`);
    if (!result) throw new BuildRequestError("template", `${where}: the template was not rendered`);
    if (result.ok) return result.text;
    throw new BuildRequestError(result.limit ? "template_limit" : "template", `${where}: ${result.message}`);
  };
}

/** The payload object of raw and fields modes (template mode has none), with these constant parameters. */
function payloadObject(
  config: RequestConfig,
  event: DeliveryEvent,
  context: Record<string, unknown>,
  constants: [string, string][],
): Record<string, unknown> | null {
  const body = config.body;
  if (body.mode === "raw") return eventEnvelope(event);
  if (body.mode === "fields") {
    const out: Record<string, unknown> = {};
    for (const f of body.fields) {
      const value = resolveField(context, f.path);
      out[f.as?.trim() || f.path] = value === undefined ? null : value;
    }
    for (const [name, value] of constants) out[name] = value;
    return out;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Signing (Standard Webhooks, https://www.standardwebhooks.com)

function secretKey(secret: string): Buffer {
  const b64 = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  const key = Buffer.from(b64, "base64");
  if (key.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64))
    throw new BuildRequestError("invalid_signing_secret", "The webhook's signing secret is not a valid whsec_ secret");
  return key;
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret, space-separated. */
export function signPayload(secrets: string[], msgId: string, timestampSeconds: number, body: string): string {
  const content = `${msgId}.${timestampSeconds}.${body}`;
  return secrets
    .map((s) => `v1,${createHmac("sha256", secretKey(s)).update(content, "utf8").digest("base64")}`)
    .join(" ");
}

// ---------------------------------------------------------------------------------------------
// Headers (case-insensitive, keeping the casing first set)

class HeaderBag {
  private readonly map = new Map<string, { name: string; value: string }>();
  set(name: string, value: string) {
    const key = name.toLowerCase();
    const existing = this.map.get(key);
    this.map.set(key, { name: existing?.name ?? name, value });
  }
  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase())?.value;
  }
  entries(): { key: string; name: string; value: string }[] {
    return [...this.map.entries()].map(([key, v]) => ({ key, ...v }));
  }
}

// ---------------------------------------------------------------------------------------------

interface Assembled {
  url: URL;
  headers: HeaderBag;
  /** Header keys (lower-case) whose whole value is secret, with the secret to show masked. */
  maskedByKey: Map<string, string>;
  secretsInUse: string[];
  /** Query parameters holding a secret (API key in the query). */
  maskedQuery: Map<string, string>;
  /** The constant parameters as sent, and as logged (secret values masked). */
  constants: [string, string][];
  maskedConstants: [string, string][];
}

/** A path segment the URL parser would resolve away ("." or "..", also percent-encoded). */
const DOT_SEGMENT = /^(\.|%2e){1,2}$/i;

function parseTargetUrl(raw: string): URL {
  // A placeholder's value is URL-encoded ("/" becomes %2F), but a value of exactly "." or ".." stays a
  // path segment of its own, which the parser resolves ("/a/{{data.p}}/b" with ".." would call "/b"),
  // and no encoding survives that ("%2e%2e" is ".." to the parser too). Such a URL is refused.
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\\]*([^?#]*)/i.exec(raw)?.[1] ?? "";
  if (path.split(/[/\\]/).some((segment) => DOT_SEGMENT.test(segment))) {
    throw new BuildRequestError(
      "invalid_url",
      `The URL's path has a "." or ".." segment after filling placeholders, which would change the path called: ${Array.from(raw).slice(0, 200).join("")}`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BuildRequestError(
      "invalid_url",
      `The URL is not valid after filling placeholders: ${Array.from(raw).slice(0, 200).join("")}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new BuildRequestError("invalid_url", "The URL must use http or https");
  if (url.username || url.password)
    throw new BuildRequestError("invalid_url", "The URL may not contain a user name or password");
  return url;
}

function assemble(
  config: RequestConfig,
  event: DeliveryEvent,
  context: Record<string, unknown>,
  ctx: BuildContext,
): Assembled {
  const url = parseTargetUrl(render(config.url, context, "url", "URL", ctx));
  const headers = new HeaderBag();
  const maskedByKey = new Map<string, string>();
  const secretsInUse: string[] = [];
  const maskedQuery = new Map<string, string>();

  if (config.includeEntityParams) {
    // LeadSquared appends who posted (entityType "Webhook"), that webhook's id and the trigger.
    url.searchParams.append("entityType", "Webhook");
    url.searchParams.append("entityId", ctx.webhookId ?? "");
    url.searchParams.append("eventType", event.type);
  }

  headers.set("User-Agent", USER_AGENT);
  for (const h of config.headers) {
    const name = h.name.trim();
    if (!HEADER_NAME.test(name))
      throw new BuildRequestError("invalid_header", `Header name "${name.slice(0, 100)}" is not valid`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) continue;
    if (isSecretHeader(h)) {
      const secret = ctx.secrets.headers?.[name.toLowerCase()] || h.value;
      if (!secret)
        throw new BuildRequestError("missing_secret", `Header ${name}: its secret value is missing; type it again`);
      const value = sanitizeHeaderValue(secret);
      headers.set(name, value);
      maskedByKey.set(name.toLowerCase(), value);
      secretsInUse.push(value);
      continue;
    }
    const value = sanitizeHeaderValue(render(h.value, context, "header", `Header ${name}`, ctx));
    headers.set(name, value);
    // A header named like a credential but kept plain (secret: false) is still masked in the logs.
    if (CREDENTIAL_NAME.test(name)) maskedByKey.set(name.toLowerCase(), value);
  }

  const constants: [string, string][] = [];
  const maskedConstants: [string, string][] = [];
  if (config.body.mode === "fields") {
    for (const c of config.body.constants) {
      if (!isSecretConstant(c)) {
        constants.push([c.name, c.value]);
        maskedConstants.push([c.name, c.value]);
        continue;
      }
      const secret = ctx.secrets.constants?.[c.name] || c.value;
      if (!secret)
        throw new BuildRequestError("missing_secret", `Constant ${c.name}: its secret value is missing; type it again`);
      constants.push([c.name, secret]);
      maskedConstants.push([c.name, maskSecret(secret)]);
      secretsInUse.push(secret);
    }
  }

  const auth = config.auth;
  switch (auth.type) {
    case "none":
      break;
    case "basic": {
      const password = ctx.secrets.basicPassword ?? auth.password ?? "";
      const token = Buffer.from(`${auth.username}:${password}`, "utf8").toString("base64");
      headers.set("Authorization", `Basic ${token}`);
      maskedByKey.set("authorization", token);
      secretsInUse.push(token);
      if (password) secretsInUse.push(password);
      break;
    }
    case "api_key": {
      const value = ctx.secrets.apiKeyValue ?? auth.value;
      if (!value) throw new BuildRequestError("missing_secret", "The API key value is missing");
      if (auth.in === "query") {
        url.searchParams.set(auth.name, value);
        maskedQuery.set(auth.name, value);
      } else {
        if (!HEADER_NAME.test(auth.name) || RESERVED_HEADERS.has(auth.name.toLowerCase())) {
          throw new BuildRequestError(
            "invalid_header",
            `API key header name "${auth.name.slice(0, 100)}" is not valid`,
          );
        }
        headers.set(auth.name, sanitizeHeaderValue(value));
        maskedByKey.set(auth.name.toLowerCase(), value);
      }
      secretsInUse.push(value);
      break;
    }
    case "bearer": {
      const token = ctx.secrets.bearerToken ?? auth.token;
      if (!token) throw new BuildRequestError("missing_secret", "The bearer token is missing");
      headers.set("Authorization", `Bearer ${sanitizeHeaderValue(token)}`);
      maskedByKey.set("authorization", token);
      secretsInUse.push(token);
      break;
    }
    case "oauth": {
      const token = ctx.secrets.oauthAccessToken;
      if (!token)
        throw new BuildRequestError(
          "oauth_token_missing",
          "No OAuth access token is available for this webhook's credential",
        );
      headers.set("Authorization", `Bearer ${sanitizeHeaderValue(token)}`);
      maskedByKey.set("authorization", token);
      secretsInUse.push(token);
      break;
    }
  }
  return { url, headers, maskedByKey, secretsInUse, maskedQuery, constants, maskedConstants };
}

function replaceAll(text: string, needle: string, replacement: string): string {
  return needle ? text.split(needle).join(replacement) : text;
}

function finish(
  method: HttpMethod,
  a: Assembled,
  body: string | null,
  maskedBody: string | null,
  ctx: BuildContext,
): BuiltRequest {
  const ts = Math.floor(ctx.timestamp.getTime() / 1000);
  a.headers.set("webhook-id", ctx.deliveryId);
  a.headers.set("webhook-timestamp", String(ts));
  if (ctx.signingSecrets.length > 0)
    a.headers.set("webhook-signature", signPayload(ctx.signingSecrets, ctx.deliveryId, ts, body ?? ""));

  // Secrets shorter than 4 characters would mask innocent text; they still go masked where they are the whole value.
  const maskText = redactor(a.secretsInUse);

  const headers: Record<string, string> = {};
  const maskedHeaders: Record<string, string> = {};
  for (const { key, name, value } of a.headers.entries()) {
    headers[name] = value;
    const secret = a.maskedByKey.get(key);
    maskedHeaders[name] = secret ? maskText(replaceAll(value, secret, maskSecret(secret))) : maskText(value);
  }

  const url = a.url.toString();
  let maskedUrl = url;
  if (a.maskedQuery.size > 0) {
    const masked = new URL(url);
    for (const [name, secret] of a.maskedQuery) masked.searchParams.set(name, maskSecret(secret));
    maskedUrl = masked.toString();
  }
  // What the receiver may echo back is redacted by the HTTP client (sendSafely) with these.
  registerRequestSecrets(headers, [...a.secretsInUse, ...a.maskedByKey.values(), ...a.maskedQuery.values()]);
  return {
    method,
    url,
    headers,
    body,
    maskedHeaders,
    maskedBody: maskedBody === null ? null : maskText(maskedBody),
    maskedUrl: maskText(maskedUrl),
  };
}

/** Whether any constant parameter of the request is secret (its logged form differs from the sent one). */
function hasSecretConstant(a: Assembled): boolean {
  return a.constants.some(([, value], i) => a.maskedConstants[i][1] !== value);
}

function appendQuery(url: URL, params: [string, string][]) {
  for (const [k, v] of params) url.searchParams.append(k, v);
}

/** The request for one event. Throws BuildRequestError (bad URL after placeholders, template error, missing secret …).
 * */
export function buildRequest(webhook: RequestConfig, original: DeliveryEvent, ctx: BuildContext): BuiltRequest {
  const event = eventAsSent(webhook, original);
  const context = templateContext(event);
  const a = assemble(webhook, event, context, ctx);
  const method = webhook.method;
  const encoding = webhook.body.encoding;
  const payload = payloadObject(webhook, event, context, a.constants);

  if (!BODY_METHODS.includes(method)) {
    // GET/DELETE carry no body: the fields go to the query string instead.
    if (payload) {
      appendQuery(a.url, flattenParams(payload));
      a.constants.forEach(([name, value], i) => {
        if (a.maskedConstants[i][1] !== value) a.maskedQuery.set(name, value);
      });
    } else if (webhook.body.mode === "template") {
      const query = render(webhook.body.template, context, "url", "Template", ctx)
        .trim()
        .replace(/^[?&]+/, "");
      if (query) appendQuery(a.url, [...new URLSearchParams(query)]);
    }
    return finish(method, a, null, null, ctx);
  }

  let body: string;
  let maskedBody: string | null = null;
  if (payload) {
    body = encodePayload(payload, encoding);
    // The logged body is encoded again with the secret constants masked, whatever their length
    // (only when there are any: most requests log the body as sent).
    if (hasSecretConstant(a))
      maskedBody = encodePayload(payloadObject(webhook, event, context, a.maskedConstants)!, encoding);
  } else if (webhook.body.mode === "template") {
    const rendered = render(webhook.body.template, context, TEMPLATE_ESCAPE[encoding], "Template", ctx);
    body = encoding === "json_array" ? `[${rendered}]` : rendered;
  } else {
    body = "";
  }
  if (!a.headers.get("content-type")) a.headers.set("Content-Type", CONTENT_TYPES[encoding]);
  return finish(method, a, body, maskedBody ?? body, ctx);
}

/**
 * One request for several events of a batch window: the body is a JSON array of each event's
 * payload (raw envelope, picked fields, or the rendered template parsed as JSON), whatever the
 * configured encoding. The URL, headers and entity parameters are filled from the first event.
 */
export function buildBatchRequest(webhook: RequestConfig, originals: DeliveryEvent[], ctx: BuildContext): BuiltRequest {
  const events = originals.map((e) => eventAsSent(webhook, e));
  if (events.length === 0) throw new BuildRequestError("unsupported", "A batch needs at least one event");
  const method = webhook.method;
  if (!BODY_METHODS.includes(method))
    throw new BuildRequestError(
      "unsupported",
      `A batch is sent as a JSON array body, which ${method} cannot carry; use POST, PUT or PATCH`,
    );
  const firstContext = templateContext(events[0]);
  const a = assemble(webhook, events[0], firstContext, ctx);
  const items = (constants: [string, string][]) =>
    events.map((event, i) => {
      const context = templateContext(event);
      const payload = payloadObject(webhook, event, context, constants);
      if (payload) return payload;
      if (webhook.body.mode !== "template") return null;
      const rendered = render(webhook.body.template, context, "json", "Template", ctx, i);
      try {
        return JSON.parse(rendered) as unknown;
      } catch {
        throw new BuildRequestError("template", "A batched webhook's template must render valid JSON for each event");
      }
    });
  a.headers.set("Content-Type", CONTENT_TYPES.json);
  const body = JSON.stringify(items(a.constants));
  // Only fields mode has constants; the other modes log the body as sent (secrets in its text masked).
  return finish(method, a, body, hasSecretConstant(a) ? JSON.stringify(items(a.maskedConstants)) : body, ctx);
}
