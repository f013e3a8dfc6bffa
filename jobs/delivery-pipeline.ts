import { randomUUID } from "node:crypto";
import type { PgBoss } from "pg-boss";
import { pipelinedTransaction, preparedBossDb, type Database, type DbOrTx } from "@/db";
import type { Delivery, EventRow, Webhook } from "@/db/schema";
import {
  deferDeliveries,
  dispatchWithinLimits,
  loadBatchWindow,
  loadDeliveries,
  lockWebhooks,
  markDispatched,
  nextUtcDay,
  skipDeliveries,
  writeOutcomes as writeOutcomeRows,
  type OutcomeRow,
} from "@/db/queries/delivery-state";
import {
  buildBatchRequest,
  buildRequest,
  BuildRequestError,
  renderInSandbox,
  type BuiltRequest,
} from "@/lib/delivery/build-request";
import { sendSafely, type SendOutcome } from "@/lib/delivery/http-client";
import { getOAuthAccessToken, OAuthReconnectNeededError } from "@/lib/delivery/oauth";
import { nextRetryDelaySeconds } from "@/lib/delivery/retry";
import { outboundPolicy } from "@/lib/env";
import { countDeliveries, recordAttempts } from "@/lib/metrics";
import { errorFields, log } from "@/lib/log";
import { contextFromTraceparent, failSpan, inSpan, SpanKind, tracingOn } from "@/lib/tracing";
import { sandboxRender } from "@/lib/sandbox/render-pool";
import type { WebhookConfig } from "@/lib/validations/webhook";
import { readAuthSecrets, signingSecretsOf, webhookConfigOf } from "@/lib/webhooks";
import {
  companyGroup,
  deliverJobOptions,
  deliverWebhook,
  enqueue,
  enqueueMany,
  notifyFailure,
  type DeliverJob,
  type NotifyFailureJob,
} from "./definitions";
import type { Slots } from "./slots";

/**
 * The delivery pipeline: one path for every delivery job. A job becomes an item — one delivery, or a
 * batch window's deliveries sent as one call — whose kind (plain, batch window, manual resend,
 * OAuth, switched off) is a property, not another code path. For a batch of jobs as the worker
 * fetches them:
 *
 *   load (one query for every delivery-id job; one per batch window) → set aside what is settled,
 *   switched off (skipped) or was in hand at two worker deaths (failed, crashed_worker) → per
 *   company one short transaction counts the calls against the plan's limits (calls a day, calls a day
 *   per webhook owner) and the company's daily limit and marks those within them dispatched (the rest
 *   deferred to the next UTC day with the reason; all skipped when the plan has no webhooks) → every
 *   request goes out at once (templates rendered in the sandbox, OAuth tokens fetched, at most the
 *   process's and each webhook's share of requests in flight: Slots) → outcomes written in waves as
 *   answers come in: attempts, deliveries and webhooks in one statement, retry jobs and failure emails
 *   in the same transaction.
 *
 * With `settleEarly` (the worker's fetch loop) each wave's jobs are completed in pg-boss as soon as
 * their outcomes are written: a webhook's group then counts only what is still in flight. The SQL
 * that changes delivery state is in db/queries/delivery-state.ts.
 */

export type JobInHand = { id: string; retryCount?: number; data: DeliverJob };

export interface DeliverJobResult {
  id: string;
  status: "completed" | "failed";
  output?: { error: string };
}

/** Completes a wave's jobs early (see above): called with their ids once they are completed in pg-boss. */
export type SettleEarly = (jobIds: string[]) => void;

export interface PipelineOptions {
  /** Injectable clock for tests. */
  now?: () => Date;
  /** The process's request slots (the worker's DELIVERY_MAX_REQUESTS and each webhook's max concurrency). */
  slots?: Slots;
  settleEarly?: SettleEarly;
}

/** This worker process, as written in deliveries.in_hand_by while it has them in hand. */
export const WORKER_INSTANCE = randomUUID();
/** In hand at this many worker deaths, a delivery is set aside (failed, crashed_worker) rather than tried again. */
export const CRASHES_BEFORE_SET_ASIDE = 2;
const GONE_REASON = "The receiver answered 410 Gone: it no longer wants these requests";
/** How long a wave waits for more answers once the first is in (unless every request has answered). */
const WAVE_WINDOW_MS = 20;
/**
 * A request still unanswered this long after the round's requests went out has its delivery marked dispatched
 * (the history shows it being sent; a resend waits for it). Answers within it are written straight from queued.
 */
