import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type PgColumn,
} from "drizzle-orm/pg-core";
import type { DeliveryStatus } from "../lib/history";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

/**
 * The id of a row of the partitioned history (events, deliveries): a UUIDv7 whose 48-bit millisecond prefix is the
 * row's own created_at (both default to now()), made by the SQL function `hookrelay_uuid_v7` (migration
 * 0014_partitioned_history). From an id alone db/partitions.ts knows the one day partition that holds the row. Rows
 * from before partitioning keep their v4 ids (no bound: every partition is looked in).
 */
const historyId = () =>
  uuid("id")
    .notNull()
    .default(sql`hookrelay_uuid_v7(now())`);
/** A v7 id must carry its row's created_at (to the millisecond); legacy v4 ids are exempt. */
const idMatchesCreatedAt = (table: string, t: { id: PgColumn; createdAt: PgColumn }) =>
  check(`${table}_id_v7_check`, sql`hookrelay_id_matches(${t.id}, ${t.createdAt})`);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    /**
     * Every session (a JWT) carries the version it was issued under and is checked against this on
     * each request: a password change or reset, "sign out everywhere" and removal from a company
     * raise it, which ends every existing session of the user at once.
     */
    sessionVersion: integer("session_version").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email_key").on(sql`lower(${t.email})`)],
);

/** Sessions signed out one by one (the JWT's `sid`), kept until the JWT would have expired anyway. */
export const revokedSessions = pgTable(
  "revoked_sessions",
  {
    sid: uuid("sid").primaryKey(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("revoked_sessions_expires_idx").on(t.expiresAt)],
);

/**
 * Failed sign-ins (and API-key failures), counted in PostgreSQL so the limit holds across any
 * number of web processes: one row per key (`account:<email>`, `address:<ip>`, `api-key:<ip>`),
 * the start of its current window and the failures in it.
 */
export const authFailures = pgTable("auth_failures", {
  key: text("key").primaryKey(),
  windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
  count: integer("count").notNull(),
});

/** "Forgot password?" links: single use, expiring; only the token's hash is stored. */
export const passwordResets = pgTable(
  "password_resets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("password_resets_token_hash_key").on(t.tokenHash),
    index("password_resets_user_idx").on(t.userId),
  ],
);

/**
 * The operator's plans (Vtiger's editions; 003's webhooks add-on): whether webhooks are included, calls a day
 * per company and per user, and how many webhooks a company may have. Null = unlimited. Companies are assigned
 * one by the operator (`npm run admin`, the operator API); a company with none is on the default plan
 * (`is_default`, at most one: the migration seeds "Unlimited"). Owners see their plan and cannot change it.
 */
export const plans = pgTable(
  "plans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    webhooksEnabled: boolean("webhooks_enabled").notNull().default(true),
    callsPerDay: integer("calls_per_day"),
    callsPerUserPerDay: integer("calls_per_user_per_day"),
    maxWebhooks: integer("max_webhooks"),
    isDefault: boolean("is_default").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("plans_name_key").on(sql`lower(${t.name})`),
    uniqueIndex("plans_one_default_key")
      .on(t.isDefault)
      .where(sql`${t.isDefault}`),
  ],
);

export const companies = pgTable("companies", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  /** The operator's plan for this company; null: the default plan (plans.is_default). */
  planId: uuid("plan_id").references(() => plans.id, { onDelete: "restrict" }),
  /** Vtiger's default: 25,000 outgoing calls a day; over it deliveries are deferred, never dropped. */
  dailyCallLimit: integer("daily_call_limit").notNull().default(25000),
  retentionDays: integer("retention_days").notNull().default(30),
  /** A webhook failing continuously this long is switched off (Freshsales: 2 days; ours: 5). */
  autoDisableAfterHours: integer("auto_disable_after_hours").notNull().default(120),
  /** How many webhooks the company may have (a share of the delivery workers' room per company). */
  webhookLimit: integer("webhook_limit").notNull().default(100),
  /**
   * Where failure emails may go besides the company's members: an event's `owner.email` at one of
   * these domains (comma-separated, lower case). Null: the domains of the members' own addresses.
   */
  notificationDomains: text("notification_domains"),
  createdAt: createdAt(),
});

/**
 * The events API's per-company rate limit, counted in PostgreSQL so that it holds across any number
 * of web processes: one row per company, the current one-second window and what it has taken.
 */
