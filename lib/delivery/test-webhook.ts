import { generateSigningSecret } from "@/lib/webhooks";
import { randomUUID } from "node:crypto";
import type { Database, DbOrTx } from "@/db";
import { findEventType } from "@/lib/events/company-catalog";
import { isSecretConstant, isSecretHeader, webhookSchema, type WebhookConfig } from "@/lib/validations/webhook";
import { headerKey, resolveRowSecrets, type AuthSecrets } from "@/lib/webhooks";
import { sandboxRender } from "@/lib/sandbox/render-pool";
import {
  buildRequest,
  BuildRequestError,
  renderInSandbox,
  type BuiltRequest,
  type DeliveryEvent,
} from "./build-request";
import { sendSafely, type SendErrorKind } from "./http-client";
import { getOAuthAccessToken, OAuthTokenError } from "./oauth";
import { redactor, redactRecord } from "./redact";
import { statusMeaning } from "./status-meaning";
import { outboundPolicy } from "@/lib/env";

/**
 * Test on the webhook form (DESIGN.md "Webhook", issue 3 item 9): sends the catalog's sample event
 * of the chosen type with the form's UNSAVED values, through the same request builder and safe
 * client as deliveries, and shows what was sent (secrets masked) and what came back.
 */

export interface TestOptions {
  /** Loopback/private targets; defaults to HOOKRELAY_ALLOW_PRIVATE_TARGETS. */
  allowPrivate?: boolean;
  /** Sign with this secret (the saved webhook's); default: a throwaway `whsec_…` per test. */
  signingSecret?: string;
  /** The saved webhook's stored secrets, used where the form leaves a secret blank (editing without retyping it). */
  storedSecrets?: AuthSecrets;
  /** The saved webhook's id, for LeadSquared's `entityId` parameter. */
  webhookId?: string;
  /** Build the request only (the form's live body preview): no token fetch, nothing sent. */
  dryRun?: boolean;
  /** The record to send instead of the event type's sample (edited in the Test panel). */
  sample?: Record<string, unknown>;
  /** The URL's host differs from the saved webhook's: no saved secret is passed, and a blank one must be typed again.
   * */
  hostChange?: { from: string; to: string };
}

/** Field path (`url`, `headers.0.name`, `auth.credentialId`) → messages. */
export type FieldErrors = Record<string, string[]>;

export interface TestInvalid {
  ok: false;
  /** One summary sentence for the form. */
  message: string;
  fieldErrors: FieldErrors;
}

export interface TestSent {
  ok: true;
  request: { method: string; url: string; headers: Record<string, string>; body: string | null };
  /** Null when no response arrived (timeout, refused connection, blocked address …). */
  response: {
    status: number;
    statusMeaning: string;
    headers: Record<string, string>;
    body: string;
    bodyTruncated: boolean;
    durationMs: number;
  } | null;
  /** Null on a 2xx; `http_status` for any other status, else the network error. */
  error: { kind: SendErrorKind; message: string; meaning: string } | null;
  /** True for a preview: the request was built, not sent. */
  dryRun?: boolean;
  /** The record the request was built from (the event type's sample, or the one edited in the Test panel). */
  sample: Record<string, unknown>;
}

export type TestResult = TestInvalid | TestSent;

function invalid(fieldErrors: FieldErrors, message = "Fix the highlighted fields and test again."): TestInvalid {
  return { ok: false, message, fieldErrors };
}

function addError(errors: FieldErrors, field: string, message: string) {
  (errors[field] ??= []).push(message);
}

/** What a Test without a name is called while it is built: a draft need not be named to be tried. */
export const TEST_STAND_IN_NAME = "Untitled webhook";

/** The form's values with a stand-in name when the Name field is still blank. */
function withStandInName(rawInput: unknown): unknown {
  if (rawInput === null || typeof rawInput !== "object" || Array.isArray(rawInput)) return rawInput;
  const name = (rawInput as { name?: unknown }).name;
  if (typeof name === "string" && name.trim() !== "") return rawInput;
  if (name !== undefined && name !== null && typeof name !== "string") return rawInput;
  return { ...rawInput, name: TEST_STAND_IN_NAME };
}

/** The form's values parsed with the webhook schema, or its issues as field errors. */
function parseConfig(rawInput: unknown): { ok: true; config: WebhookConfig } | TestInvalid {
  const parsed = webhookSchema.safeParse(rawInput);
  if (parsed.success) return { ok: true, config: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) addError(errors, issue.path.map(String).join(".") || "form", issue.message);
  return invalid(errors);
}

