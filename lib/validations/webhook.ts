import { z } from "zod";
import { EVENT_NAMINGS } from "@/lib/events/leadsquared-names";
import { singleLine } from "./text";

/**
 * The webhook a user configures (DESIGN.md "Webhook"): one zod schema for the form, the server
 * action, the management API and the delivery engine. Secrets (basic password, API-key value,
 * bearer token) arrive here in clear and are encrypted before they are stored.
 */
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
export const BODY_METHODS: HttpMethod[] = ["POST", "PUT", "PATCH"];

export const CONDITION_OPERATORS = [
  "equals",
  "not_equals",
  "in",
  "not_in",
  "contains",
  "is_empty",
  "is_not_empty",
  "greater_than",
  "less_than",
  "changed",
  "changed_to",
  "changed_from",
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export const conditionSchema = z.object({
  field: z.string().trim().min(1, "Choose a field").max(200),
  operator: z.enum(CONDITION_OPERATORS, { error: "Choose an operator" }),
  /** A string; for in / not in a comma-separated list. Ignored by is empty / is not empty / changed. */
  value: z.string().max(1000).default(""),
});
export type Condition = z.infer<typeof conditionSchema>;

export const conditionsSchema = z.object({
  match: z.enum(["all", "any"]).default("all"),
  rules: z.array(conditionSchema).max(20, "At most 20 conditions").default([]),
});
export type Conditions = z.infer<typeof conditionsSchema>;

/**
 * Names that look like a credential (X-Api-Token, Authorization, Vtiger's Authtoken, accessKey,
 * sessionName …): a header or constant parameter so named is secret unless told otherwise.
 */
export const CREDENTIAL_NAME =
  /authoriz|auth(?!or)|token|secret|passw|pwd|api[-_]?key|access[-_]?key|private[-_]?key|cookie|credential|session|signature/i;

/** Whether a text holds placeholders or tags (plain text renders as itself). */
export function isTemplated(text: string): boolean {
  return text.includes("{{") || text.includes("{%");
}

/**
 * Whether a custom header is secret: as the user chose, else by its name — unless its value holds
 * placeholders (a secret is sent exactly as typed, never rendered, so a templated value stays plain).
 */
export function isSecretHeader(h: { name: string; value?: string; secret?: boolean }): boolean {
  return h.secret ?? (CREDENTIAL_NAME.test(h.name) && !isTemplated(h.value ?? ""));
}

/** Whether a constant body parameter is secret: as the user chose, else by its name. */
export function isSecretConstant(c: { name: string; secret?: boolean }): boolean {
  return c.secret ?? CREDENTIAL_NAME.test(c.name);
}

/**
 * The `secret` switch of a header or constant: a secret value is encrypted at rest, write-only (reads
 * give it blank, with `hasValue`), masked in logs and Test results. Blank while editing keeps the saved one.
 */
const secretSwitch = z.boolean({ error: "secret must be true or false" }).optional();

/** Header names are RFC 7230 tokens: a space is refused with the reason; values may not hold CR/LF. */
export const headerSchema = z
  .object({
    name: z
      .string()
      .transform((v) => v.replace(/\s+$/, ""))
      .pipe(
        z
          .string()
          .min(1, "Header name is required")
          .max(100)
          .refine((v) => !/\s/.test(v), {
            message: "Header names cannot contain spaces (HTTP does not allow them); use a dash, e.g. X-Api-Key",
            abort: true,
          })
          .refine(
            (v) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v),
            "Header names may hold only letters, digits and - _ . ! # $ % & ' * + ^ ` | ~",
          ),
      ),
    value: z
      .string()
      .transform((v) => v.replace(/\s+$/, ""))
      .pipe(
        z
          .string()
          .max(4000)
          .refine((v) => !/[\r\n]/.test(v), "Header values cannot contain line breaks"),
      ),
    secret: secretSwitch,
  })
  .refine((h) => !(h.secret === true && isTemplated(h.value)), {
    path: ["value"],
    message:
      "A secret value is sent exactly as typed: placeholders are not filled in it. Turn off Secret to use placeholders",
  });