export const eventRateWindows = pgTable("event_rate_windows", {
  companyId: uuid("company_id")
    .primaryKey()
    .references(() => companies.id, { onDelete: "cascade" }),
  second: bigint("second", { mode: "number" }).notNull(),
  count: integer("count").notNull(),
});

export const roles = pgTable(
  "roles",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    isOwner: boolean("is_owner").notNull().default(false),
    permissions: text("permissions")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("roles_company_name_key").on(t.companyId, sql`lower(${t.name})`)],
);

export const memberships = pgTable(
  "memberships",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    roleId: uuid("role_id")
      .notNull()
      .references(() => roles.id),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("memberships_company_user_key").on(t.companyId, t.userId),
    index("memberships_user_idx").on(t.userId),
    index("memberships_role_idx").on(t.roleId),
  ],
);

export const invitations = pgTable(
  "invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    roleId: uuid("role_id")
      .notNull()
      .references(() => roles.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("invitations_token_hash_key").on(t.tokenHash),
    index("invitations_company_idx").on(t.companyId, t.createdAt),
  ],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The first characters of the key, shown in lists so people can tell keys apart. */
    prefix: text("prefix").notNull(),
    hash: text("hash").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_keys_hash_key").on(t.hash), index("api_keys_company_idx").on(t.companyId)],
);

/** The email outbox: every email is recorded here first, then sent by a job (or kept as recorded). */
export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    /** What the email is about (a webhook's id for failure emails), for throttling and links. */
    refId: text("ref_id"),
    toEmail: text("to_email").notNull(),
    subject: text("subject").notNull(),
    html: text("html").notNull(),
    text: text("text").notNull(),
    /** queued → sent | failed | recorded (no RESEND_API_KEY: kept in the outbox only) */
    status: text("status").notNull().default("queued"),
    providerId: text("provider_id"),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index("notifications_company_idx").on(t.companyId, t.createdAt),
    index("notifications_ref_idx").on(t.kind, t.refId, t.createdAt),
  ],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    actorUserId: uuid("actor_user_id").references(() => users.id, { onDelete: "set null" }),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index("audit_log_company_idx").on(t.companyId, t.createdAt)],
);

/** OAuth credentials: parameter values that are secret (client_secret …) are stored encrypted. */
export const oauthCredentials = pgTable(
  "oauth_credentials",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenUrl: text("token_url").notNull(),
    method: text("method").notNull().default("POST"),
    /** [{ name, value?, valueEncrypted?, in: "body" | "query", secret }] */
    parameters: jsonb("parameters")
      .$type<{ name: string; value?: string; valueEncrypted?: string; in: "body" | "query"; secret: boolean }[]>()
      .notNull()
      .default([]),
    accessTokenEncrypted: text("access_token_encrypted"),
    refreshTokenEncrypted: text("refresh_token_encrypted"),
    tokenExpiresAt: timestamp("token_expires_at", { withTimezone: true }),
    lastError: text("last_error"),
    lastErrorAt: timestamp("last_error_at", { withTimezone: true }),
    /**
     * "custom": the token URL is called with the parameters (client credentials, password …);
     * "authorization_code": a person clicks Connect, consents at `authorizeUrl`, and the code is exchanged for an
     * access and a refresh token (lib/oauth/connect.ts).
     */
    grantType: text("grant_type").$type<OAuthGrantType>().notNull().default("custom"),
    authorizeUrl: text("authorize_url"),
    clientId: text("client_id"),
    clientSecretEncrypted: text("client_secret_encrypted"),
    /** Space-separated, as OAuth sends them. */
    scopes: text("scopes").notNull().default(""),
    /** PKCE (S256) on the authorization request and the code exchange. */
    pkce: boolean("pkce").notNull().default(true),
    connectedAt: timestamp("connected_at", { withTimezone: true }),
    connectedBy: uuid("connected_by").references(() => users.id, { onDelete: "set null" }),
    /** Set when the refresh token stopped working (or the settings changed): deliveries fail until Reconnect. */
    needsReconnectAt: timestamp("needs_reconnect_at", { withTimezone: true }),
    needsReconnectReason: text("needs_reconnect_reason"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("oauth_credentials_company_idx").on(t.companyId, t.createdAt)],
);

export const OAUTH_GRANT_TYPES = ["custom", "authorization_code"] as const;
export type OAuthGrantType = (typeof OAUTH_GRANT_TYPES)[number];