/**
 * The sample record of the webhook's first event type as an event (the catalog's type or the company's
 * own), or an error for the eventTypes field.
 */
async function sampleEvent(
  db: DbOrTx,
  companyId: string,
  config: WebhookConfig,
  id: string,
): Promise<DeliveryEvent | TestInvalid> {
  const type = config.eventTypes[0];
  const eventType = await findEventType(db, companyId, type);
  if (!eventType)
    return invalid({ eventTypes: [`"${type.slice(0, 100)}" is not an event type of the catalog or your company`] });
  return {
    id,
    type: eventType.type,
    occurredAt: new Date().toISOString(),
    data: eventType.sample.data,
    previous: eventType.sample.previous ?? null,
  };
}

/** Where a build error belongs on the form. */
function buildErrorField(err: BuildRequestError, config: WebhookConfig): string {
  switch (err.code) {
    case "invalid_url":
      return "url";
    case "missing_secret": {
      const row = /^(Header|Constant) (\S+):/.exec(err.message);
      if (row?.[1] === "Header") return `headers.${config.headers.findIndex((h) => h.name.trim() === row[2])}.value`;
      if (row?.[1] === "Constant" && config.body.mode === "fields")
        return `body.constants.${config.body.constants.findIndex((c) => c.name === row[2])}.value`;
      return config.auth.type === "basic"
        ? "auth.password"
        : config.auth.type === "api_key"
          ? "auth.value"
          : config.auth.type === "bearer"
            ? "auth.token"
            : "auth";
    }
    case "oauth_token_missing":
      return "auth.credentialId";
    case "invalid_signing_secret":
      return "signingSecret";
    case "template":
    case "template_limit": {
      if (err.message.startsWith("URL")) return "url";
      if (err.message.startsWith("Template")) return "body.template";
      const header = /^Header ([^\s:]+)/.exec(err.message);
      const index = header ? config.headers.findIndex((h) => h.name.trim() === header[1]) : -1;
      return index >= 0 ? `headers.${index}.value` : "headers";
    }
    case "invalid_header":
      return config.auth.type === "api_key" && err.message.startsWith("API key") ? "auth.name" : "headers";
    case "unsupported":
      return "method";
  }
}

/**
 * The templates of one request rendered in the sandbox. A limit that stopped the whole request is
 * put on each templated place in turn (each rendered alone), so the error names the field at fault.
 */
async function renderSandboxed(companyId: string, config: WebhookConfig, event: DeliveryEvent) {
  try {
    return await renderInSandbox(sandboxRender, companyId, config, [event]);
  } catch (err) {
    if (!(err instanceof BuildRequestError) || err.code !== "template_limit") throw err;
    const parts: { where: string; config: WebhookConfig }[] = [
      { where: "URL", config: { ...config, headers: [], body: { ...config.body, mode: "raw" } } },
      ...config.headers.map((h) => ({
        where: `Header ${h.name.trim()}`,
        config: { ...config, url: "", headers: [h], body: { ...config.body, mode: "raw" as const } },
      })),
      { where: "Template", config: { ...config, url: "", headers: [] } },
    ];
    for (const part of parts) {
      try {
        await renderInSandbox(sandboxRender, companyId, part.config, [event]);
      } catch (e) {
        if (e instanceof BuildRequestError && e.code === "template_limit")
          throw new BuildRequestError("template_limit", `${part.where}: ${e.message}`);
        throw e;
      }
    }
    throw err;
  }
}

function rowValues(rows: Pick<AuthSecrets, "headers" | "constants">): string[] {
  return [...Object.values(rows.headers ?? {}), ...Object.values(rows.constants ?? {})];
}

/** Every secret the request may carry (redactor masks the longest first, so one containing another is masked whole). */
function secretsOf(config: WebhookConfig, values: (string | undefined)[]): string[] {
  const out = [...values];
  if (config.auth.type === "basic")
    out.push(Buffer.from(`${config.auth.username}:${values[0] ?? ""}`, "utf8").toString("base64"));
  return out.filter((s): s is string => typeof s === "string");
}

/**
 * Save's check of the templates (URL, header values, body template): each is trial-rendered in the
 * sandbox against the event type's sample record. Broken templates and templates over the sandbox's
 * limits come back as field errors; nothing else is judged here (secrets, OAuth, the URL's shape).
 */
