import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db";
import { companies, webhooks, type Webhook } from "@/db/schema";
import { recordAudit } from "@/db/queries/companies";
import { companyPlan } from "@/db/queries/plans";
import {
  deleteCompanyWebhook,
  getCompanyOAuthCredential,
  getCompanyWebhook,
  insertWebhookRow,
  updateWebhookRow,
} from "@/db/queries/webhooks";
import { ActionError, defineAction, ok } from "@/lib/action";
import { encryptSecret } from "@/lib/crypto";
import { checkTemplates, previewBody, testWebhook, type TestResult } from "@/lib/delivery/test-webhook";
import { retypeMessage, sameHost, targetHost } from "@/lib/target-host";
import { resolveEventTypes } from "@/lib/events/company-catalog";
import { webhookObjectSchema, webhookSchema, withEventTypes, type WebhookConfig } from "@/lib/validations/webhook";
import {
  generateSigningSecret,
  insertWebhook,
  readAuthSecrets,
  resolveRowSecrets,
  signingSecretsOf,
  splitSecrets,
  webhookConfigOf,
  webhookRowFields,
  type AuthSecrets,
} from "@/lib/webhooks";

export const webhookIdSchema = z.object({ webhookId: z.uuid("Choose a webhook") });
export const updateWebhookSchema = z.preprocess(
  withEventTypes,
  webhookObjectSchema.extend({ webhookId: z.uuid("Choose a webhook") }),
);
export const setWebhookActiveSchema = z.object({
  webhookId: z.uuid("Choose a webhook"),
  active: z.boolean({ error: "active must be true or false" }),
});
export const rotateSigningSecretSchema = z.object({
  webhookId: z.uuid("Choose a webhook"),
  /** How long the previous secret keeps signing alongside the new one, so receivers can switch over. */
  overlapHours: z
    .number()
    .int()
    .min(0, "Overlap cannot be negative")
    .max(168, "At most 7 days (168 hours)")
    .default(24),
});
/** The largest record the Test panel may send in place of the event type's sample (as JSON). */
export const MAX_TEST_SAMPLE_BYTES = 64 * 1024;
export const testWebhookDraftSchema = z.object({
  webhookId: z.uuid().optional(),
  config: z.unknown(),
  dryRun: z.boolean().default(false),
  /** The record to send instead of the sample (edited in the Test panel): a JSON object. */
  sample: z
    .record(z.string(), z.unknown(), { error: 'Sample record: write a JSON object, such as {"id": 1}' })
    .refine((s) => JSON.stringify(s).length <= MAX_TEST_SAMPLE_BYTES, "Sample record: at most 64 KiB of JSON")
    .optional(),
});
/** The draft's parts that shape the body; previewBody parses them with the webhook schema. */
export const previewWebhookBodySchema = z.object({
  draft: z.object({
    eventTypes: z.unknown().optional(),
    eventType: z.unknown().optional(),
    method: z.unknown().optional(),
    body: z.unknown().optional(),
    eventNaming: z.unknown().optional(),
  }),
});

/**
 * The checks zod cannot make alone: each event type is the catalog's or the company's own (a deprecated
 * one only when the webhook listened to it already), the OAuth credential is this company's.
 */
async function checkReferences(db: DbOrTx, companyId: string, config: WebhookConfig, savedTypes: string[] = []) {
  const fieldErrors: Record<string, string[]> = {};
  const known = await resolveEventTypes(db, companyId, config.eventTypes);
  for (const type of config.eventTypes) {
    const info = known.get(type);
    if (!info) fieldErrors.eventTypes = [`"${type.slice(0, 100)}" is not an event type of the catalog or your company`];
    else if (info.deprecated && !savedTypes.includes(type))
      fieldErrors.eventTypes = [`${type} is deprecated: it can no longer be chosen for a webhook`];
    if (fieldErrors.eventTypes) break;
  }
  if (config.auth.type === "oauth" && !(await getCompanyOAuthCredential(db, companyId, config.auth.credentialId))) {
    fieldErrors["auth.credentialId"] = ["Choose one of your company's OAuth credentials"];
  }
  // Templates are trial-rendered (in the sandbox) against the event type's sample record.
  if (!fieldErrors.eventTypes) Object.assign(fieldErrors, await checkTemplates(db, companyId, config));
  const first = Object.entries(fieldErrors)[0];
  if (first) throw new ActionError("invalid", `${first[0]}: ${first[1][0]}`, fieldErrors);
}

