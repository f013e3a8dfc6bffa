import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { fromDrizzle, type PgBoss } from "pg-boss";
import { executePrepared, jsonParam, type Database, type Tx } from "@/db";
import { companies, dailyUsage, deliveries, deliveryAttempts, events, webhooks, type Delivery, type EventRow, type Webhook } from "@/db/schema";
import { buildBatchRequest, buildRequest, BuildRequestError, renderInSandbox, type BuiltRequest } from "@/lib/delivery/build-request";
import { sandboxRender } from "@/lib/sandbox/render-pool";
import { sendSafely, type SendOutcome } from "@/lib/delivery/http-client";
import { nextRetryDelaySeconds } from "@/lib/delivery/retry";
import { getOAuthAccessToken } from "@/lib/delivery/oauth";
import { deliverJobOptions, type DeliverJob } from "@/lib/events/ingest";
import type { WebhookConfig } from "@/lib/validations/webhook";
import { readAuthSecrets, signingSecretsOf, webhookConfigOf } from "@/lib/webhooks";
import { QUEUES } from "./boss";
import type { NotifyFailureJob } from "./notify-failure";

export interface DeliverOptions {
  /** Injectable clock for tests (auto-disable, daily limit). */
  now?: () => Date;
  /** Who asked for a manual resend (history's Resync); absent for automatic attempts. */
  trigger?: { kind: "auto" | "manual"; userId?: string | null };
  /** Holds each request until the process has a free slot (the worker's WORKER_CONCURRENCY). */
  slots?: Slots;
}

/**
 * At most `limit` requests at once, whatever batches the worker holds; the rest wait their turn.
 * A request may also name its webhook and that webhook's max concurrency: it then first waits until
 * fewer than that many of the webhook's requests are in flight in this process (pg-boss's group
 * limit, applied when jobs are fetched, can let a few more through when pollers fetch at once).
 */
export class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly webhooks = new Map<string, { active: number; waiting: (() => void)[] }>();
  constructor(readonly limit: number) {}

  async run<T>(fn: () => Promise<T>, webhook?: { id: string; limit: number }): Promise<T> {
    if (!webhook) return this.global(fn);
    let state = this.webhooks.get(webhook.id);
    if (!state) this.webhooks.set(webhook.id, (state = { active: 0, waiting: [] }));
    if (state.active >= webhook.limit) await new Promise<void>((resolve) => state.waiting.push(resolve));
    else state.active++;
    try {
      return await this.global(fn);
    } finally {
      const next = state.waiting.shift();
      if (next) next();
      else if (--state.active === 0) this.webhooks.delete(webhook.id);
    }
  }

  private async global<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** How the worker runs a job: a resend job's `manual` becomes the attempt's trigger. */
export function deliverOptionsOf(job: DeliverJob): DeliverOptions {
  return job.manual ? { trigger: { kind: "manual", userId: job.manual.userId } } : {};
}

const allowPrivate = () => process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS === "1";

function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * Counts one call against the company's daily limit; false when the limit is reached (the delivery
 * is then deferred to the next UTC day, never dropped).
 */
async function takeDailyCall(db: Database, companyId: string, now: Date): Promise<boolean> {
  const [row] = await db
    .insert(dailyUsage)
    .values({ companyId, day: utcDay(now), calls: 1 })
    .onConflictDoUpdate({ target: [dailyUsage.companyId, dailyUsage.day], set: { calls: sql`${dailyUsage.calls} + 1` } })
    .returning({ calls: dailyUsage.calls });
  const [company] = await db.select({ limit: companies.dailyCallLimit }).from(companies).where(eq(companies.id, companyId));
  return row.calls <= (company?.limit ?? Infinity);
}

/** This worker process, as written in deliveries.in_hand_by while it has them in hand. */
export const WORKER_INSTANCE = randomUUID();

/** Deaths a delivery was in hand at: other worker processes that took it and wrote no outcome. */
function crashesOf(delivery: Delivery): number {
  return new Set(delivery.inHandBy.filter((t) => t !== WORKER_INSTANCE)).size;
}

/** In hand at this many deaths, a delivery is set aside (failed, crashed_worker) rather than tried again. */
export const CRASHES_BEFORE_SET_ASIDE = 2;

