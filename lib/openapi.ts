import { z } from "zod";
import { DELIVERY_STATUSES } from "@/db/schema";
import { rotateSigningSecretSchema } from "@/lib/actions/webhooks";
import { EVENT_TYPES } from "@/lib/events/catalog";
import { eventInputSchema, MAX_EVENTS_PER_REQUEST } from "@/lib/validations/event";
import { listDeliveriesSchema, listWebhooksSchema, recoverWebhookSchema } from "@/lib/validations/listing";
import { oauthCredentialSchema } from "@/lib/validations/oauth-credential";
import { assignPlanSchema, planPatchSchema, planSchema } from "@/lib/validations/plan";
import { bodySchema, webhookObjectSchema } from "@/lib/validations/webhook";
import { deprecateEventTypeSchema, eventTypeDetailsSchema, eventTypeSchema } from "@/lib/validations/event-type";

/**
 * The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json. Request bodies are the very
 * zod schemas the actions parse with (as JSON Schema of their input, `z.toJSONSchema(…, { io:
 * "input" })`); responses are described by the zod schemas below, which the API's tests parse real
 * responses with (strict objects: a field the document does not know, such as a secret, fails).
 */

const timestamp = z.iso.datetime({ offset: true });
const nullableTime = timestamp.nullable();

export const apiErrorSchema = z.strictObject({
  error: z.strictObject({
    code: z.enum([
      "malformed",
      "unauthorized",
      "forbidden",
      "not_found",
      "conflict",
      "too_large",
      "too_many",
      "unsupported_media_type",
      "invalid",
      "rate_limited",
      "unavailable",
      "internal",
    ]),
    message: z.string(),
    /** The first field in error, as a dotted path (`headers.0.name`), or `body` / `authorization`. */
    field: z.string().optional(),
    /** Every field error: dotted path → messages. */
    fields: z.record(z.string(), z.array(z.string())).optional(),
  }),
});

export const publicAuthSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("none") }),
  z.strictObject({ type: z.literal("basic"), username: z.string(), hasPassword: z.boolean() }),
  z.strictObject({
    type: z.literal("api_key"),
    in: z.enum(["header", "query"]),
    name: z.string(),
    hasValue: z.boolean(),
  }),
  z.strictObject({ type: z.literal("bearer"), hasToken: z.boolean() }),
  z.strictObject({ type: z.literal("oauth"), credentialId: z.uuid() }),
]);

/** A custom header or constant parameter as read: a secret one's value is blank (secrets are write-only). */
const publicRowSchema = z.strictObject({
  name: z.string(),
  value: z.string().describe("Empty for a secret: secrets are write-only"),
  secret: z.boolean().describe("Write-only: kept encrypted, never shown again, masked in logs and Test results"),
  hasValue: z.boolean().describe("Whether a value is saved (always true for a plain one)"),
});

const [rawBody, fieldsBody, templateBody] = bodySchema.options;
export const publicBodySchema = z.discriminatedUnion("mode", [
  rawBody,
  fieldsBody.extend({ constants: z.array(publicRowSchema) }),
  templateBody,
]);