export const DISPATCHED_AFTER_MS = 250;

type Row = { delivery: Delivery; event: EventRow };

/** One call to a webhook: one delivery, or a batch window's. */
interface Item {
  job: JobInHand;
  webhook: Webhook;
  config: WebhookConfig;
  rows: Row[];
  /** A resend asked for by this user: sent once, no retries, logged as manual. */
  manual: { userId: string } | null;
  batchKey: string | null;
}

/** An item with its answer and what that means for its deliveries. */
interface Answered extends Item {
  built: BuiltRequest | null;
  outcome: SendOutcome;
  retryIn: number | null;
  status: "success" | "queued" | "failed";
  errorText: string | null;
  duration: number;
}

export function eventForDelivery(event: EventRow) {
  return {
    id: event.externalId,
    type: event.type,
    occurredAt: event.occurredAt.toISOString(),
    data: event.data,
    previous: event.previous,
  };
}

/**
 * Deaths a delivery was in hand at. A delivery is marked in hand (`in_hand_by`) before its request only when its
 * job failed before (`retryCount` > 0: pg-boss hands a dead worker's jobs back, failed, once their heartbeat
 * stops), or once its answer is slow (DISPATCHED_AFTER_MS); a worker that dies within a quick round leaves no
 * mark, only its job's failure. So: the other worker processes in `in_hand_by`, plus the one unmarked failure
 * the job may have had before any mark (a job's first failure; every later taker marks before sending).
 */
function crashesOf(delivery: Delivery, retryCount: number): number {
  const marked = new Set(delivery.inHandBy.filter((t) => t !== WORKER_INSTANCE)).size;
  return Math.max(marked, Math.min(retryCount, marked + 1));
}

function failure(kind: NonNullable<SendOutcome["error"]>["kind"], message: string): SendOutcome {
  return {
    ok: false,
    status: null,
    headers: {},
    body: "",
    bodyTruncated: false,
    durationMs: 0,
    error: { kind, message },
    retryAfterSeconds: null,
  };
}

/** What an outcome means: success, a retry in `retryIn` seconds (queued), or failed for good. */
function settle(outcome: SendOutcome, config: WebhookConfig, attemptNumber: number, noRetry: boolean) {
  const retryIn =
    outcome.ok || outcome.status === 410 || noRetry
      ? null
      : nextRetryDelaySeconds(config.retryPolicy, attemptNumber, outcome.retryAfterSeconds);
  const status: "success" | "queued" | "failed" = outcome.ok ? "success" : retryIn !== null ? "queued" : "failed";
  const errorText = outcome.error ? `${outcome.error.kind}: ${outcome.error.message}` : null;
  return { retryIn, status, errorText, duration: Math.round(outcome.durationMs) };
}

function answer(item: Item, built: BuiltRequest | null, outcome: SendOutcome, noRetry = false): Answered {
  const attemptNumber = Math.max(...item.rows.map((r) => r.delivery.attempts)) + 1;
  return { ...item, built, outcome, ...settle(outcome, item.config, attemptNumber, noRetry || item.manual !== null) };
}

type WebhookSecrets = { auth: ReturnType<typeof readAuthSecrets>; signing: string[] };

/** The ids that name an item in its span and log lines (never a URL, a header or a body). */
function itemIds(item: Item) {
  const { delivery, event } = item.rows[0];
  return {
    deliveryId: delivery.id,
    webhookId: item.webhook.id,
    companyId: item.webhook.companyId,
    eventId: event.externalId,
    attempt: Math.max(...item.rows.map((r) => r.delivery.attempts)) + 1,
    ...(item.rows.length > 1 ? { batchSize: item.rows.length } : {}),
  };
}

/**
 * buildAndSend in the item's `deliver-webhook` span (tracing on), a child of the span that queued its job (the
 * events intake's, from the job's traceparent): the request's span is its child.
 */