function crashedOutcome(crashes: number): SendOutcome {
  return {
    ok: false,
    status: null,
    headers: {},
    body: "",
    bodyTruncated: false,
    durationMs: 0,
    error: { kind: "crashed_worker", message: `A delivery worker stopped unexpectedly ${crashes} times with this delivery in hand; it was set aside instead of being tried again` },
    retryAfterSeconds: null,
  };
}

/** SQL: this process joins the delivery's in_hand_by (once). */
const takeInHand = sql`case when ${WORKER_INSTANCE}::text = any(${deliveries.inHandBy}) then ${deliveries.inHandBy} else array_append(${deliveries.inHandBy}, ${WORKER_INSTANCE}::text) end`;

export function eventForDelivery(event: EventRow) {
  return { id: event.externalId, type: event.type, occurredAt: event.occurredAt.toISOString(), data: event.data, previous: event.previous };
}

/**
 * One delivery job. A plain job carries one delivery; a batch job (webhooks with a batch window)
 * carries the batch key and sends every delivery of that window as one JSON array. Either way:
 * claim (→ dispatched), build and send the request, log the attempt on each delivery, then
 * success, a scheduled retry (back to queued, with its job in the same transaction) or failed.
 */
export async function deliverWebhook(db: Database, boss: PgBoss, job: DeliverJob, options: DeliverOptions = {}): Promise<void> {
  const now = options.now?.() ?? new Date();
  const manual = options.trigger?.kind === "manual";

  let rows: { delivery: Delivery; event: EventRow }[];
  let webhook: Webhook | undefined;
  if (job.batchKey && job.webhookId) {
    [webhook] = await db.select().from(webhooks).where(eq(webhooks.id, job.webhookId));
    rows = await db
      .select({ delivery: deliveries, event: events })
      .from(deliveries)
      .innerJoin(events, eq(events.id, deliveries.eventId))
      .where(and(eq(deliveries.webhookId, job.webhookId), eq(deliveries.batchKey, job.batchKey), inArray(deliveries.status, ["queued", "dispatched"])))
      .orderBy(asc(events.occurredAt), asc(deliveries.createdAt));
  } else {
    const found = await db
      .select({ delivery: deliveries, event: events, webhook: webhooks })
      .from(deliveries)
      .innerJoin(webhooks, eq(webhooks.id, deliveries.webhookId))
      .innerJoin(events, eq(events.id, deliveries.eventId))
      .where(eq(deliveries.id, job.deliveryId!));
    webhook = found[0]?.webhook;
    rows = found.map(({ delivery, event }) => ({ delivery, event }));
    // A duplicate job after a crash, for a delivery already settled.
    if (!manual) rows = rows.filter((r) => r.delivery.status !== "success" && r.delivery.status !== "failed");
  }
  if (!webhook || rows.length === 0) return; // deleted (retention, webhook deleted) or already done
  const ids = rows.map((r) => r.delivery.id);

  if (!webhook.active && !manual) {
    await db.update(deliveries).set({ status: "skipped", deferredReason: webhook.disabledReason ?? "The webhook is switched off", completedAt: now }).where(inArray(deliveries.id, ids));
    return;
  }

  const config = webhookConfigOf(webhook);
  // In hand at two worker deaths already: set aside, not sent (a poison pill would kill every worker in turn).
  const crashes = manual ? 0 : Math.max(...rows.map((r) => crashesOf(r.delivery)));
  let built: BuiltRequest | null = null;
  let outcome: SendOutcome;
  if (crashes >= CRASHES_BEFORE_SET_ASIDE) {
    outcome = crashedOutcome(crashes);
  } else {
    if (!(await takeDailyCall(db, webhook.companyId, now))) {
      await deferToNextDay(db, boss, job, webhook.id, config, ids, now);
      return;
    }
    await db
      .update(deliveries)
      .set({ status: "dispatched", attempts: sql`${deliveries.attempts} + 1`, deferredReason: null, inHandBy: takeInHand })
      .where(inArray(deliveries.id, ids));
    ({ built, outcome } = await buildAndSend(db, webhook, config, rows, job, now, options.slots));
  }

  const attemptNumber = Math.max(...rows.map((r) => r.delivery.attempts)) + 1;
  const { retryIn, status, errorText, duration } = settle(outcome, config, attemptNumber, manual || crashes >= CRASHES_BEFORE_SET_ASIDE);

  await db.transaction(async (tx) => {
    await tx.insert(deliveryAttempts).values(rows.map((r) => attemptValues(r.delivery, webhook, config, built, outcome, duration, options.trigger)));
    await tx
      .update(deliveries)
      .set({
        status,
        lastStatusCode: outcome.status,
        lastError: errorText,
        lastDurationMs: duration,
        nextAttemptAt: retryIn !== null ? new Date(now.getTime() + retryIn * 1000) : null,
        completedAt: status === "queued" ? null : now,
        inHandBy: sql`'{}'::text[]`,
      })
      .where(inArray(deliveries.id, ids));
    await recordWebhookOutcome(tx, boss, webhook.id, config, now, outcome, outcome.status === 410, status === "failed" ? rows[rows.length - 1].delivery.id : null);
    // The retry's job is written with the outcome: a crash cannot leave a queued delivery without one.
    if (retryIn !== null) {
      await boss.send(QUEUES.deliverWebhook, job, { ...deliverJobOptions(webhook.id, config), startAfter: Math.max(1, Math.ceil(retryIn)), db: fromDrizzle(tx, sql) });
    }
  });
}