/**
 * One Connect attempt of the authorization-code grant: the `state` sent to the provider (only its hash is kept),
 * the PKCE verifier (encrypted), who started it, for which credential, until when (10 minutes), and — once the
 * provider sent the browser back — when it was used and how it ended (shown once on the credentials page).
 */
export const oauthAuthorizations = pgTable(
  "oauth_authorizations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    credentialId: uuid("credential_id")
      .notNull()
      .references(() => oauthCredentials.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    stateHash: text("state_hash").notNull(),
    codeVerifierEncrypted: text("code_verifier_encrypted"),
    redirectUri: text("redirect_uri").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    /** "connected" | "failed", with what to tell the person (the provider's error, named). */
    result: text("result"),
    resultMessage: text("result_message"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("oauth_authorizations_state_hash_key").on(t.stateHash),
    index("oauth_authorizations_credential_idx").on(t.credentialId),
    index("oauth_authorizations_created_idx").on(t.createdAt),
  ],
);
export type OAuthAuthorization = typeof oauthAuthorizations.$inferSelect;

/**
 * A webhook. The request configuration (conditions, headers, auth without its secrets, body,
 * retry policy …) is the validated `WebhookConfig` minus secrets, kept as JSON; the columns that
 * queries filter or sort on are real columns.
 */
export const webhooks = pgTable(
  "webhooks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    active: boolean("active").notNull().default(false),
    /** The event types it listens to (one or more, the catalog's or the company's own). */
    eventTypes: text("event_types").array().notNull(),
    method: text("method").notNull().default("POST"),
    url: text("url").notNull(),
    config: jsonb("config").$type<Record<string, unknown>>().notNull(),
    /** Encrypted secrets as one AES-GCM blob: the auth section's { basicPassword?, apiKeyValue?, bearerToken? } and
     * secret { headers?, constants? } by name (lib/webhooks.ts AuthSecrets). */
    authSecretsEncrypted: text("auth_secrets_encrypted"),
    oauthCredentialId: uuid("oauth_credential_id").references(() => oauthCredentials.id, { onDelete: "restrict" }),
    signingSecretEncrypted: text("signing_secret_encrypted").notNull(),
    previousSigningSecretEncrypted: text("previous_signing_secret_encrypted"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true }),
    disabledReason: text("disabled_reason"),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    failingSince: timestamp("failing_since", { withTimezone: true }),
    lastSentAt: timestamp("last_sent_at", { withTimezone: true }),
    lastStatus: text("last_status"),
    lastStatusCode: integer("last_status_code"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Matching: the active webhooks of a company (then `event_types && the batch's types`).
    index("webhooks_match_idx")
      .on(t.companyId)
      .where(sql`${t.active}`),
    index("webhooks_company_created_idx").on(t.companyId, t.createdAt, t.id),
  ],
);

/**
 * Records a webhook with a "first time" or "until the first time" trigger has done with: the first event
 * of the record for which the conditions held. Inserted in the ingest transaction (on conflict nothing),
 * so two concurrent events of one record cannot both be the first.
 */