function buildAndSendTraced(
  db: Database,
  item: Item,
  now: Date,
  slots: Slots | undefined,
  secretsCache: Map<string, WebhookSecrets>,
): Promise<Answered> {
  if (!tracingOn()) return buildAndSend(db, item, now, slots, secretsCache);
  const ids = itemIds(item);
  const attributes = {
    "hookrelay.delivery.id": ids.deliveryId,
    "hookrelay.webhook.id": ids.webhookId,
    "hookrelay.company.id": ids.companyId,
    "hookrelay.event.id": ids.eventId,
    "hookrelay.attempt": ids.attempt,
    "hookrelay.deliveries": item.rows.length,
  };
  return inSpan(
    "deliver-webhook",
    { kind: SpanKind.CONSUMER, attributes, parent: contextFromTraceparent(item.job.data.traceparent) },
    async (span) => {
      const answered = await buildAndSend(db, item, now, slots, secretsCache, attributes);
      span?.setAttribute("hookrelay.outcome", answered.status);
      if (answered.outcome.status !== null) span?.setAttribute("http.response.status_code", answered.outcome.status);
      if (answered.outcome.error) {
        span?.setAttribute("error.type", answered.outcome.error.kind);
        failSpan(span, answered.outcome.error.kind);
      }
      return answered;
    },
  );
}

/** Builds the item's request (templates in the sandbox) and sends it; a build failure is the attempt's outcome. */
async function buildAndSend(
  db: Database,
  item: Item,
  now: Date,
  slots: Slots | undefined,
  secretsCache: Map<string, WebhookSecrets>,
  spanAttributes?: Record<string, string | number>,
): Promise<Answered> {
  const { webhook, config } = item;
  let built: BuiltRequest | null = null;
  try {
    // Decrypted once per webhook and batch.
    let cached = secretsCache.get(webhook.id);
    if (!cached)
      secretsCache.set(
        webhook.id,
        (cached = { auth: readAuthSecrets(webhook), signing: signingSecretsOf(webhook, now) }),
      );
    const oauthAccessToken =
      config.auth.type === "oauth"
        ? await getOAuthAccessToken(db, webhook.companyId, config.auth.credentialId, { now })
        : undefined;
    const deliveryEvents = item.rows.map((r) => eventForDelivery(r.event));
    // The company's templates render in the sandbox (lib/sandbox), never on this event loop.
    const rendered = await renderInSandbox(
      sandboxRender,
      webhook.companyId,
      config,
      deliveryEvents,
      item.batchKey !== null,
    );
    const ctx = {
      deliveryId: item.rows[0].delivery.id,
      webhookId: webhook.id,
      timestamp: now,
      signingSecrets: cached.signing,
      secrets: { ...cached.auth, oauthAccessToken },
      rendered,
    };
    built =
      item.batchKey !== null
        ? buildBatchRequest(config, deliveryEvents, ctx)
        : buildRequest(config, deliveryEvents[0], ctx);
    const request = { method: built.method, url: built.url, headers: built.headers, body: built.body };
    const send = () =>
      sendSafely(request, { timeoutMs: config.timeoutSeconds * 1000, ...outboundPolicy(), spanAttributes });
    return answer(
      item,
      built,
      await (slots ? slots.run(send, { id: webhook.id, limit: config.maxConcurrency }) : send()),
    );
  } catch (err) {
    // Building failed (OAuth token refused, bad template …): the attempt fails with that reason.
    const message = err instanceof Error ? err.message : String(err);
    const kind =
      err instanceof BuildRequestError && (err.code === "template" || err.code === "template_limit")
        ? err.code
        : err instanceof OAuthReconnectNeededError
          ? "oauth_reconnect_needed"
          : "other";
    return answer(item, built, failure(kind, message));
  }
}

/** What this process last wrote to each webhook's row (see writeWave). */
const lastWritten = new Map<string, { ok: boolean; code: number | null; at: number }>();

/**
 * Queues a failure email about this attempt (jobs/notify-failure.ts): at most one job per webhook and kind per hour
 * slot (a second goes to the next slot, where the hourly check turns it into the hour's summary), in the company's
 * group so a burst of one company's notices never holds up another's.
 */