export async function checkTemplates(db: DbOrTx, companyId: string, config: WebhookConfig): Promise<FieldErrors> {
  const event = await sampleEvent(db, companyId, config, "evt_check");
  if ("ok" in event) return {};
  try {
    const rendered = await renderSandboxed(companyId, config, event);
    buildRequest(config, event, {
      deliveryId: "check",
      timestamp: new Date(),
      signingSecrets: [],
      secrets: {
        basicPassword: "password",
        apiKeyValue: "api-key-value",
        bearerToken: "bearer-token",
        oauthAccessToken: "oauth-access-token",
        ...placeholderRowSecrets(config),
      },
      rendered,
    });
  } catch (err) {
    if (err instanceof BuildRequestError && (err.code === "template" || err.code === "template_limit"))
      return { [buildErrorField(err, config)]: [err.message] };
    if (!(err instanceof BuildRequestError)) throw err;
  }
  return {};
}

/** A stand-in value for every secret header and constant: the checks and the preview show the request's shape. */
function placeholderRowSecrets(
  config: WebhookConfig,
  known: Pick<AuthSecrets, "headers" | "constants"> = {},
): Required<Pick<AuthSecrets, "headers" | "constants">> {
  const headers = { ...known.headers };
  for (const h of config.headers) if (isSecretHeader(h)) headers[headerKey(h.name)] ||= "secret-value";
  const constants = { ...known.constants };
  if (config.body.mode === "fields")
    for (const c of config.body.constants) if (isSecretConstant(c)) constants[c.name] ||= "secret-value";
  return { headers, constants };
}

/** Builds and sends the sample request for unsaved form values. Never throws for bad input or a failing receiver. */
export async function testWebhook(
  db: Database,
  companyId: string,
  rawInput: unknown,
  options: TestOptions = {},
): Promise<TestResult> {
  const parsed = parseConfig(withStandInName(rawInput));
  if (!parsed.ok) return parsed;
  const config = parsed.config;
  const sampled = await sampleEvent(db, companyId, config, `evt_test_${randomUUID()}`);
  if ("ok" in sampled) return sampled;
  const event: DeliveryEvent = options.sample ? { ...sampled, data: options.sample } : sampled;
  const sample = event.data;

  const stored = options.storedSecrets ?? {};
  const auth = config.auth;
  // A blank secret on the form keeps the saved one (the form never shows stored secrets).
  const secrets = {
    basicPassword: auth.type === "basic" ? auth.password || stored.basicPassword : undefined,
    apiKeyValue: auth.type === "api_key" ? auth.value || stored.apiKeyValue : undefined,
    bearerToken: auth.type === "bearer" ? auth.token || stored.bearerToken : undefined,
    oauthAccessToken: undefined as string | undefined,
  };
  // Secret headers and constants: typed, else saved under the same name; one missing is a field error.
  const rows = resolveRowSecrets(config, stored, options.hostChange);
  if (!options.dryRun && Object.keys(rows.fieldErrors).length > 0)
    return invalid(rows.fieldErrors, Object.values(rows.fieldErrors)[0][0]);
  const rowSecrets: Pick<AuthSecrets, "headers" | "constants"> = options.dryRun
    ? placeholderRowSecrets(config, rows)
    : rows;
  if (options.dryRun) {
    // The preview shows the shape of the request; a secret not typed yet stands in as a placeholder.
    if (auth.type === "basic") secrets.basicPassword ||= "password";
    if (auth.type === "api_key") secrets.apiKeyValue ||= "api-key-value";
    if (auth.type === "bearer") secrets.bearerToken ||= "bearer-token";
  }
  if (auth.type === "oauth" && options.dryRun) {
    secrets.oauthAccessToken = "oauth-access-token";
  } else if (auth.type === "oauth") {
    try {
      secrets.oauthAccessToken = await getOAuthAccessToken(db, companyId, auth.credentialId);
    } catch (err) {
      if (!(err instanceof OAuthTokenError)) throw err;
      return invalid(
        { "auth.credentialId": [err.message] },
        `The OAuth access token could not be fetched: ${err.message}`,
      );
    }
  }

  const signingSecret = options.signingSecret ?? generateSigningSecret();

  let built: BuiltRequest;
  try {
    // The company's templates render in the sandbox (lib/sandbox), never on the web server's event loop.
    const rendered = await renderSandboxed(companyId, config, event);
    built = buildRequest(config, event, {
      rendered,
      deliveryId: `test_${randomUUID()}`,
      timestamp: new Date(),
      signingSecrets: [signingSecret],
      secrets: { ...secrets, ...rowSecrets },
      webhookId: options.webhookId ?? "",
    });
  } catch (err) {
    if (!(err instanceof BuildRequestError)) throw err;
    return invalid({ [buildErrorField(err, config)]: [err.message] }, err.message);
  }

  if (options.dryRun) {
    const scrubPreview = redactor(
      secretsOf(config, [
        secrets.basicPassword,
        secrets.apiKeyValue,
        secrets.bearerToken,
        signingSecret,
        ...rowValues(rowSecrets),
      ]),
    );
    return {
      ok: true,
      dryRun: true,
      sample,
      request: {
        method: built.method,
        url: scrubPreview(built.maskedUrl),
        headers: redactRecord(built.maskedHeaders, scrubPreview),
        body: built.maskedBody === null ? null : scrubPreview(built.maskedBody),
      },
      response: null,
      error: null,
    };
  }

  const outcome = await sendSafely(
    { method: built.method, url: built.url, headers: built.headers, body: built.body },
    {
      timeoutMs: config.timeoutSeconds * 1000,
      ...outboundPolicy(),
      ...(options.allowPrivate !== undefined ? { allowPrivate: options.allowPrivate } : {}),
    },
  );

  // Header values the builder masked (Authorization, custom headers such as X-Api-Token) are secrets as a whole.
  const maskedValues = Object.entries(built.headers)
    .filter(([name, value]) => built.maskedHeaders[name] !== value)
    .map(([, value]) => value);
  // The basic password first: secretsOf derives the Authorization value from it.
  const scrub = redactor(
    secretsOf(config, [
      secrets.basicPassword,
      secrets.apiKeyValue,
      secrets.bearerToken,
      secrets.oauthAccessToken,
      signingSecret,
      ...rowValues(rowSecrets),
      ...maskedValues,
    ]),
  );
  return {
    ok: true,
    sample,
    request: {
      method: built.method,
      url: scrub(built.maskedUrl),
      headers: redactRecord(built.maskedHeaders, scrub),
      body: built.maskedBody === null ? null : scrub(built.maskedBody),
    },
    response:
      outcome.status === null
        ? null
        : {
            status: outcome.status,
            statusMeaning: statusMeaning(outcome.status),
            headers: redactRecord(outcome.headers, scrub),
            body: scrub(outcome.body),
            bodyTruncated: outcome.bodyTruncated,
            durationMs: outcome.durationMs,
          },
    error: outcome.error
      ? {
          kind: outcome.error.kind,
          message: scrub(outcome.error.message),
          meaning: statusMeaning(outcome.status, outcome.error.kind),
        }
      : null,
  };
}