/**
 * The secrets to store: what the form typed, or — where it left a secret blank — the saved one (an
 * auth secret only while the kind of auth stays the same; a header or constant one under the same
 * name). A missing secret, or a secret header or constant listed twice, is an error naming its field.
 */
function resolveSecrets(
  config: WebhookConfig,
  typed: AuthSecrets,
  stored: AuthSecrets,
  hostChange?: { from: string; to: string },
): AuthSecrets {
  const auth = config.auth;
  const rows = resolveRowSecrets(config, stored, hostChange);
  const fieldErrors: Record<string, string[]> = {};
  const pick = (field: "basicPassword" | "apiKeyValue" | "bearerToken", path: string, label: string): AuthSecrets => {
    const value = typed[field] || stored[field];
    if (!value)
      fieldErrors[path] = [
        hostChange ? retypeMessage(label.toLowerCase(), hostChange.from, hostChange.to) : `${label} is required`,
      ];
    return { [field]: value };
  };
  const authSecrets =
    auth.type === "basic"
      ? pick("basicPassword", "auth.password", "Password")
      : auth.type === "api_key"
        ? pick("apiKeyValue", "auth.value", "Key value")
        : auth.type === "bearer"
          ? pick("bearerToken", "auth.token", "Token")
          : {};
  Object.assign(fieldErrors, rows.fieldErrors);
  const first = Object.entries(fieldErrors)[0];
  if (first) throw new ActionError("invalid", `${first[0]}: ${first[1][0]}`, fieldErrors);
  return { ...authSecrets, headers: rows.headers, constants: rows.constants };
}

/** The sections whose secrets differ: an auth secret, a header's or a constant's (the body's). */
function changedSecretSections(a: AuthSecrets, b: AuthSecrets): ("auth" | "headers" | "body")[] {
  const same = (x: Record<string, string> = {}, y: Record<string, string> = {}) =>
    Object.keys(x).length === Object.keys(y).length && Object.entries(x).every(([k, v]) => y[k] === v);
  const out: ("auth" | "headers" | "body")[] = [];
  if (a.basicPassword !== b.basicPassword || a.apiKeyValue !== b.apiKeyValue || a.bearerToken !== b.bearerToken)
    out.push("auth");
  if (!same(a.headers, b.headers)) out.push("headers");
  if (!same(a.constants, b.constants)) out.push("body");
  return out;
}

const AUDITED_FIELDS = [
  "name",
  "description",
  "active",
  "eventTypes",
  "triggerMode",
  "method",
  "url",
  "delaySeconds",
  "timeoutSeconds",
  "batchWindowSeconds",
  "maxConcurrency",
  "notifyOnFailure",
  "includeEntityParams",
  "eventNaming",
] as const;
const AUDITED_SECTIONS = ["conditions", "headers", "auth", "body", "retryPolicy"] as const;

/** What changed, for the audit log: before/after of plain fields, the names of changed sections (those whose secrets
 * changed too); never a secret. */
export function describeChanges(
  before: WebhookConfig,
  after: WebhookConfig,
  secretSections: readonly (typeof AUDITED_SECTIONS)[number][],
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const f of AUDITED_FIELDS) {
    if (JSON.stringify(before[f]) !== JSON.stringify(after[f])) changes[f] = { from: before[f], to: after[f] };
  }
  const sections = AUDITED_SECTIONS.filter((s) => JSON.stringify(before[s]) !== JSON.stringify(after[s]));
  for (const s of secretSections) if (!sections.includes(s)) sections.push(s);
  if (sections.length) changes.sections = sections;
  if (secretSections.length) changes.secretChanged = true;
  return changes;
}

/**
 * A company has at most as many webhooks as the lower of `companies.webhook_limit` (100 unless the operator
 * sets another: each webhook is a claim on the delivery workers' room) and its plan's `max_webhooks`. The
 * company's row is locked so that two concurrent creates cannot both take the last place.
 */
async function webhookRoom(tx: DbOrTx, companyId: string) {
  const [row] = await tx.execute<{ limit: number; count: number }>(sql`
    select c.webhook_limit as "limit", (select count(*)::int from ${webhooks} w where w.company_id = c.id) as count
    from ${companies} c where c.id = ${companyId} for update of c`);
  const plan = await companyPlan(tx, companyId);
  return { count: row?.count ?? 0, companyLimit: row?.limit ?? 0, plan };
}