async function queueFailureEmail(tx: DbOrTx, boss: PgBoss, notice: FailureNotice): Promise<void> {
  await enqueue(boss, tx, notifyFailure, notice, {
    singletonKey: `${notice.kind}:${notice.webhookId}`,
    singletonSeconds: 3600,
    singletonNextSlot: true,
    ...companyGroup(notice.companyId),
  });
}

type FailureNotice = Required<NotifyFailureJob>;

/**
 * The failure emails a wave asks for, one per webhook and kind (its last delivery in the wave): "failed" for a
 * delivery out of retries, "first_failure" for one whose first attempt failed and that will be retried (a manual
 * resend is never retried, and a delivery that had an outcome before is not at its first failure).
 */
function failureNotices(byWebhook: Map<string, Answered[]>): FailureNotice[] {
  return [...byWebhook].flatMap(([webhookId, list]) => {
    if (!list[0].config.notifyOnFailure) return [];
    const notice = (kind: FailureNotice["kind"], a: Answered | undefined): FailureNotice[] => {
      if (!a) return [];
      const { delivery } = a.rows[a.rows.length - 1];
      return [
        {
          kind,
          webhookId,
          companyId: delivery.companyId,
          deliveryId: delivery.id,
          attemptNumber: delivery.attempts + 1,
        },
      ];
    };
    const firstFailure = (a: Answered) =>
      a.status === "queued" &&
      !a.manual &&
      a.rows.every((r) => r.delivery.lastStatusCode === null && r.delivery.lastError === null);
    return [
      ...notice(
        "failed",
        list.findLast((a) => a.status === "failed"),
      ),
      ...notice("first_failure", list.findLast(firstFailure)),
    ];
  });
}

/**
 * Logs a wave of answers: attempts, deliveries and their webhooks in one statement; retry jobs and
 * failure emails (throttled to one job per webhook per hour) with them in one transaction, so a
 * crash cannot leave a queued delivery without its job.
 */
async function writeWave(db: Database, boss: PgBoss, wave: Answered[], now: Date, complete: boolean): Promise<void> {
  const rows: OutcomeRow[] = wave.flatMap((a) =>
    a.rows.map(({ delivery }) => ({
      deliveryId: delivery.id,
      companyId: delivery.companyId,
      attemptNumber: delivery.attempts + 1,
      trigger: a.manual ? ("manual" as const) : ("auto" as const),
      triggeredBy: a.manual?.userId ?? null,
      requestMethod: a.built?.method ?? a.config.method,
      requestUrl: a.built?.maskedUrl ?? a.webhook.url,
      requestHeaders: a.built?.maskedHeaders ?? {},
      requestBody: a.built?.maskedBody ?? null,
      responseStatus: a.outcome.status,
      responseHeaders: a.outcome.status === null ? null : a.outcome.headers,
      responseBody: a.outcome.status === null ? null : a.outcome.body,
      durationMs: a.duration,
      errorKind: a.outcome.error?.kind ?? null,
      errorMessage: a.outcome.error?.message ?? null,
      status: a.status,
      last_error: a.errorText,
      next_at: a.retryIn !== null ? new Date(now.getTime() + a.retryIn * 1000).toISOString() : null,
      completed_at: a.status === "queued" ? null : now.toISOString(),
    })),
  );
  const byWebhook = new Map<string, Answered[]>();
  for (const a of wave) byWebhook.set(a.webhook.id, [...(byWebhook.get(a.webhook.id) ?? []), a]);
  // Each webhook shows its last outcome in this wave; a 410 anywhere in it switches the webhook off.
  // Its row is written when that outcome differs from what this process wrote last, or a second
  // later: every wave writing it would queue all waves behind one row lock.
  const nowMs = Date.now();
  const webhookRows = [...byWebhook]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([id, list]) => {
      const last = list[list.length - 1].outcome;
      const gone = list.some((a) => a.outcome.status === 410);
      const written = lastWritten.get(id);
      if (!gone && written && written.ok === last.ok && written.code === last.status && nowMs - written.at < 1000)
        return [];
      if (lastWritten.size > 10_000) lastWritten.clear();
      lastWritten.set(id, { ok: last.ok, code: last.status, at: nowMs });
      return [{ id, ok: last.ok, code: last.status, gone }];
    });
  const retries = wave.filter((a) => a.retryIn !== null);
  const failures = failureNotices(byWebhook);
  if (!complete && webhookRows.length === 0 && retries.length === 0 && failures.length === 0) {
    await writeOutcomeRows(db, rows, webhookRows, now, GONE_REASON);
    return recordAttempts(wave);
  }
  // One transaction, its statements sent together (pipelinedTransaction): the webhooks' row locks, the outcomes and,
  // in the worker's fetch loop, the wave's jobs completed in pg-boss — written and completed at once, or neither.
  await pipelinedTransaction(db, async (tx) => {
    await Promise.all([
      lockWebhooks(
        tx,
        webhookRows.map((w) => w.id),
      ),
      writeOutcomeRows(tx, rows, webhookRows, now, GONE_REASON),
      complete
        ? boss.complete(
            deliverWebhook.name,
            wave.map((a) => ({ id: a.job.id, retryCount: a.job.retryCount ?? 0 })),
            null,
            { db: preparedBossDb(tx) },
          )
        : null,
    ]);
    if (retries.length) {
      await enqueueMany(
        boss,
        tx,
        deliverWebhook,
        retries.map((a) => ({
          data: a.job.data,
          ...deliverJobOptions(a.webhook.id, a.config),
          startAfter: Math.max(1, Math.ceil(a.retryIn!)),
        })),
      );
    }
    for (const f of failures) await queueFailureEmail(tx, boss, f);
  });
  recordAttempts(wave);
}