export const webhookRecordTriggers = pgTable(
  "webhook_record_triggers",
  {
    webhookId: uuid("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    recordId: text("record_id").notNull(),
    eventId: uuid("event_id"),
    heldAt: timestamp("held_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.webhookId, t.recordId] })],
);

/**
 * A company's own event types, beside the built-in catalog (lib/events/catalog.ts): what its business app
 * sends for its own modules. A type in use is deprecated rather than deleted: its events are still
 * accepted, new webhooks no longer offer it.
 */
export const companyEventTypes = pgTable(
  "company_event_types",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    label: text("label").notNull(),
    description: text("description").notNull().default(""),
    module: text("module").notNull(),
    /** A JSON Schema (the subset lib/events/json-schema.ts checks) each event's `data` must meet, or null. */
    schema: jsonb("schema").$type<Record<string, unknown> | null>(),
    /** The sample record Test, previews and the form's field pickers use. */
    sample: jsonb("sample").$type<{ data: Record<string, unknown>; previous?: Record<string, unknown> }>().notNull(),
    deprecatedAt: timestamp("deprecated_at", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("company_event_types_key").on(t.companyId, t.type)],
);

/**
 * Events, deliveries and delivery attempts are range-partitioned by day (UTC) on created_at (attempts on their
 * delivery's created_at), which drizzle does not model: the partitions, the DEFAULT partition and the functions
 * that make and drop them are in the hand-written migration 0014_partitioned_history; db/partitions.ts keeps them.
 * A partitioned table's primary key must hold the partition key, hence (id, created_at); there are no foreign keys
 * between these three tables (a day's partitions are dropped whole), only to companies and webhooks.
 */
export const events = pgTable(
  "events",
  {
    id: historyId(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    /** The sender's id, for idempotency: the same id twice for a company is accepted once. */
    externalId: text("external_id").notNull(),
    type: text("type").notNull(),
    recordId: text("record_id"),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    previous: jsonb("previous").$type<Record<string, unknown> | null>(),
    owner: jsonb("owner").$type<{ email?: string } | null>(),
    apiKeyId: uuid("api_key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    /** A test event sent from the Events page ("Send a test event"): who sent it (api_key_id is null then). */
    sentBy: uuid("sent_by").references(() => users.id, { onDelete: "set null" }),
    /** True for events sent from the Events page rather than posted with an API key. */
    isTest: boolean("is_test").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.createdAt] }),
    index("events_company_created_idx").on(t.companyId, t.createdAt),
    idMatchesCreatedAt("events", t),
  ],
);

/**
 * Idempotency of the events API: (company, the sender's id) → the event. A unique index on the partitioned events
 * table would have to include created_at, so the keys live in this small table, written in the intake's transaction
 * and deleted once older than the company's retention (jobs/purge.ts).
 */
export const eventKeys = pgTable(
  "event_keys",
  {
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    externalId: text("external_id").notNull(),
    eventId: uuid("event_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.companyId, t.externalId] }),
    index("event_keys_company_created_idx").on(t.companyId, t.createdAt),
  ],
);

/** The delivery statuses live in lib/history.ts (the components read them there). */
export { DELIVERY_STATUSES, type DeliveryStatus } from "../lib/history";

export const deliveries = pgTable(
  "deliveries",
  {
    id: historyId(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    webhookId: uuid("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    /** No foreign key (see events): an event's day may be dropped before a later delivery of it (recover, resend). */
    eventId: uuid("event_id").notNull(),
    status: text("status").$type<DeliveryStatus>().notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    lastDurationMs: integer("last_duration_ms"),
    /** Events of one batch window share a batch key; the first delivery of the batch sends them all. */
    batchKey: text("batch_key"),
    deferredReason: text("deferred_reason"),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    /**
     * The worker processes (a random id per process) that marked this delivery in hand since its last
     * written outcome: a request slow to answer, or one sent again after its job failed (marked before
     * sending). With the job's failure count (a death within a quick round leaves no mark, only that),
     * two deaths means it is set aside as failed (crashed_worker) instead of being tried until it kills
     * every worker (jobs/delivery-pipeline.ts, crashesOf).
     */
    inHandBy: text("in_hand_by")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.createdAt] }),
    // History: one webhook's deliveries, newest first, optionally by status (cursor on created_at, id).
    index("deliveries_webhook_created_idx").on(t.webhookId, t.createdAt, t.id),
    index("deliveries_webhook_status_created_idx").on(t.webhookId, t.status, t.createdAt, t.id),
    index("deliveries_event_idx").on(t.eventId),
    // Dashboard: a company's deliveries in a window, counted by hour and status (index-only).
    index("deliveries_company_created_idx").on(t.companyId, t.createdAt, t.status),
    index("deliveries_batch_idx")
      .on(t.webhookId, t.batchKey)
      .where(sql`${t.batchKey} is not null`),
    idMatchesCreatedAt("deliveries", t),
  ],
);

export const deliveryAttempts = pgTable(
  "delivery_attempts",
  {
    id: bigserial("id", { mode: "number" }).notNull(),
    deliveryId: uuid("delivery_id").notNull(),
    /** The delivery's created_at, the partition key: a delivery and its attempts live (and are dropped) in one day. */
    deliveryCreatedAt: timestamp("delivery_created_at", { withTimezone: true }).notNull(),
    companyId: uuid("company_id").notNull(),
    /** Deleting the webhook (or its company) deletes its attempts (there is no foreign key to deliveries). */
    webhookId: uuid("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    attemptNumber: integer("attempt_number").notNull(),
    trigger: text("trigger").notNull().default("auto"),
    triggeredBy: uuid("triggered_by"),
    requestMethod: text("request_method").notNull(),
    requestUrl: text("request_url").notNull(),
    requestHeaders: jsonb("request_headers").$type<Record<string, string>>().notNull(),
    requestBody: text("request_body"),
    responseStatus: integer("response_status"),
    responseHeaders: jsonb("response_headers").$type<Record<string, string>>(),
    responseBody: text("response_body"),
    durationMs: integer("duration_ms"),
    errorKind: text("error_kind"),
    errorMessage: text("error_message"),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.deliveryCreatedAt] }),
    index("delivery_attempts_delivery_idx").on(t.deliveryId, t.attemptNumber),
    index("delivery_attempts_company_created_idx").on(t.companyId, t.createdAt),
    index("delivery_attempts_webhook_idx").on(t.webhookId),
  ],
);