/**
 * The webhook's last outcome (shown in the listing), switched off after a 410 Gone, and for a
 * delivery that failed for good the failure email: throttled to one job per webhook per hour (a
 * later failure in the hour is deferred to the next slot and reports the count).
 */
async function recordWebhookOutcome(tx: Tx, boss: PgBoss, webhookId: string, config: WebhookConfig, now: Date, outcome: SendOutcome, gone: boolean, failedDeliveryId: string | null): Promise<void> {
  await tx
    .update(webhooks)
    .set({
      lastSentAt: now,
      lastStatus: outcome.ok ? "success" : "failed",
      lastStatusCode: outcome.status,
      failingSince: outcome.ok ? null : sql`coalesce(${webhooks.failingSince}, ${now.toISOString()}::timestamptz)`,
      ...(gone ? { active: false, disabledAt: now, disabledReason: GONE_REASON } : {}),
    })
    .where(eq(webhooks.id, webhookId));
  if (failedDeliveryId && config.notifyOnFailure) await notifyFailure(tx, boss, webhookId, failedDeliveryId);
}

const GONE_REASON = "The receiver answered 410 Gone: it no longer wants these requests";

async function notifyFailure(tx: Tx, boss: PgBoss, webhookId: string, deliveryId: string): Promise<void> {
  await boss.send(QUEUES.notifyFailure, { webhookId, deliveryId } satisfies NotifyFailureJob, {
    singletonKey: webhookId,
    singletonSeconds: 3600,
    singletonNextSlot: true,
    db: fromDrizzle(tx, sql),
  });
}

/** The daily limit is reached: back to queued until the next UTC day, with the job for then in the same transaction. */
async function deferToNextDay(db: Database, boss: PgBoss, job: DeliverJob, webhookId: string, config: WebhookConfig, ids: string[], now: Date): Promise<void> {
  const tomorrow = new Date(`${utcDay(new Date(now.getTime() + 86_400_000))}T00:00:00Z`);
  await db.transaction(async (tx) => {
    await tx
      .update(deliveries)
      .set({ status: "queued", nextAttemptAt: tomorrow, deferredReason: "Daily call limit reached: deferred to the next day", inHandBy: sql`'{}'::text[]` })
      .where(inArray(deliveries.id, ids));
    await boss.send(QUEUES.deliverWebhook, job, { ...deliverJobOptions(webhookId, config), startAfter: tomorrow, db: fromDrizzle(tx, sql) });
  });
}

/** Builds the request (one event, or a batch window's array) and sends it; a build failure is the attempt's outcome. */
type WebhookSecrets = { auth: ReturnType<typeof readAuthSecrets>; signing: string[] };