/** The trace id a job's traceparent names (its log lines carry it). */
function traceIdOf(traceparent: string | undefined): { traceId?: string } {
  const id = traceparent?.split("-")[1];
  return id ? { traceId: id } : {};
}

/**
 * One log line per answered attempt that did not succeed (info), and per success at debug level: the ids, the
 * status, the error's kind and message (secrets of the request already redacted from it), when it is retried.
 */
function logWave(wave: Answered[]): void {
  const successes = log.isLevelEnabled("debug");
  for (const a of wave) {
    if (a.status === "success" && !successes) continue;
    const fields = {
      ...itemIds(a),
      ...traceIdOf(a.job.data.traceparent),
      outcome: a.status,
      status: a.outcome.status,
      durationMs: a.duration,
      ...(a.outcome.error ? { errorKind: a.outcome.error.kind, error: a.outcome.error.message } : {}),
      ...(a.retryIn !== null ? { retryInSeconds: Math.round(a.retryIn) } : {}),
    };
    if (a.status === "success") log.debug(fields, "delivery attempt succeeded");
    else log.info(fields, a.status === "failed" ? "delivery failed for good" : "delivery attempt failed");
  }
}

/** Items past a daily limit: back to queued until the next UTC day with the reason, each with its job for then, in one
 * transaction. */
async function deferToNextDay(
  db: Database,
  boss: PgBoss,
  items: { item: Item; reason: string }[],
  now: Date,
): Promise<void> {
  const tomorrow = nextUtcDay(now);
  const byReason = new Map<string, string[]>();
  for (const { item, reason } of items)
    byReason.set(reason, [...(byReason.get(reason) ?? []), ...item.rows.map((r) => r.delivery.id)]);
  await db.transaction(async (tx) => {
    for (const [reason, ids] of byReason) await deferDeliveries(tx, ids, tomorrow, reason);
    await enqueueMany(
      boss,
      tx,
      deliverWebhook,
      items.map(({ item: i }) => ({
        data: i.job.data,
        ...deliverJobOptions(i.webhook.id, i.config),
        startAfter: tomorrow,
      })),
    );
  });
  countDeliveries(
    "deferred",
    items.reduce((n, { item }) => n + item.rows.length, 0),
  );
}