/**
 * "Retry all failed" of a webhook over a time range: a pg-boss job re-queues the matching
 * deliveries in batches and keeps its progress here for the history page to show.
 */
export const bulkRetries = pgTable(
  "bulk_retries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    webhookId: uuid("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    requestedBy: uuid("requested_by").references(() => users.id, { onDelete: "set null" }),
    /** Which deliveries: failed, and skipped ones too when asked (replay after a switch-off). */
    statuses: text("statuses").array().$type<DeliveryStatus[]>().notNull(),
    fromTime: timestamp("from_time", { withTimezone: true }),
    toTime: timestamp("to_time", { withTimezone: true }).notNull(),
    /**
     * "Recover since": besides re-queuing the failed and skipped deliveries from `from_time`, send every
     * event of the webhook's types since then that has no delivery to it at all (it arrived while the
     * webhook was switched off, or auto-disabled).
     */
    recover: boolean("recover").notNull().default(false),
    /** queued → running → completed | failed */
    state: text("state").notNull().default("queued"),
    total: integer("total"),
    done: integer("done").notNull().default(0),
    error: text("error"),
    createdAt: createdAt(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("bulk_retries_webhook_idx").on(t.webhookId, t.createdAt)],
);

/** Calls made per company per day, for the daily call limit (defers, never drops). */
export const dailyUsage = pgTable(
  "daily_usage",
  {
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    calls: integer("calls").notNull().default(0),
  },
  (t) => [uniqueIndex("daily_usage_key").on(t.companyId, t.day)],
);

/**
 * Calls made per company, user and day, for the plan's calls per user: a call counts for the user who owns
 * the webhook (webhooks.created_by). Written with daily_usage, in the same transaction (db/queries/delivery-state.ts).
 */
export const dailyUserUsage = pgTable(
  "daily_user_usage",
  {
    companyId: uuid("company_id")
      .notNull()
      .references(() => companies.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    calls: integer("calls").notNull().default(0),
  },
  (t) => [uniqueIndex("daily_user_usage_key").on(t.companyId, t.day, t.userId)],
);

export type User = typeof users.$inferSelect;
export type Company = typeof companies.$inferSelect;
export type Plan = typeof plans.$inferSelect;
export type Role = typeof roles.$inferSelect;
export type Membership = typeof memberships.$inferSelect;
export type Invitation = typeof invitations.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type Notification = typeof notifications.$inferSelect;
export type Webhook = typeof webhooks.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type EventKey = typeof eventKeys.$inferSelect;
export type CompanyEventType = typeof companyEventTypes.$inferSelect;
export type Delivery = typeof deliveries.$inferSelect;
export type DeliveryAttempt = typeof deliveryAttempts.$inferSelect;
export type OAuthCredential = typeof oauthCredentials.$inferSelect;
export type BulkRetry = typeof bulkRetries.$inferSelect;

/**
 * The worker processes, each a row it keeps up to date (jobs/worker-heartbeat.ts): where it runs, when
 * it started and was last seen, and what it has done — delivery jobs finished (each one a request sent,
 * or a delivery set aside) and jobs in hand at its last beat. An operator sees which workers are alive
 * (`last_seen_at` within a minute), whether the work is shared, and which machine a stuck one is on.
 * One update per worker every few seconds, rather than a column on every attempt.
 */
export const workers = pgTable("workers", {
  id: uuid("id").primaryKey().defaultRandom(),
  hostname: text("hostname").notNull(),
  pid: integer("pid").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
  lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  /** Set when it stopped cleanly (SIGTERM); a worker that died keeps it null and stops being seen. */
  stoppedAt: timestamp("stopped_at", { withTimezone: true }),
  deliveryJobs: bigint("delivery_jobs", { mode: "number" }).notNull().default(0),
  jobsInHand: integer("jobs_in_hand").notNull().default(0),
});