async function buildAndSend(db: Database, webhook: Webhook, config: WebhookConfig, rows: { delivery: Delivery; event: EventRow }[], job: DeliverJob, now: Date, slots?: Slots, secretsCache?: Map<string, WebhookSecrets>): Promise<{ built: BuiltRequest | null; outcome: SendOutcome }> {
  let built: BuiltRequest | null = null;
  try {
    // Decrypted once per webhook and batch.
    let cached = secretsCache?.get(webhook.id);
    if (!cached) {
      cached = { auth: readAuthSecrets(webhook), signing: signingSecretsOf(webhook, now) };
      secretsCache?.set(webhook.id, cached);
    }
    const secrets = cached.auth;
    const oauthAccessToken = config.auth.type === "oauth" ? await getOAuthAccessToken(db, webhook.companyId, config.auth.credentialId, { now }) : undefined;
    const deliveryEvents = rows.map((r) => eventForDelivery(r.event));
    // The company's templates render in the sandbox (lib/sandbox), never on this event loop.
    const rendered = await renderInSandbox(sandboxRender, webhook.companyId, config, deliveryEvents, !!job.batchKey);
    const ctx = {
      deliveryId: rows[0].delivery.id,
      webhookId: webhook.id,
      timestamp: now,
      signingSecrets: cached.signing,
      secrets: { ...secrets, oauthAccessToken },
      rendered,
    };
    built = job.batchKey ? buildBatchRequest(config, deliveryEvents, ctx) : buildRequest(config, deliveryEvents[0], ctx);
    const request = { method: built.method, url: built.url, headers: built.headers, body: built.body };
    const send = () => sendSafely(request, { timeoutMs: config.timeoutSeconds * 1000, allowPrivate: allowPrivate() });
    const outcome = await (slots ? slots.run(send, { id: webhook.id, limit: config.maxConcurrency }) : send());
    return { built, outcome };
  } catch (err) {
    // Building failed (OAuth token refused, bad template …): the attempt fails with that reason.
    const message = err instanceof Error ? err.message : String(err);
    const kind = err instanceof BuildRequestError && (err.code === "template" || err.code === "template_limit") ? err.code : "other";
    return { built, outcome: { ok: false, status: null, headers: {}, body: "", bodyTruncated: false, durationMs: 0, error: { kind, message }, retryAfterSeconds: null } };
  }
}

/** What an outcome means for the delivery: success, a retry in `retryIn` seconds (queued), or failed for good. */
function settle(outcome: SendOutcome, config: WebhookConfig, attemptNumber: number, manual: boolean) {
  const retryIn = outcome.ok || outcome.status === 410 || manual ? null : nextRetryDelaySeconds(config.retryPolicy, attemptNumber, outcome.retryAfterSeconds);
  const status: "success" | "queued" | "failed" = outcome.ok ? "success" : retryIn !== null ? "queued" : "failed";
  const errorText = outcome.error ? `${outcome.error.kind}: ${outcome.error.message}` : null;
  return { retryIn, status, errorText, duration: Math.round(outcome.durationMs) };
}

/** The attempt log row of one delivery. */
function attemptValues(delivery: Delivery, webhook: Webhook, config: WebhookConfig, built: BuiltRequest | null, outcome: SendOutcome, duration: number, trigger: DeliverOptions["trigger"]) {
  return {
    deliveryId: delivery.id,
    companyId: delivery.companyId,
    attemptNumber: delivery.attempts + 1,
    trigger: trigger?.kind === "manual" ? "manual" : "auto",
    triggeredBy: trigger?.userId ?? null,
    requestMethod: built?.method ?? config.method,
    requestUrl: built?.maskedUrl ?? webhook.url,
    requestHeaders: built?.maskedHeaders ?? {},
    requestBody: built?.body ?? null,
    responseStatus: outcome.status,
    responseHeaders: outcome.status === null ? null : outcome.headers,
    responseBody: outcome.status === null ? null : outcome.body,
    durationMs: duration,
    errorKind: outcome.error?.kind ?? null,
    errorMessage: outcome.error?.message ?? null,
  };
}

export interface DeliverJobResult {
  id: string;
  status: "completed" | "failed";
  output?: { error: string };
}