async function assertWebhookRoom(tx: DbOrTx, companyId: string): Promise<void> {
  const { count, companyLimit, plan } = await webhookRoom(tx, companyId);
  if (plan.maxWebhooks !== null && plan.maxWebhooks <= companyLimit && count >= plan.maxWebhooks) {
    const message = `Your plan (${plan.name}) allows ${plan.maxWebhooks} webhooks and your company has ${count}; delete one you no longer use first`;
    throw new ActionError("invalid", message, { webhookLimit: [message] });
  }
  if (count >= companyLimit) {
    const message = `Your company has reached its limit of ${companyLimit} webhooks; delete one you no longer use first`;
    throw new ActionError("invalid", message, { webhookLimit: [message] });
  }
}

/**
 * Switching a webhook on (create, save, the listing's toggle) needs a plan that includes webhooks, and a company
 * within its plan's number of webhooks (a company moved to a smaller plan keeps its webhooks but switches none
 * on until it is within it). `existing` is false when the webhook is being created (it is not counted yet).
 */
async function assertMaySwitchOn(tx: DbOrTx, companyId: string, existing: boolean): Promise<void> {
  const { count, plan } = await webhookRoom(tx, companyId);
  if (!plan.webhooksEnabled) {
    const message = `Webhooks are not included in your company's plan (${plan.name}): save it switched off, or ask your provider for a plan with webhooks`;
    throw new ActionError("invalid", message, { active: [message] });
  }
  const total = existing ? count : count + 1;
  if (plan.maxWebhooks !== null && total > plan.maxWebhooks) {
    const message = `Your plan (${plan.name}) allows ${plan.maxWebhooks} webhooks and your company has ${total}: delete some before switching one on`;
    throw new ActionError("invalid", message, { active: [message] });
  }
}

async function loadWebhook(db: DbOrTx, companyId: string, webhookId: string): Promise<Webhook> {
  const row = await getCompanyWebhook(db, companyId, webhookId);
  if (!row) throw new ActionError("not_found", "Webhook not found");
  return row;
}

export const createWebhook = defineAction({
  name: "createWebhook",
  access: "webhooks.manage",
  schema: webhookSchema,
  async handler({ db, actor }, config) {
    await checkReferences(db, actor.companyId, config);
    // Nothing is saved yet: every secret must be typed (this throws naming the first one missing).
    resolveSecrets(config, splitSecrets(config).secrets, {});
    return db.transaction(async (tx) => {
      await assertWebhookRoom(tx, actor.companyId);
      if (config.active) await assertMaySwitchOn(tx, actor.companyId, false);
      const { webhook, signingSecret } = await insertWebhook(tx, actor.companyId, actor.userId, config);
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "webhook.created",
        targetType: "webhook",
        targetId: webhook.id,
        details: { name: webhook.name, eventTypes: webhook.eventTypes, url: webhook.url, active: webhook.active },
      });
      return ok({ webhookId: webhook.id, signingSecret }, `Webhook ${webhook.name} created`);
    });
  },
});

export const updateWebhook = defineAction({
  name: "updateWebhook",
  access: "webhooks.manage",
  schema: updateWebhookSchema,
  async handler({ db, actor }, input) {
    const { webhookId, ...config } = input;
    const saved = await loadWebhook(db, actor.companyId, webhookId);
    await checkReferences(db, actor.companyId, config, saved.eventTypes);
    return db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(webhooks)
        .where(and(eq(webhooks.companyId, actor.companyId), eq(webhooks.id, webhookId)))
        .for("update");
      if (!row) throw new ActionError("not_found", "Webhook not found");
      const before = webhookConfigOf(row);
      const { publicConfig, secrets: typed } = splitSecrets(config);
      // A stored secret carries over only while the URL's host stays the same (and, for an auth secret,
      // the kind of auth): a secret saved for one host is never sent to another without being typed again.
      const hostKept = sameHost(row.url, config.url);
      const saved = readAuthSecrets(row);
      const stored: AuthSecrets = hostKept
        ? {
            ...(before.auth.type === config.auth.type ? saved : {}),
            headers: saved.headers,
            constants: saved.constants,
          }
        : {};
      const secrets = resolveSecrets(config, typed, stored, hostKept ? undefined : { from: row.url, to: config.url });
      const secretSections = changedSecretSections(saved, secrets);
      const reactivated = config.active && !row.active;
      if (reactivated) await assertMaySwitchOn(tx, actor.companyId, true);
      await updateWebhookRow(tx, row.id, {
        ...webhookRowFields(publicConfig, secrets),
        ...(reactivated ? { disabledReason: null, disabledAt: null, failingSince: null } : {}),
      });
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "webhook.updated",
        targetType: "webhook",
        targetId: row.id,
        details: { name: config.name, changes: describeChanges(before, publicConfig, secretSections) },
      });
      return ok({ webhookId: row.id }, `Webhook ${config.name} saved`);
    });
  },
});