/** Loads the jobs' items; the jobs with nothing left to do (deleted, already settled, a duplicate) are `done`. */
async function loadItems(db: Database, jobs: JobInHand[]): Promise<{ items: Item[]; done: JobInHand[] }> {
  const done: JobInHand[] = [];
  const items: Item[] = [];
  const byDelivery = new Map<string, JobInHand>();
  const windows: JobInHand[] = [];
  // Manual resends first: an automatic job for the same delivery in this batch has nothing left to do
  // once the resend is written (it would find the delivery settled).
  for (const job of [...jobs].sort((a, b) => Number(!!b.data.manual) - Number(!!a.data.manual))) {
    if (job.data.batchKey && job.data.webhookId) windows.push(job);
    else if (job.data.deliveryId && !byDelivery.has(job.data.deliveryId)) byDelivery.set(job.data.deliveryId, job);
    // A second job for a delivery already in this batch (a crash's duplicate), or no delivery at all.
    else done.push(job);
  }
  const configs = new Map<string, WebhookConfig>();
  const configOf = (webhook: Webhook) => {
    let config = configs.get(webhook.id);
    if (!config) configs.set(webhook.id, (config = webhookConfigOf(webhook)));
    return config;
  };
  const found = new Map((await loadDeliveries(db, [...byDelivery.keys()])).map((r) => [r.delivery.id, r]));
  for (const [deliveryId, job] of byDelivery) {
    const row = found.get(deliveryId);
    const manual = job.data.manual ?? null;
    // Deleted (retention, webhook deleted) or, for an automatic job, already settled (a duplicate after a crash).
    if (!row || (!manual && (row.delivery.status === "success" || row.delivery.status === "failed"))) done.push(job);
    else
      items.push({
        job,
        webhook: row.webhook,
        config: configOf(row.webhook),
        rows: [{ delivery: row.delivery, event: row.event }],
        manual,
        batchKey: null,
      });
  }
  for (const job of windows) {
    const { webhook, rows } = await loadBatchWindow(db, job.data.webhookId!, job.data.batchKey!);
    if (!webhook || rows.length === 0) done.push(job);
    else
      items.push({
        job,
        webhook,
        config: configOf(webhook),
        rows,
        manual: job.data.manual ?? null,
        batchKey: job.data.batchKey!,
      });
  }
  return { items, done };
}

/**
 * Runs a batch of delivery jobs, each settled on its own: the result says which completed and which
 * failed (to be retried by pg-boss: a database error before their outcome was written; at least once).
 */
export async function runDeliveryPipeline(
  db: Database,
  boss: PgBoss,
  jobs: JobInHand[],
  options: PipelineOptions = {},
): Promise<DeliverJobResult[]> {
  const now = options.now?.() ?? new Date();
  const written = new Set<string>();
  const results = new Map<string, DeliverJobResult>();
  try {
    await deliver(db, boss, jobs, now, options, written);
    for (const job of jobs) results.set(job.id, { id: job.id, status: "completed" });
  } catch (err) {
    const cause =
      err instanceof Error && err.cause instanceof Error
        ? err.cause.message
        : err instanceof Error
          ? err.message
          : String(err);
    log.error(
      { job: "deliver-webhook", jobIds: jobs.filter((j) => !written.has(j.id)).map((j) => j.id) },
      `${jobs.length - written.size} of a batch of ${jobs.length} delivery jobs failed and will be retried: ${cause}`,
    );
    for (const job of jobs)
      results.set(
        job.id,
        written.has(job.id)
          ? { id: job.id, status: "completed" }
          : { id: job.id, status: "failed", output: { error: err instanceof Error ? err.message : String(err) } },
      );
  }
  return jobs.map((j) => results.get(j.id)!);
}