/**
 * A batch of delivery jobs as the worker fetches them, each settled on its own. Plain automatic jobs
 * (one delivery each) go the batched way: one query loads them all, one upsert per company counts
 * the daily calls, one update marks them dispatched, the requests go out at once, and their outcomes
 * are logged in as few transactions as the answers allow (every attempt in one insert, every
 * delivery in one update, each webhook once, the retries' jobs in one insert). Outcomes are written
 * in waves as answers come in: a slow receiver's request does not hold back the others' outcomes,
 * and with `settleEarly` the jobs of a wave are completed at once, so that pg-boss's per-webhook group
 * limit counts only the jobs still in flight. A batch window's job, a manual resend, a switched-off
 * webhook and an OAuth webhook go through deliverWebhook one by one, as before.
 */
export async function deliverWebhookJobs(db: Database, boss: PgBoss, jobs: DeliverJobInHand[], options: { now?: () => Date; slots?: Slots; settleEarly?: SettleEarly } = {}): Promise<DeliverJobResult[]> {
  const results = new Map<string, DeliverJobResult>();
  const failedResult = (id: string, err: unknown): DeliverJobResult => ({ id, status: "failed", output: { error: err instanceof Error ? err.message : String(err) } });
  const plain = new Map<string, { id: string; retryCount?: number; data: DeliverJob }>();
  const single: { id: string; data: DeliverJob }[] = [];
  for (const job of jobs) {
    const deliveryId = job.data.deliveryId;
    if (deliveryId && !job.data.batchKey && !job.data.manual) {
      // A second job for a delivery already in this batch (a crash's duplicate) has nothing left to do.
      if (plain.has(deliveryId)) results.set(job.id, { id: job.id, status: "completed" });
      else plain.set(deliveryId, job);
    } else single.push(job);
  }
  // The jobs that go one by one start at once, beside the batched ones: waiting for a slow receiver
  // in the batch could outlast their own expiry (timeout + 30 s) and have them sent twice.
  const running: Promise<void>[] = [];
  const startOneByOne = (list: { id: string; data: DeliverJob }[]) => {
    for (const job of list) {
      running.push(
        (async () => {
          try {
            await deliverWebhook(db, boss, job.data, { ...deliverOptionsOf(job.data), now: options.now, slots: options.slots });
            results.set(job.id, { id: job.id, status: "completed" });
          } catch (err) {
            results.set(job.id, failedResult(job.id, err));
          }
        })(),
      );
    }
  };
  startOneByOne(single);
  if (plain.size) {
    const written = new Set<string>();
    try {
      const oneByOne = await deliverPlainJobs(db, boss, [...plain.values()], options.now?.() ?? new Date(), options.slots, written, options.settleEarly, startOneByOne);
      for (const job of plain.values()) if (!oneByOne.includes(job)) results.set(job.id, { id: job.id, status: "completed" });
    } catch (err) {
      // pg-boss retries the jobs whose outcome is not written (a database error, most likely): at
      // least once, as with one job at a time.
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
      console.error(`[deliver-webhook] ${plain.size - written.size} of a batch of ${plain.size} failed and will be retried: ${cause}`);
      for (const job of plain.values()) results.set(job.id, written.has(job.id) ? { id: job.id, status: "completed" } : failedResult(job.id, err));
    }
  }
  await Promise.all(running);
  return jobs.map((j) => results.get(j.id) ?? { id: j.id, status: "completed" });
}

/**
 * With `settleEarly` (the worker's dispatcher) each wave's jobs are completed in pg-boss as soon as
 * their outcomes are written, and their ids handed to it: the webhook's group counts only the jobs
 * still in flight, and the dispatcher's room for the next fetch comes back at once.
 */
export type SettleEarly = (jobIds: string[]) => void;

type DeliverJobInHand = { id: string; retryCount?: number; data: DeliverJob };

/** A plain job's delivery, its request's answer and what that means for the delivery. */
type Sent = { job: { id: string; retryCount?: number; data: DeliverJob }; delivery: Delivery; event: EventRow; webhook: Webhook; config: WebhookConfig; built: BuiltRequest | null; outcome: SendOutcome } & ReturnType<typeof settle>;

/**
 * How long a wave waits for more answers once the first is in (unless every request has answered):
 * answers a few milliseconds apart share one write.
 */
const WAVE_WINDOW_MS = 20;

/** What this process last wrote to each webhook's row (see deliverPlainJobs). */
const lastWritten = new Map<string, { ok: boolean; code: number | null; at: number }>();