export const deleteWebhook = defineAction({
  name: "deleteWebhook",
  access: "webhooks.manage",
  schema: webhookIdSchema,
  async handler({ db, actor }, input) {
    return db.transaction(async (tx) => {
      const deleted = await deleteCompanyWebhook(tx, actor.companyId, input.webhookId);
      if (!deleted) throw new ActionError("not_found", "Webhook not found");
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "webhook.deleted",
        targetType: "webhook",
        targetId: deleted.id,
        details: { name: deleted.name, url: deleted.url },
      });
      return ok(null, `Webhook ${deleted.name} deleted`);
    });
  },
});

/** A copy named "Copy of …", switched off, with its own signing secret; its secrets (auth, headers, constants) carry
 * over. */
export const duplicateWebhook = defineAction({
  name: "duplicateWebhook",
  access: "webhooks.manage",
  schema: webhookIdSchema,
  async handler({ db, actor }, input) {
    return db.transaction(async (tx) => {
      const source = await loadWebhook(tx, actor.companyId, input.webhookId);
      await assertWebhookRoom(tx, actor.companyId);
      const name = `Copy of ${source.name}`.slice(0, 120);
      const config = { ...webhookConfigOf(source), name, active: false };
      const copy = await insertWebhookRow(tx, {
        companyId: actor.companyId,
        ...webhookRowFields(config, readAuthSecrets(source)),
        signingSecretEncrypted: encryptSecret(generateSigningSecret()),
        createdBy: actor.userId,
      });
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "webhook.duplicated",
        targetType: "webhook",
        targetId: copy.id,
        details: { name, from: source.id },
      });
      return ok({ webhookId: copy.id }, `Created ${name} (inactive)`);
    });
  },
});

/** The listing's toggle. Switching on clears an auto-disable reason: turning it back on is one click. */
export const setWebhookActive = defineAction({
  name: "setWebhookActive",
  access: "webhooks.manage",
  schema: setWebhookActiveSchema,
  async handler({ db, actor }, input) {
    return db.transaction(async (tx) => {
      const row = await loadWebhook(tx, actor.companyId, input.webhookId);
      if (input.active && !row.active) await assertMaySwitchOn(tx, actor.companyId, true);
      const config = { ...webhookConfigOf(row), active: input.active };
      await updateWebhookRow(tx, row.id, {
        active: input.active,
        config: { ...row.config, active: input.active },
        ...(input.active ? { disabledReason: null, disabledAt: null, failingSince: null } : {}),
      });
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: input.active ? "webhook.activated" : "webhook.deactivated",
        targetType: "webhook",
        targetId: row.id,
        details: {
          name: config.name,
          ...(row.disabledReason && input.active ? { clearedReason: row.disabledReason } : {}),
        },
      });
      return ok({ active: input.active }, `${row.name} switched ${input.active ? "on" : "off"}`);
    });
  },
});

/** A new signing secret, shown once; the previous one keeps signing for the overlap so receivers can switch. */
export const rotateSigningSecret = defineAction({
  name: "rotateSigningSecret",
  access: "webhooks.manage",
  schema: rotateSigningSecretSchema,
  async handler({ db, actor }, input) {
    return db.transaction(async (tx) => {
      const row = await loadWebhook(tx, actor.companyId, input.webhookId);
      const secret = generateSigningSecret();
      const expires = new Date(Date.now() + input.overlapHours * 3_600_000);
      await updateWebhookRow(tx, row.id, {
        signingSecretEncrypted: encryptSecret(secret),
        previousSigningSecretEncrypted: input.overlapHours > 0 ? row.signingSecretEncrypted : null,
        previousSecretExpiresAt: input.overlapHours > 0 ? expires : null,
      });
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "webhook.secret_rotated",
        targetType: "webhook",
        targetId: row.id,
        details: { name: row.name, overlapHours: input.overlapHours },
      });
      return ok(
        { signingSecret: secret, previousValidUntil: input.overlapHours > 0 ? expires.toISOString() : null },
        input.overlapHours > 0
          ? `New signing secret — the old one keeps signing for ${input.overlapHours} h`
          : "New signing secret — the old one no longer signs",
      );
    });
  },
});