/** The parts of the form that shape the body; the others (name, URL, headers, auth …) play no part in its preview. */
export interface BodyDraft {
  eventTypes?: unknown;
  /** The older single type (an API client written before webhooks took several). */
  eventType?: unknown;
  method?: unknown;
  body?: unknown;
  eventNaming?: unknown;
}

export type BodyPreview = { ok: true; body: string | null } | TestInvalid;

/**
 * The form's live body preview: the draft parsed with the webhook schema (a stand-in name and URL
 * for the parts that do not shape the body), the event type's sample record rendered in the
 * sandbox and the body built by the request builder, as Test would build it. Nothing is sent or
 * read from the database; a secret constant shows masked, a stand-in when its value is not typed.
 */
export async function previewBody(db: DbOrTx, companyId: string, draft: BodyDraft): Promise<BodyPreview> {
  const parsed = parseConfig({
    name: "Preview",
    url: "https://preview.invalid/",
    ...(draft.eventTypes === undefined ? { eventType: draft.eventType } : { eventTypes: draft.eventTypes }),
    method: draft.method,
    body: draft.body,
    eventNaming: draft.eventNaming,
  });
  if (!parsed.ok) return parsed;
  const config = parsed.config;
  const event = await sampleEvent(db, companyId, config, `evt_test_${randomUUID()}`);
  if ("ok" in event) return event;
  const rowSecrets = placeholderRowSecrets(config, resolveRowSecrets(config, {}));
  try {
    const rendered = await renderSandboxed(companyId, config, event);
    const built = buildRequest(config, event, {
      rendered,
      deliveryId: `test_${randomUUID()}`,
      timestamp: new Date(),
      signingSecrets: [],
      secrets: rowSecrets,
    });
    return { ok: true, body: built.maskedBody === null ? null : redactor(rowValues(rowSecrets))(built.maskedBody) };
  } catch (err) {
    if (!(err instanceof BuildRequestError)) throw err;
    return invalid({ [buildErrorField(err, config)]: [err.message] }, err.message);
  }
}