/**
 * A batch's deliveries with their events and webhooks: one array parameter, so one statement text
 * for any batch size, prepared once per connection (see executePrepared).
 */
const loadBatches = new WeakMap<Database, ReturnType<typeof prepareLoadBatch>>();
function prepareLoadBatch(db: Database) {
  return db
    .select({ delivery: deliveries, event: events, webhook: webhooks })
    .from(deliveries)
    .innerJoin(webhooks, eq(webhooks.id, deliveries.webhookId))
    .innerJoin(events, eq(events.id, deliveries.eventId))
    .where(sql`${deliveries.id} = any(${sql.placeholder("ids")}::uuid[])`)
    .prepare("deliver_webhook_load_batch");
}
function loadBatch(db: Database) {
  let prepared = loadBatches.get(db);
  if (!prepared) loadBatches.set(db, (prepared = prepareLoadBatch(db)));
  return prepared;
}

/**
 * The batched path of deliverWebhookJobs; hands the jobs it leaves to deliverWebhook to `startOneByOne`
 * as soon as it has loaded them (and returns them), and adds to
 * `written` the jobs whose outcome is written.
 */
async function deliverPlainJobs(
  db: Database,
  boss: PgBoss,
  jobs: { id: string; retryCount?: number; data: DeliverJob }[],
  now: Date,
  slots: Slots | undefined,
  written: Set<string>,
  settleEarly: SettleEarly | undefined,
  startOneByOne: (jobs: { id: string; data: DeliverJob }[]) => void,
): Promise<{ id: string; data: DeliverJob }[]> {
  const found = await loadBatch(db).execute({ ids: `{${jobs.map((j) => j.data.deliveryId!).join(",")}}` });
  const byDelivery = new Map(found.map((r) => [r.delivery.id, r]));
  const configs = new Map<string, WebhookConfig>();
  const oneByOne: { id: string; data: DeliverJob }[] = [];
  type Item = { job: { id: string; retryCount?: number; data: DeliverJob }; delivery: Delivery; event: EventRow; webhook: Webhook; config: WebhookConfig };
  let items: Item[] = [];
  const setAside: Sent[] = [];
  for (const job of jobs) {
    const row = byDelivery.get(job.data.deliveryId!);
    // Deleted (retention, webhook deleted) or already settled (a duplicate job after a crash): done.
    if (!row || row.delivery.status === "success" || row.delivery.status === "failed") continue;
    if (!row.webhook.active) {
      oneByOne.push(job);
      continue;
    }
    let config = configs.get(row.webhook.id);
    if (!config) configs.set(row.webhook.id, (config = webhookConfigOf(row.webhook)));
    const crashes = crashesOf(row.delivery);
    if (crashes >= CRASHES_BEFORE_SET_ASIDE) {
      // In hand at two worker deaths already: set aside, not sent (its outcome is written with the first wave).
      const outcome = crashedOutcome(crashes);
      setAside.push({ job, ...row, config, built: null, outcome, ...settle(outcome, config, row.delivery.attempts + 1, true) });
    } else if (config.auth.type === "oauth") oneByOne.push(job);
    else items.push({ job, ...row, config });
  }
  startOneByOne(oneByOne);
  if (items.length === 0 && setAside.length === 0) return oneByOne;

  // Per company one statement counts the calls against the daily limit and marks those within it
  // dispatched (attempts + 1); the calls past the limit are deferred to the next day.
  const byCompany = new Map<string, Item[]>();
  for (const item of items) byCompany.set(item.webhook.companyId, [...(byCompany.get(item.webhook.companyId) ?? []), item]);
  const dispatched = new Set<string>();
  for (const [companyId, list] of byCompany) {
    const ids = list.map((i) => i.delivery.id);
    const result = await executePrepared<{ id: string }>(db, sql`
      with usage as (
        insert into ${dailyUsage} (company_id, day, calls) values (${companyId}::uuid, ${utcDay(now)}, ${list.length})
        on conflict (company_id, day) do update set calls = ${dailyUsage}.calls + excluded.calls
        returning calls
      ), allowed as (
        select greatest(0, least(${list.length}::int, c.daily_call_limit - (u.calls - ${list.length}::int))) as n
        from usage u, ${companies} c where c.id = ${companyId}::uuid
      )
      update ${deliveries} set status = 'dispatched', attempts = attempts + 1, deferred_reason = null,
        in_hand_by = case when ${WORKER_INSTANCE}::text = any(in_hand_by) then in_hand_by else array_append(in_hand_by, ${WORKER_INSTANCE}::text) end
      where id = any((${`{${ids.join(",")}}`}::uuid[])[1:(select n from allowed)])
      returning id`);
    for (const row of result) dispatched.add(row.id);
  }
  const deferred = items.filter((i) => !dispatched.has(i.delivery.id));
  for (const item of deferred) await deferToNextDay(db, boss, item.job.data, item.webhook.id, item.config, [item.delivery.id], now);
  items = items.filter((i) => dispatched.has(i.delivery.id));
  if (items.length === 0 && setAside.length === 0) return oneByOne;

  const secretsCache = new Map<string, WebhookSecrets>();
  const answered: Sent[] = [...setAside];
  const total = items.length + setAside.length;
  let wake: (() => void) | null = null;
  const all = Promise.all(
    items.map(async (item) => {
      // buildAndSend turns every failure into the attempt's outcome, so each item answers exactly once.
      const { built, outcome } = await buildAndSend(db, item.webhook, item.config, [item], item.job.data, now, slots, secretsCache);
      answered.push({ ...item, built, outcome, ...settle(outcome, item.config, item.delivery.attempts + 1, false) });
      wake?.();
    }),
  );
  all.catch(() => {});
  // Waves: wait for an answer, give the others a moment, write what has come in; until all are in.
  const started = Date.now();
  let left = total;
  while (left > 0) {
    if (answered.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
    if (answered.length < left) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, WAVE_WINDOW_MS)))]);
      clearTimeout(timer);
    }
    const wave = answered.splice(0);
    left -= wave.length;
    // A later wave's times are as late as its answers (on the injectable clock too).
    const waveNow = wave.length === total ? now : new Date(now.getTime() + (Date.now() - started));
    await writeOutcomes(db, boss, wave, waveNow);
    for (const s of wave) written.add(s.job.id);
    // Otherwise the caller settles the whole batch when this returns.
    if (!settleEarly) continue;
    await boss.complete(QUEUES.deliverWebhook, wave.map((s) => ({ id: s.job.id, retryCount: s.job.retryCount ?? 0 })));
    settleEarly(wave.map((s) => s.job.id));
  }
  return oneByOne;
}