export type HeaderRow = z.infer<typeof headerSchema>;

export const authSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("none") }),
  z.object({
    type: z.literal("basic"),
    username: singleLine(z.string().min(1, "Username is required").max(200), "Username"),
    password: z.string().max(500).optional(),
  }),
  z.object({
    type: z.literal("api_key"),
    in: z.enum(["header", "query"]).default("header"),
    name: singleLine(z.string().trim().min(1, "Key name is required").max(100), "Key name"),
    value: z.string().max(2000).optional(),
  }),
  z.object({ type: z.literal("bearer"), token: z.string().max(4000).optional() }),
  z.object({ type: z.literal("oauth"), credentialId: z.uuid("Choose an OAuth credential") }),
]);
export type WebhookAuth = z.infer<typeof authSchema>;

/** `xml_extended`: Freshsales' "XML (extended)", every element with its type (lib/delivery/xml-extended.ts). */
export const BODY_ENCODINGS = ["json", "json_array", "xml", "xml_extended", "form", "text"] as const;
export type BodyEncoding = (typeof BODY_ENCODINGS)[number];
const encodingSchema = z
  .enum(BODY_ENCODINGS)
  .default("json")
  .describe(
    "json, json_array ([payload]), xml (plain elements), xml_extended (Freshsales' XML (extended): every element " +
      'with type="string|integer|float|boolean|date|datetime|array|hash", nulls nil="true"), form ' +
      "(x-www-form-urlencoded), text",
  );

export const bodySchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("raw"), encoding: encodingSchema }),
  z.object({
    mode: z.literal("fields"),
    encoding: encodingSchema,
    /** Picked record fields (dotted paths into the event), optionally renamed. */
    fields: z
      .array(
        z.object({
          path: z.string().trim().min(1, "Choose a field").max(200),
          as: singleLine(z.string().trim().max(100), "Sent as").optional(),
        }),
      )
      .max(100)
      .default([]),
    /** Constant parameters added to the body. */
    constants: z
      .array(
        z.object({
          name: singleLine(z.string().trim().min(1, "Name is required").max(100), "Constant name"),
          value: z.string().max(2000),
          secret: secretSwitch,
        }),
      )
      .max(50)
      .default([]),
  }),
  z.object({
    mode: z.literal("template"),
    encoding: encodingSchema,
    template: z.string().max(100_000),
  }),
]);
export type WebhookBody = z.infer<typeof bodySchema>;

export const RETRY_PRESETS = ["standard", "freshsales", "vtiger", "leadsquared", "none"] as const;
export type RetryPreset = (typeof RETRY_PRESETS)[number];

export const retryPolicySchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("preset"), preset: z.enum(RETRY_PRESETS) }),
  z.object({
    type: z.literal("custom"),
    /** Seconds to wait before each retry; the number of entries is the number of retries. */
    delays: z
      .array(
        z
          .number()
          .int()
          .min(0)
          .max(7 * 86_400),
      )
      .min(1, "Add at least one delay")
      .max(20, "At most 20 retries"),
  }),
]);
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

/**
 * How often a webhook fires for one record (Vtiger's workflow trigger): every time the conditions hold;
 * only the first time they hold for a record; or on every event of a record until the first time they
 * hold (that event included). The last two remember each record in PostgreSQL (webhook_record_triggers).
 */
export const TRIGGER_MODES = ["every", "first_time", "until_first"] as const;
export type TriggerMode = (typeof TRIGGER_MODES)[number];
export const TRIGGER_MODE_LABELS: Record<TriggerMode, string> = {
  every: "Every time the conditions hold",
  first_time: "Only the first time the conditions hold for a record",
  until_first: "Every time, until the first time the conditions hold for a record",
};