export const webhookResponseSchema = z.strictObject({
  id: z.uuid(),
  ...webhookObjectSchema.omit({ auth: true, headers: true, body: true }).shape,
  eventType: z.string().describe("Deprecated: the first of `eventTypes` (a webhook listened to one type before)"),
  headers: z.array(publicRowSchema),
  auth: publicAuthSchema,
  body: publicBodySchema,
  previousSigningSecretValidUntil: nullableTime,
  disabledReason: z.string().nullable(),
  disabledAt: nullableTime,
  lastSentAt: nullableTime,
  lastStatus: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const companyEventTypeSchema = z.strictObject({
  type: z.string(),
  entity: z.string(),
  module: z.string(),
  label: z.string(),
  description: z.string(),
  schema: z.record(z.string(), z.unknown()).nullable().describe("The JSON Schema each event's data must meet"),
  sample: z.strictObject({
    data: z.record(z.string(), z.unknown()),
    previous: z.record(z.string(), z.unknown()).optional(),
  }),
  custom: z.literal(true),
  deprecated: z.boolean(),
  deprecatedAt: nullableTime,
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const webhookListResponseSchema = z.strictObject({
  webhooks: z.array(
    z.strictObject({
      id: z.uuid(),
      name: z.string(),
      description: z.string(),
      active: z.boolean(),
      eventTypes: z.array(z.string()),
      method: z.string(),
      url: z.string(),
      lastSentAt: nullableTime,
      lastStatus: z.string().nullable(),
      lastStatusCode: z.number().int().nullable(),
      disabledReason: z.string().nullable(),
      createdAt: timestamp,
    }),
  ),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  pageCount: z.number().int(),
});

export const deliverySchema = z.strictObject({
  id: z.uuid().describe("Also the webhook-id header of every attempt"),
  webhookId: z.uuid(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: nullableTime,
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastDurationMs: z.number().int().nullable(),
  deferredReason: z.string().nullable(),
  completedAt: nullableTime,
  createdAt: timestamp,
  event: z.strictObject({ id: z.string(), type: z.string(), recordId: z.string().nullable(), occurredAt: timestamp }),
});

export const deliveryPageSchema = z.strictObject({
  deliveries: z.array(deliverySchema),
  nextCursor: z.string().nullable().describe("Pass as ?cursor= for the next page; null on the last page"),
});

export const oauthCredentialResponseSchema = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  grantType: z
    .enum(["custom", "authorization_code"])
    .describe(
      "custom: Hookrelay calls the token URL with the parameters; authorization_code: a person connects it in the browser (Connect on the OAuth credentials page — not available through the API)",
    ),
  tokenUrl: z.string(),
  method: z.string(),
  authorizeUrl: z.string().nullable().describe("Authorization code: the provider's consent page; null otherwise"),
  clientId: z.string().nullable().describe("Authorization code: the client id; null otherwise"),
  hasClientSecret: z.boolean().describe("Whether a client secret is saved (it is write-only)"),
  scopes: z.string().describe("Authorization code: the scopes asked for, space-separated"),
  pkce: z.boolean().describe("Authorization code: PKCE (S256) on Connect"),
  connection: z
    .enum(["not_applicable", "connected", "not_connected", "reconnect_needed"])
    .describe(
      "Authorization code: whether it is connected; reconnect_needed when the provider refused the refresh token or the settings changed (deliveries fail with error kind oauth_reconnect_needed until someone clicks Reconnect)",
    ),
  connectedAt: nullableTime,
  needsReconnectAt: nullableTime,
  needsReconnectReason: z.string().nullable(),
  parameters: z.array(
    z.strictObject({
      name: z.string(),
      in: z.enum(["body", "query"]),
      secret: z.boolean(),
      value: z.string().describe("Empty for a secret parameter: secrets are write-only"),
      hasValue: z.boolean(),
    }),
  ),
  hasToken: z.boolean(),
  tokenExpiresAt: nullableTime,
  lastError: z.string().nullable(),
  lastErrorAt: nullableTime,
  usedBy: z.array(z.strictObject({ id: z.uuid(), name: z.string() })),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const limit = (what: string) => z.number().int().nullable().describe(`${what}; null: unlimited`);

/** A company's plan as it applies (its own, or the default plan). */
const companyPlanSchema = z.strictObject({
  id: z.uuid().nullable().describe("Null only when the operator has no plan at all (unlimited)"),
  name: z.string(),
  webhooksEnabled: z
    .boolean()
    .describe("False: events are recorded, deliveries skipped, webhooks cannot be switched on"),
  callsPerDay: limit("Calls the company may make a UTC day"),
  callsPerUserPerDay: limit("Calls a UTC day per user, counted for the user who owns the webhook"),
  maxWebhooks: limit("Webhooks the company may have"),
  assigned: z.boolean().describe("True when the operator assigned it; false for the default plan"),
});

export const usageResponseSchema = z.strictObject({
  day: z.string().describe("The UTC day counted (YYYY-MM-DD)"),
  plan: companyPlanSchema,
  companyDailyCallLimit: limit("The company's own daily call limit (Settings → Company)"),
  calls: z.strictObject({
    today: z.number().int().describe("Requests sent today"),
    limit: limit("The lower of the plan's and the company's own daily limit"),
  }),
  users: z.array(
    z.strictObject({
      userId: z.uuid(),
      name: z.string(),
      email: z.string(),
      calls: z.number().int(),
      limit: limit("The plan's calls a day per user"),
    }),
  ),
  webhooks: z.strictObject({
    count: z.number().int(),
    active: z.number().int(),
    limit: limit("The lower of the plan's and the company's technical limit"),
  }),
});

export const planResponseSchema = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  webhooksEnabled: z.boolean(),
  callsPerDay: limit("Calls a company may make a UTC day"),
  callsPerUserPerDay: limit("Calls a UTC day per user (the webhook's owner)"),
  maxWebhooks: limit("Webhooks a company may have"),
  isDefault: z.boolean().describe("The plan of every company that has none assigned"),
  companies: z.number().int().optional().describe("Companies on it (in the list)"),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const operatorCompanyPlanSchema = z.strictObject({
  company: z.strictObject({ id: z.uuid(), name: z.string() }),
  usage: usageResponseSchema,
});

const RESPONSE_SCHEMAS = {
  Usage: usageResponseSchema,
  Plan: z.strictObject({ plan: planResponseSchema }),
  PlanList: z.strictObject({ plans: z.array(planResponseSchema) }),
  OperatorCompanyList: z.strictObject({
    companies: z.array(
      z.strictObject({
        id: z.uuid(),
        name: z.string(),
        planId: z.uuid().nullable(),
        planName: z.string().nullable(),
        assigned: z.boolean(),
        webhooks: z.number().int(),
        createdAt: timestamp,
      }),
    ),
  }),
  OperatorCompanyPlan: operatorCompanyPlanSchema,

  Error: apiErrorSchema,
  Webhook: z.strictObject({ webhook: webhookResponseSchema }),
  CreatedWebhook: z.strictObject({
    webhook: webhookResponseSchema,
    signingSecret: z.string().describe("whsec_…: shown in this response only"),
  }),
  WebhookList: webhookListResponseSchema,
  RotatedSecret: z.strictObject({
    signingSecret: z.string().describe("whsec_…: shown in this response only"),
    previousValidUntil: nullableTime,
  }),
  DeliveryPage: deliveryPageSchema,
  RecoverAccepted: z.strictObject({ recovery: z.strictObject({ id: z.uuid(), state: z.literal("queued") }) }),
  ResendAccepted: z.strictObject({ delivery: z.strictObject({ id: z.uuid(), status: z.literal("queued") }) }),
  OAuthCredential: z.strictObject({ oauthCredential: oauthCredentialResponseSchema }),
  OAuthCredentialList: z.strictObject({ oauthCredentials: z.array(oauthCredentialResponseSchema) }),
  EventsAccepted: z.strictObject({
    events: z.array(z.strictObject({ id: z.string(), deliveries: z.number().int(), duplicate: z.boolean() })),
  }),
  EventTypes: z.strictObject({
    eventTypes: z.array(
      z.strictObject({
        type: z.string(),
        entity: z.string(),
        label: z.string(),
        description: z.string(),
        sample: z.record(z.string(), z.unknown()),
        custom: z.boolean().describe("One of your company's own types (listed only with an API key)"),
        deprecated: z.boolean().describe("Its events are still accepted; new webhooks no longer offer it"),
        module: z.string().optional(),
        schema: z.record(z.string(), z.unknown()).nullable().optional(),
      }),
    ),
  }),
  CompanyEventType: z.strictObject({ eventType: companyEventTypeSchema }),
  Company: z.strictObject({
    company: z.strictObject({ id: z.uuid(), name: z.string() }),
    apiKey: z.strictObject({ id: z.uuid(), name: z.string() }),
  }),
} satisfies Record<string, z.ZodType>;

const REQUEST_SCHEMAS = {
  PlanInput: planSchema,
  PlanPatch: planPatchSchema,
  AssignPlanInput: assignPlanSchema,
  WebhookInput: webhookObjectSchema,
  WebhookPatch: webhookObjectSchema.partial(),
  RotateSecretInput: rotateSigningSecretSchema.omit({ webhookId: true }),
  OAuthCredentialInput: oauthCredentialSchema,
  RecoverInput: recoverWebhookSchema.omit({ webhookId: true }),
  EventTypeInput: eventTypeSchema,
  EventTypeUpdate: eventTypeDetailsSchema,
  EventTypeDeprecation: deprecateEventTypeSchema.omit({ type: true }),
  EventInput: eventInputSchema,
} satisfies Record<string, z.ZodType>;

type JsonSchema = Record<string, unknown>;

function toJson(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
    unrepresentable: "any",
  }) as JsonSchema;
  return json;
}

/** The catalog's types, where a schema only says "string" (the actions check them against the catalog). */
/** Event types are the catalog's and the company's own: named by `GET /api/v1/event-types`, not an enum. */
function withEventTypes(json: JsonSchema, key: string): JsonSchema {
  const properties = json.properties as Record<string, JsonSchema>;
  const description =
    "An event type of the built-in catalog or one your company registered (`GET /api/v1/event-types` lists both)";
  const property = properties[key];
  return {
    ...json,
    properties: {
      ...properties,
      [key]:
        property.type === "array"
          ? {
              ...property,
              description,
              items: { ...(property.items as JsonSchema), examples: EVENT_TYPES.slice(0, 3).map((e) => e.type) },
            }
          : { ...property, description, examples: EVENT_TYPES.slice(0, 3).map((e) => e.type) },
    },
  };
}

const ERRORS = {
  400: ["BadRequest", "Malformed JSON or UTF-8, or a body that is not a JSON object"],
  401: ["Unauthorized", "Missing, unknown or revoked API key"],
  403: ["Forbidden", "The key's creator does not hold the permission (now), or is no longer a member of the company"],
  404: ["NotFound", "No such row in the key's company (another company's id, or not an id)"],
  409: ["Conflict", "The change conflicts with the current state (e.g. a credential still in use)"],
  413: ["TooLarge", "The body is larger than 1 MiB"],
  415: [
    "UnsupportedMediaType",
    "The body is not sent as `Content-Type: application/json` (optionally with `charset=utf-8`)",
  ],
  422: ["Invalid", "Validation failed: `field` is the first field in error, `fields` lists them all"],
  429: ["RateLimited", "Too many events for the company right now (Retry-After)"],
  503: ["Unavailable", "The database is unreachable; retry (Retry-After)"],
} as const;
type ErrorStatus = keyof typeof ERRORS;

interface OperationSpec {
  summary: string;
  description?: string;
  tag: string;
  /** The permission the key's creator needs; "public" needs no key; "operator" the operator key. */
  access: "webhooks.view" | "webhooks.manage" | "key" | "public" | "operator";
  pathId?: string;
  /** A path parameter `{type}`: the event type's name. */
  pathType?: string;
  /** The path's `{id}` may be a name too (not only a UUID). */
  pathIdIsName?: boolean;
  query?: z.ZodObject;
  body?: { schema: keyof typeof REQUEST_SCHEMAS; required?: boolean; mergePatch?: boolean; batch?: boolean };
  ok: { status: number; description: string; schema?: keyof typeof RESPONSE_SCHEMAS };
  errors?: ErrorStatus[];
}

function operation(spec: OperationSpec) {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const parameters: JsonSchema[] = [];
  if (spec.pathId)
    parameters.push({
      name: "id",
      in: "path",
      required: true,
      description: spec.pathId,
      schema: spec.pathIdIsName ? { type: "string" } : { type: "string", format: "uuid" },
    });
  if (spec.pathType)
    parameters.push({
      name: "type",
      in: "path",
      required: true,
      description: spec.pathType,
      schema: { type: "string" },
    });
  for (const [name, schema] of Object.entries(spec.query?.shape ?? {})) {
    if (name === "webhookId") continue;
    parameters.push({ name, in: "query", required: false, schema: toJson(schema as z.ZodType, "input") });
  }
  const errors = new Set<ErrorStatus>(spec.access === "public" ? [] : [401, 503]);
  // The operator API answers 404 while HOOKRELAY_OPERATOR_KEY is not configured, and 429 after a burst of bad keys.
  if (spec.access === "operator") [404, 429].forEach((s) => errors.add(s as ErrorStatus));
  if (spec.access === "webhooks.view" || spec.access === "webhooks.manage") errors.add(403);
  if (spec.pathId) errors.add(404);
  if (spec.body) [400, 413, 422].forEach((s) => errors.add(s as ErrorStatus));
  if (spec.query) errors.add(422);
  spec.errors?.forEach((s) => errors.add(s));
  const responses: Record<string, unknown> = {
    [spec.ok.status]: spec.ok.schema
      ? { description: spec.ok.description, content: { "application/json": { schema: ref(spec.ok.schema) } } }
      : { description: spec.ok.description },
  };
  for (const status of [...errors].sort()) responses[status] = { $ref: `#/components/responses/${ERRORS[status][0]}` };
  const permission =
    spec.access === "webhooks.view"
      ? "View Webhooks (`webhooks.view`)"
      : spec.access === "webhooks.manage"
        ? "Manage Webhooks (`webhooks.manage`)"
        : null;
  let body: unknown;
  if (spec.body) {
    const schema = spec.body.batch
      ? {
          oneOf: [
            ref(spec.body.schema),
            { type: "array", items: ref(spec.body.schema), minItems: 1, maxItems: MAX_EVENTS_PER_REQUEST },
          ],
        }
      : ref(spec.body.schema);
    const content: Record<string, unknown> = { "application/json": { schema } };
    if (spec.body.mergePatch) content["application/merge-patch+json"] = { schema };
    body = { required: spec.body.required ?? true, content };
  }
  return {
    tags: [spec.tag],
    summary: spec.summary,
    description:
      [
        spec.description,
        permission && `Needs ${permission}: the key acts as the user who created it, with that user's current role.`,
      ]
        .filter(Boolean)
        .join("\n\n") || undefined,
    ...(spec.access === "public"
      ? { security: [] }
      : spec.access === "operator"
        ? { security: [{ operatorAuth: [] }] }
        : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}

const WEBHOOK_ID = "The webhook's id";
const OPERATOR_PLAN_ID = "The plan's id, or its name";

function buildDocument() {
  const schemas: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(REQUEST_SCHEMAS)) schemas[name] = toJson(schema, "input");
  for (const [name, schema] of Object.entries(RESPONSE_SCHEMAS)) schemas[name] = toJson(schema, "output");
  schemas.WebhookInput = withEventTypes(schemas.WebhookInput, "eventTypes");
  schemas.WebhookPatch = withEventTypes(schemas.WebhookPatch, "eventTypes");
  schemas.EventInput = withEventTypes(schemas.EventInput, "type");

  const paths = {
    "/api/v1/company": {
      get: operation({
        tag: "Keys",
        summary: "The company and key this API key belongs to",
        access: "key",
        ok: { status: 200, description: "The key works", schema: "Company" },
      }),
    },
    "/api/v1/event-types": {
      get: operation({
        tag: "Event types",
        summary: "The event catalog, each type with a sample record",
        description:
          "Without a key: the built-in catalog. With an API key: your company's own types too (`custom: true`), deprecated ones marked.",
        access: "public",
        ok: { status: 200, description: "The catalog", schema: "EventTypes" },
      }),
      post: operation({
        tag: "Event types",
        summary: "Register one of your company's own event types",
        description:
          "A name not in the built-in catalog, a module (group), and a JSON Schema (a subset: type, properties, required, additionalProperties, items, enum, const, minimum, maximum, minLength, maxLength, minItems, maxItems, format) and/or a sample record. Events of the type must then meet the schema (422 naming the field). Schema and sample may be JSON objects or JSON text.",
        access: "webhooks.manage",
        body: { schema: "EventTypeInput" },
        ok: { status: 201, description: "Registered", schema: "CompanyEventType" },
      }),
    },
    "/api/v1/webhooks/{id}/recover": {
      post: operation({
        tag: "Deliveries",
        summary: "Recover: send every event since a time that did not reach the webhook",
        description:
          "After a receiver outage: the webhook's failed and skipped deliveries since `since` are queued once more, and the events of its types since then that have no delivery to it (they arrived while it was switched off or auto-disabled) and whose record meets its conditions get one, with its retry policy. Test events are left out; trigger modes are not consulted. Runs in the background, one at a time per webhook (409 while one runs); the webhook must be switched on. Progress shows on its history page.",
        access: "webhooks.manage",
        pathId: WEBHOOK_ID,
        body: { schema: "RecoverInput" },
        ok: { status: 202, description: "Queued", schema: "RecoverAccepted" },
        errors: [409],
      }),
    },
    "/api/v1/event-types/{type}": {
      get: operation({
        tag: "Event types",
        summary: "One of your company's own event types",
        access: "webhooks.view",
        pathType: "The event type's name",
        ok: { status: 200, description: "The event type", schema: "CompanyEventType" },
      }),
      put: operation({
        tag: "Event types",
        summary: "Replace its label, description, module, schema and sample",
        access: "webhooks.manage",
        pathType: "The event type's name",
        body: { schema: "EventTypeUpdate" },
        ok: { status: 200, description: "Saved", schema: "CompanyEventType" },
      }),
      patch: operation({
        tag: "Event types",
        summary: "Deprecate or restore",
        description:
          "A deprecated type's events are still accepted and the webhooks that listen to it keep it; new webhooks no longer offer it.",
        access: "webhooks.manage",
        pathType: "The event type's name",
        body: { schema: "EventTypeDeprecation" },
        ok: { status: 200, description: "Saved", schema: "CompanyEventType" },
      }),
      delete: operation({
        tag: "Event types",
        summary: "Delete an event type no webhook listens to",
        description: "409, naming them, while webhooks listen to it: deprecate it instead.",
        access: "webhooks.manage",
        pathType: "The event type's name",
        ok: { status: 204, description: "Deleted" },
        errors: [409],
      }),
    },
    "/api/v1/events": {
      post: operation({
        tag: "Events",
        summary: "Post one event, or an array of at most 100",
        description:
          "Idempotent per company on `id` (a repeated `id` within one batch answers `duplicate: true` for the repeat). 202 once the events, their deliveries and jobs are committed.",
        access: "key",
        body: { schema: "EventInput", batch: true },
        ok: { status: 202, description: "Accepted", schema: "EventsAccepted" },
        errors: [415, 429],
      }),
    },
    "/api/v1/webhooks": {
      get: operation({
        tag: "Webhooks",
        summary: "List webhooks (search, sort, page)",
        access: "webhooks.view",
        query: listWebhooksSchema,
        ok: { status: 200, description: "One page", schema: "WebhookList" },
      }),
      post: operation({
        tag: "Webhooks",
        summary: "Create a webhook",
        description: "Validated by the same schema as the form. The signing secret is returned here, once.",
        access: "webhooks.manage",
        body: { schema: "WebhookInput" },
        ok: { status: 201, description: "Created", schema: "CreatedWebhook" },
      }),
    },
    "/api/v1/webhooks/{id}": {
      get: operation({
        tag: "Webhooks",
        summary: "A webhook: every setting except secrets",
        access: "webhooks.view",
        pathId: WEBHOOK_ID,
        ok: { status: 200, description: "The webhook", schema: "Webhook" },
      }),
      put: operation({
        tag: "Webhooks",
        summary: "Replace a webhook's configuration",
        description:
          "Absent fields take their defaults. A blank or absent secret (auth.password, auth.value, auth.token) keeps the stored one while the auth type stays the same; a new auth type needs its secret.",
        access: "webhooks.manage",
        pathId: WEBHOOK_ID,
        body: { schema: "WebhookInput" },
        ok: { status: 200, description: "Saved", schema: "Webhook" },
      }),
      patch: operation({
        tag: "Webhooks",
        summary: "Change some of a webhook's settings",
        description:
          "A JSON Merge Patch (RFC 7396) over the stored configuration: objects merge, arrays replace, null resets a field to its default. The result is validated like PUT.",
        access: "webhooks.manage",
        pathId: WEBHOOK_ID,
        body: { schema: "WebhookPatch", mergePatch: true },
        ok: { status: 200, description: "Saved", schema: "Webhook" },
      }),
      delete: operation({
        tag: "Webhooks",
        summary: "Delete a webhook and its history",
        access: "webhooks.manage",
        pathId: WEBHOOK_ID,
        ok: { status: 204, description: "Deleted" },
      }),
    },
    "/api/v1/webhooks/{id}/rotate-secret": {
      post: operation({
        tag: "Webhooks",
        summary: "Rotate the signing secret",
        description:
          "The new secret is returned here, once; the previous one keeps signing (a second v1 signature) for `overlapHours` (default 24).",
        access: "webhooks.manage",
        pathId: WEBHOOK_ID,
        body: { schema: "RotateSecretInput", required: false },
        ok: { status: 200, description: "Rotated", schema: "RotatedSecret" },
      }),
    },
    "/api/v1/webhooks/{id}/deliveries": {
      get: operation({
        tag: "Deliveries",
        summary: "A webhook's deliveries, newest first",
        description:
          "Filter by `status`; page with `cursor` (the previous page's `nextCursor`) and `limit` (at most 100).",
        access: "webhooks.view",
        pathId: WEBHOOK_ID,
        query: listDeliveriesSchema,
        ok: { status: 200, description: "One page", schema: "DeliveryPage" },
      }),
    },
    "/api/v1/deliveries/{id}/resend": {
      post: operation({
        tag: "Deliveries",
        summary: "Send a delivery again",
        description:
          "Back to queued, and sent once more as a manual attempt by the key's creator (same webhook-id, no automatic retries). 409 while an attempt is in flight.",
        access: "webhooks.manage",
        pathId: "The delivery's id",
        ok: { status: 202, description: "Queued", schema: "ResendAccepted" },
        errors: [409],
      }),
    },
    "/api/v1/oauth-credentials": {
      get: operation({
        tag: "OAuth credentials",
        summary: "List OAuth credentials (secret values never returned)",
        access: "webhooks.view",
        ok: { status: 200, description: "All of the company's", schema: "OAuthCredentialList" },
      }),
      post: operation({
        tag: "OAuth credentials",
        summary: "Create an OAuth credential",
        description:
          "grantType custom (the default): the token URL is called with the parameters. grantType authorization_code: authorizeUrl and clientId are required, clientSecret is write-only; the credential is then connected by a person in the browser (Connect on the OAuth credentials page, which sends them to the provider's consent page and back to /api/oauth/callback) — connecting is not possible through the API. {{generated_code}} in a parameter value is refused for custom credentials; for authorization_code it is filled with the code on the exchange.",
        access: "webhooks.manage",
        body: { schema: "OAuthCredentialInput" },
        ok: { status: 201, description: "Created", schema: "OAuthCredential" },
      }),
    },
    "/api/v1/oauth-credentials/{id}": {
      get: operation({
        tag: "OAuth credentials",
        summary: "An OAuth credential",
        access: "webhooks.view",
        pathId: "The credential's id",
        ok: { status: 200, description: "The credential", schema: "OAuthCredential" },
      }),
      put: operation({
        tag: "OAuth credentials",
        summary: "Replace an OAuth credential",
        description:
          "A secret parameter or clientSecret sent blank keeps its stored value (while the token URL's host stays the same). Changing the provider settings of a connected authorization_code credential sets connection to reconnect_needed.",
        access: "webhooks.manage",
        pathId: "The credential's id",
        body: { schema: "OAuthCredentialInput" },
        ok: { status: 200, description: "Saved", schema: "OAuthCredential" },
      }),
      delete: operation({
        tag: "OAuth credentials",
        summary: "Delete an OAuth credential",
        description: "409, naming them, while webhooks use it.",
        access: "webhooks.manage",
        pathId: "The credential's id",
        ok: { status: 204, description: "Deleted" },
        errors: [409],
      }),
    },
    "/api/v1/usage": {
      get: operation({
        tag: "Keys",
        summary: "The company's plan and today's usage",
        description:
          "Read-only: only the operator changes a company's plan. Calls are counted per UTC day where requests are sent; per user for the webhook's owner.",
        access: "key",
        ok: { status: 200, description: "The plan and usage", schema: "Usage" },
      }),
    },
    "/api/operator/plans": {
      get: operation({
        tag: "Operator",
        summary: "Every plan, with how many companies are on it",
        access: "operator",
        ok: { status: 200, description: "The plans", schema: "PlanList" },
      }),
      post: operation({
        tag: "Operator",
        summary: "Create a plan",
        description:
          "A limit left out or null is unlimited. `isDefault: true` makes it the plan of every company without one.",
        access: "operator",
        body: { schema: "PlanInput" },
        ok: { status: 201, description: "Created", schema: "Plan" },
        errors: [409],
      }),
    },
    "/api/operator/plans/{id}": {
      get: operation({
        tag: "Operator",
        summary: "A plan",
        access: "operator",
        pathId: OPERATOR_PLAN_ID,
        pathIdIsName: true,
        ok: { status: 200, description: "The plan", schema: "Plan" },
      }),
      patch: operation({
        tag: "Operator",
        summary: "Change a plan",
        description: "Only the fields given change; the companies on it get the new limits at once.",
        access: "operator",
        pathId: OPERATOR_PLAN_ID,
        pathIdIsName: true,
        body: { schema: "PlanPatch" },
        ok: { status: 200, description: "Saved", schema: "Plan" },
        errors: [409],
      }),
      delete: operation({
        tag: "Operator",
        summary: "Delete a plan",
        description: "409 while companies are on it, or for the default plan.",
        access: "operator",
        pathId: OPERATOR_PLAN_ID,
        pathIdIsName: true,
        ok: { status: 204, description: "Deleted" },
        errors: [409],
      }),
    },
    "/api/operator/companies": {
      get: operation({
        tag: "Operator",
        summary: "Every company with its plan",
        access: "operator",
        ok: { status: 200, description: "The companies", schema: "OperatorCompanyList" },
      }),
    },
    "/api/operator/companies/{id}/plan": {
      get: operation({
        tag: "Operator",
        summary: "A company's plan and today's usage",
        access: "operator",
        pathId: "The company's id",
        ok: { status: 200, description: "The plan and usage", schema: "OperatorCompanyPlan" },
      }),
      put: operation({
        tag: "Operator",
        summary: "Put a company on a plan",
        description: "`plan` is a plan's id or name, or null for the default plan.",
        access: "operator",
        pathId: "The company's id",
        body: { schema: "AssignPlanInput" },
        ok: { status: 200, description: "Assigned", schema: "OperatorCompanyPlan" },
      }),
    },
    "/api/v1/openapi.json": {
      get: operation({
        tag: "Meta",
        summary: "This document",
        access: "public",
        ok: { status: 200, description: "OpenAPI 3.1" },
      }),
    },
  };

  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Hookrelay API",
      version: "1",
      description:
        "Post events and manage webhooks. Authenticate with `Authorization: Bearer hr_live_…` (Settings → API keys). " +
        "A key acts as the user who created it, in the key's company, with that user's current role: the same permission checks and validation as the browser. " +
        "Errors are JSON `{ error: { code, message, field?, fields? } }`. Secrets are write-only.",
    },
    servers: [{ url: "/" }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: "Webhooks" },
      { name: "Deliveries" },
      { name: "OAuth credentials" },
      { name: "Events" },
      { name: "Keys" },
      { name: "Meta" },
      {
        name: "Operator",
        description:
          "For whoever runs this Hookrelay, not for companies: plans and which company is on which. `Authorization: Bearer $HOOKRELAY_OPERATOR_KEY`; unset on the server, these answer 404.",
      },
    ],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "hr_live_…",
          description: "A company API key from Settings → API keys",
        },
        operatorAuth: {
          type: "http",
          scheme: "bearer",
          description: "The operator key (HOOKRELAY_OPERATOR_KEY on the server): the Operator routes only",
        },
      },
      schemas,
      responses: Object.fromEntries(
        Object.values(ERRORS).map(([name, description]) => [
          name,
          { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
        ]),
      ),
    },
  };
}

let cached: ReturnType<typeof buildDocument> | undefined;

/** The document, built once per process. */
export function openApiDocument() {
  return (cached ??= buildDocument());
}