/** Logs a wave of answers: attempts, deliveries, their webhooks, retries' jobs and failure emails. */
async function writeOutcomes(db: Database, boss: PgBoss, sent: Sent[], now: Date): Promise<void> {
  const byWebhook = new Map<string, typeof sent>();
  for (const s of sent) byWebhook.set(s.webhook.id, [...(byWebhook.get(s.webhook.id) ?? []), s]);
  // One row per delivery: its attempt and its outcome, passed as one JSON parameter so that the
  // statement's text is the same for every wave (prepared once per connection, one round trip).
  const rows = sent.map((s) => {
    const a = attemptValues(s.delivery, s.webhook, s.config, s.built, s.outcome, s.duration, undefined);
    return {
      ...a,
      status: s.status,
      last_error: s.errorText,
      next_at: s.retryIn !== null ? new Date(now.getTime() + s.retryIn * 1000).toISOString() : null,
      completed_at: s.status === "queued" ? null : now.toISOString(),
    };
  });
  // Each webhook shows its last outcome in this batch; a 410 anywhere in it switches the webhook off.
  // Its row is written when that outcome differs from what this process wrote last, or a second
  // later: every batch writing it would queue all batches behind one row lock.
  const nowMs = Date.now();
  const webhookRows = [...byWebhook]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([webhookId, list]) => {
      const last = list[list.length - 1].outcome;
      const gone = list.some((s) => s.outcome.status === 410);
      const written = lastWritten.get(webhookId);
      if (!gone && written && written.ok === last.ok && written.code === last.status && nowMs - written.at < 1000) return [];
      if (lastWritten.size > 10_000) lastWritten.clear();
      lastWritten.set(webhookId, { ok: last.ok, code: last.status, at: nowMs });
      return [{ id: webhookId, ok: last.ok, code: last.status, gone }];
    });
  // Attempts, outcomes and webhooks in one statement (its parts commit together).
  const write = sql`
    with v as (
      select * from jsonb_to_recordset(${jsonParam(rows)}::jsonb) as v(
        "deliveryId" uuid, "companyId" uuid, "attemptNumber" int, trigger text, "requestMethod" text, "requestUrl" text,
        "requestHeaders" jsonb, "requestBody" text, "responseStatus" int, "responseHeaders" jsonb, "responseBody" text,
        "durationMs" int, "errorKind" text, "errorMessage" text, status text, last_error text, next_at timestamptz, completed_at timestamptz)
    ), attempts as (
      insert into ${deliveryAttempts} (delivery_id, company_id, attempt_number, trigger, request_method, request_url, request_headers, request_body, response_status, response_headers, response_body, duration_ms, error_kind, error_message)
      select "deliveryId", "companyId", "attemptNumber", trigger, "requestMethod", "requestUrl", "requestHeaders", "requestBody", "responseStatus", "responseHeaders", "responseBody", "durationMs", "errorKind", "errorMessage" from v
    ), hooks as (
      update ${webhooks} as w
      set last_sent_at = ${now.toISOString()}::timestamptz,
          last_status = case when h.ok then 'success' else 'failed' end,
          last_status_code = h.code,
          failing_since = case when h.ok then null else coalesce(w.failing_since, ${now.toISOString()}::timestamptz) end,
          active = w.active and not h.gone,
          disabled_at = case when h.gone then ${now.toISOString()}::timestamptz else w.disabled_at end,
          disabled_reason = case when h.gone then ${GONE_REASON} else w.disabled_reason end
      from jsonb_to_recordset(${jsonParam(webhookRows)}::jsonb) as h(id uuid, ok boolean, code int, gone boolean)
      where w.id = any(array(select id from jsonb_to_recordset(${jsonParam(webhookRows)}::jsonb) as i(id uuid))) and w.id = h.id
    )
    update ${deliveries} as d
    set status = v.status, last_status_code = v."responseStatus", last_error = v.last_error, last_duration_ms = v."durationMs", next_attempt_at = v.next_at, completed_at = v.completed_at,
        in_hand_by = '{}'::text[]
    from v
    -- The ids as an array too: a prepared statement's generic plan guesses 100 rows for the JSON and
    -- would rather scan the whole table than look each one up (7.8 ms a wave at 40,000 deliveries).
    where d.id = any(array(select "deliveryId" from v)) and d.id = v."deliveryId"`;
  const retries = sent.filter((s) => s.retryIn !== null);
  const failures = [...byWebhook].flatMap(([webhookId, list]) => {
    const failed = list.filter((s) => s.status === "failed");
    return failed.length && list[0].config.notifyOnFailure ? [{ webhookId, deliveryId: failed[failed.length - 1].delivery.id }] : [];
  });
  if (webhookRows.length === 0 && retries.length === 0 && failures.length === 0) {
    await executePrepared(db, write);
    return;
  }
  // Retry jobs and failure emails are written with the outcomes: a crash cannot leave a queued delivery without its job.
  await db.transaction(async (tx) => {
    // The webhooks' rows first and in id order: concurrent batches never wait for each other in a
    // circle. `for no key update`, the lock the update takes anyway: new deliveries' foreign-key
    // checks (for key share) on these rows, i.e. the events API, do not wait for it.
    if (webhookRows.length) await executePrepared(tx, sql`select 1 from ${webhooks} where id = any(${`{${webhookRows.map((w) => w.id).join(",")}}`}::uuid[]) order by id for no key update`);
    await executePrepared(tx, write);
    if (retries.length) {
      await boss.insert(
        QUEUES.deliverWebhook,
        retries.map((s) => ({ data: s.job.data, ...deliverJobOptions(s.webhook.id, s.config), startAfter: Math.max(1, Math.ceil(s.retryIn!)) })),
        { db: fromDrizzle(tx, sql) },
      );
    }
    for (const f of failures) await notifyFailure(tx, boss, f.webhookId, f.deliveryId);
  });
}