export const MAX_EVENT_TYPES_PER_WEBHOOK = 20;
const eventTypesSchema = z
  .array(z.string().trim().min(1, "Choose a trigger event").max(100), { error: "Choose at least one trigger event" })
  .min(1, "Choose at least one trigger event")
  .max(MAX_EVENT_TYPES_PER_WEBHOOK, `At most ${MAX_EVENT_TYPES_PER_WEBHOOK} trigger events per webhook`)
  .refine((types) => new Set(types).size === types.length, "An event is listed twice");

/** The webhook's fields as an object (for `.shape`, `.omit`, `.partial`); webhookSchema also reads the older form. */
export const webhookObjectSchema = z.object({
  name: singleLine(z.string({ error: "Name is required" }).trim().min(1, "Name is required").max(120), "Name"),
  description: z.string().trim().max(1000).default(""),
  active: z.boolean().default(false),
  eventTypes: eventTypesSchema,
  triggerMode: z.enum(TRIGGER_MODES).default("every"),
  conditions: conditionsSchema.default({ match: "all", rules: [] }),
  method: z.enum(HTTP_METHODS).default("POST"),
  url: z
    .string({ error: "URL is required" })
    .trim()
    .min(1, "URL is required")
    .max(2000)
    .refine((v) => /^https?:\/\//i.test(v), { message: "The URL must start with http:// or https://", abort: true })
    .refine((v) => {
      try {
        const u = new URL(v.replace(/\{\{[^}]*\}\}/g, "x"));
        return !u.username && !u.password;
      } catch {
        return false;
      }
    }, "Enter a valid URL without a user name or password in it (use Authentication instead)"),
  includeEntityParams: z
    .boolean()
    .default(false)
    .describe("LeadSquared's query parameters: appends entityType=Webhook, entityId (the webhook's id) and eventType"),
  /** How the event type is sent (`eventType` query parameter, the body's `type`): "deal.updated" or LeadSquared's
   * "Opportunity_Post_Update" (lib/events/leadsquared-names.ts). */
  eventNaming: z
    .enum(EVENT_NAMINGS, { error: 'eventNaming must be "hookrelay" or "leadsquared"' })
    .default("hookrelay")
    .describe(
      "How the event type is sent in the eventType query parameter, the body's type, event.type and {{event.type}}: " +
        "hookrelay (deal.updated) or leadsquared (Opportunity_Post_Update)",
    ),
  headers: z.array(headerSchema).max(30, "At most 30 headers").default([]),
  auth: authSchema.default({ type: "none" }),
  body: bodySchema.default({ mode: "raw", encoding: "json" }),
  delaySeconds: z.number().int().min(0).max(86_400).default(0),
  retryPolicy: retryPolicySchema.default({ type: "preset", preset: "standard" }),
  timeoutSeconds: z.number().int().min(1).max(30).default(15),
  batchWindowSeconds: z.number().int().min(0).max(3600).default(0),
  maxConcurrency: z.number().int().min(1).max(100).default(10),
  notifyOnFailure: z.boolean().default(true),
});

/**
 * A webhook listened to one event type before it could listen to several: `eventType: "deal.won"` (an
 * API client written then, a stored row) reads as `eventTypes: ["deal.won"]`.
 */
export function withEventTypes(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const { eventType, ...rest } = raw as Record<string, unknown>;
  if (eventType === undefined) return raw;
  return rest.eventTypes === undefined ? { ...rest, eventTypes: [eventType] } : rest;
}

export const webhookSchema = z.preprocess(withEventTypes, webhookObjectSchema);
/** The form's values (the current shape). */
export type WebhookFormValues = z.input<typeof webhookObjectSchema>;
/** What the API and the actions accept: the current shape, or the older one with a single `eventType`. */
export type WebhookInput = WebhookFormValues | (Omit<WebhookFormValues, "eventTypes"> & { eventType: string });
export type WebhookConfig = z.output<typeof webhookObjectSchema>;