/**
 * Test on the form: sends the catalog sample with the form's unsaved values. Editing an existing
 * webhook, blank secrets fall back to the saved ones and the saved signing secret signs.
 */
export const testWebhookDraft = defineAction({
  name: "testWebhookDraft",
  access: "webhooks.manage",
  schema: testWebhookDraftSchema,
  async handler({ db, actor }, input) {
    if (!input.dryRun) {
      const plan = await companyPlan(db, actor.companyId);
      if (!plan.webhooksEnabled)
        throw new ActionError(
          "invalid",
          `Webhooks are not included in your company's plan (${plan.name}): Test sends nothing`,
        );
    }
    let storedSecrets: AuthSecrets | undefined;
    let signingSecret: string | undefined;
    let hostChange: { from: string; to: string } | undefined;
    const draft = input.config as {
      url?: unknown;
      auth?: { type?: string; password?: string; value?: string; token?: string };
    } | null;
    const draftUrl = typeof draft?.url === "string" ? draft.url : "";
    if (input.webhookId) {
      const row = await loadWebhook(db, actor.companyId, input.webhookId);
      const saved = readAuthSecrets(row);
      const sameAuth = draft?.auth?.type === webhookConfigOf(row).auth.type;
      // Saved secrets go only to the host they were saved for: after a change of host, a Test (not a
      // preview, which sends nothing) needs them typed again — the auth secret here, headers' and
      // constants' in testWebhook.
      if (input.dryRun || sameHost(row.url, draftUrl)) {
        storedSecrets = { ...(sameAuth ? saved : {}), headers: saved.headers, constants: saved.constants };
      } else {
        hostChange = { from: row.url, to: draftUrl };
        const blank = !sameAuth
          ? false
          : draft?.auth?.type === "basic"
            ? !draft.auth.password && { path: "auth.password", label: "password" }
            : draft?.auth?.type === "api_key"
              ? !draft.auth.value && { path: "auth.value", label: "key value" }
              : draft?.auth?.type === "bearer"
                ? !draft.auth.token && { path: "auth.token", label: "token" }
                : false;
        if (blank) {
          const message = retypeMessage(blank.label, row.url, draftUrl);
          return ok<TestResult>({ ok: false, message, fieldErrors: { [blank.path]: [message] } });
        }
      }
      signingSecret = signingSecretsOf(row)[0];
    }
    const result = await testWebhook(db, actor.companyId, input.config, {
      storedSecrets,
      signingSecret,
      webhookId: input.webhookId,
      dryRun: input.dryRun,
      hostChange,
      sample: input.sample,
    });
    if (result.ok && !result.dryRun) {
      // Every Test send is audited: who sent it, to which host, and what came back.
      await recordAudit(db, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "webhook.tested",
        targetType: "webhook",
        targetId: input.webhookId ?? null,
        details: {
          host: targetHost(result.request.url),
          status: result.response?.status ?? null,
          error: result.error?.kind ?? null,
          savedSecretsUsed: Boolean(storedSecrets && Object.values(storedSecrets).some(Boolean)),
          editedSample: input.sample !== undefined,
        },
      });
    }
    return ok(result);
  },
});

/**
 * The form's live body preview, asked for at each pause in typing: the draft's body built from the
 * event type's sample record (templates rendered in the sandbox), as Test would send it. It sends
 * nothing and reads no webhook, secret or credential: only the caller's membership, which
 * defineAction loads to check Manage Webhooks in the company, as for every action.
 */
export const previewWebhookBody = defineAction({
  name: "previewWebhookBody",
  access: "webhooks.manage",
  schema: previewWebhookBodySchema,
  async handler({ db, actor }, input) {
    return ok(await previewBody(db, actor.companyId, input.draft));
  },
});