async function deliver(
  db: Database,
  boss: PgBoss,
  jobs: JobInHand[],
  now: Date,
  options: PipelineOptions,
  written: Set<string>,
): Promise<void> {
  const { items: loaded, done } = await loadItems(db, jobs);
  for (const job of done) written.add(job.id);

  // Switched off (an automatic job): skipped, with the reason. A manual resend goes out anyway.
  const off = loaded.filter((i) => !i.webhook.active && !i.manual);
  for (const item of off) {
    await skipDeliveries(
      db,
      item.rows.map((r) => r.delivery.id),
      item.webhook.disabledReason ?? "The webhook is switched off",
      now,
    );
    countDeliveries("skipped", item.rows.length);
    written.add(item.job.id);
  }
  let items = loaded.filter((i) => !off.includes(i));

  // In hand at two worker deaths already: set aside, not sent (a poison pill would kill every worker in turn).
  const setAside: Answered[] = [];
  items = items.filter((item) => {
    const crashes = item.manual
      ? 0
      : Math.max(...item.rows.map((r) => crashesOf(r.delivery, item.job.retryCount ?? 0)));
    if (crashes < CRASHES_BEFORE_SET_ASIDE) return true;
    setAside.push(
      answer(
        item,
        null,
        failure(
          "crashed_worker",
          `A delivery worker stopped unexpectedly ${crashes} times with this delivery in hand; it was set aside instead of being tried again`,
        ),
        true,
      ),
    );
    return false;
  });

  // Per company one short transaction counts the calls against the plan's and the company's daily limits and marks
  // those within them dispatched; the rest wait, queued, for the next day. A plan without webhooks: skipped.
  const byCompany = new Map<string, Item[]>();
  for (const item of items)
    byCompany.set(item.webhook.companyId, [...(byCompany.get(item.webhook.companyId) ?? []), item]);
  const dispatched = new Set<string>();
  const deferred: { item: Item; reason: string }[] = [];
  for (const [companyId, list] of byCompany) {
    const result = await dispatchWithinLimits(
      db,
      companyId,
      list.map((i) => ({
        deliveryIds: i.rows.map((r) => r.delivery.id),
        userId: i.webhook.createdBy,
        markInHand: (i.job.retryCount ?? 0) > 0,
      })),
      now,
      WORKER_INSTANCE,
    );
    if (result.webhooksOff !== null) {
      await skipDeliveries(
        db,
        list.flatMap((i) => i.rows.map((r) => r.delivery.id)),
        result.webhooksOff,
        now,
      );
      countDeliveries(
        "skipped",
        list.reduce((n, i) => n + i.rows.length, 0),
      );
      for (const item of list) written.add(item.job.id);
      continue;
    }
    for (const id of result.dispatched) dispatched.add(id);
    for (const [index, reason] of result.deferred) deferred.push({ item: list[index], reason });
  }
  if (deferred.length) {
    await deferToNextDay(db, boss, deferred, now);
    for (const { item } of deferred) written.add(item.job.id);
  }
  items = items.filter((i) => dispatched.has(i.rows[0].delivery.id));
  if (options.settleEarly) {
    const settledNow = [...written];
    if (settledNow.length) {
      const byId = new Map(jobs.map((j) => [j.id, j]));
      await boss.complete(
        deliverWebhook.name,
        settledNow.map((id) => ({ id, retryCount: byId.get(id)?.retryCount ?? 0 })),
      );
      options.settleEarly(settledNow);
    }
  }
  if (items.length === 0 && setAside.length === 0) return;

  // Every request goes out at once; the answers are written in waves as they come in.
  const secretsCache = new Map<string, WebhookSecrets>();
  const answered: Answered[] = [...setAside];
  const total = items.length + setAside.length;
  let wake: (() => void) | null = null;
  // Requests still out after DISPATCHED_AFTER_MS: their deliveries are marked dispatched (those of jobs that failed
  // before were marked before sending). Every wave waits for that mark, so it never lands after an outcome.
  const out = new Set(items.filter((i) => !((i.job.retryCount ?? 0) > 0)));
  let marking: Promise<void> = Promise.resolve();
  const markTimer = setTimeout(() => {
    const ids = [...out].flatMap((i) => i.rows.map((r) => r.delivery.id));
    marking = markDispatched(db, ids, WORKER_INSTANCE).catch((err: unknown) => {
      log.error({ ...errorFields(err), deliveries: ids.length }, "could not mark slow deliveries dispatched");
    });
  }, DISPATCHED_AFTER_MS);
  const all = Promise.all(
    items.map(async (item) => {
      // buildAndSend turns every failure into the attempt's outcome, so each item answers exactly once.
      const a = await buildAndSendTraced(db, item, now, options.slots, secretsCache);
      out.delete(item);
      if (out.size === 0) clearTimeout(markTimer);
      answered.push(a);
      wake?.();
    }),
  );
  all.catch(() => {});
  const started = Date.now();
  let left = total;
  try {
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
      await marking;
      // In the worker's fetch loop the wave's jobs are completed in the same transaction as its outcomes.
      await writeWave(db, boss, wave, waveNow, Boolean(options.settleEarly));
      for (const a of wave) written.add(a.job.id);
      logWave(wave);
      options.settleEarly?.(wave.map((a) => a.job.id));
    }
  } finally {
    clearTimeout(markTimer);
  }
}
