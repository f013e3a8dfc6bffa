import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { fromDrizzle, type PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { companies, dailyUsage, deliveries, deliveryAttempts, events, webhooks, type Delivery, type EventRow, type Webhook } from "@/db/schema";
import { buildBatchRequest, buildRequest, type BuiltRequest } from "@/lib/delivery/build-request";
import { sendSafely, type SendOutcome } from "@/lib/delivery/http-client";
import { nextRetryDelaySeconds } from "@/lib/delivery/retry";
import { getOAuthAccessToken } from "@/lib/delivery/oauth";
import { deliverJobOptions, type DeliverJob } from "@/lib/events/ingest";
import { readAuthSecrets, signingSecretsOf, webhookConfigOf } from "@/lib/webhooks";
import { QUEUES } from "./boss";
import type { NotifyFailureJob } from "./notify-failure";

export interface DeliverOptions {
  /** Injectable clock for tests (auto-disable, daily limit). */
  now?: () => Date;
  /** Who asked for a manual resend (history's Resync); absent for automatic attempts. */
  trigger?: { kind: "auto" | "manual"; userId?: string | null };
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
  if (!(await takeDailyCall(db, webhook.companyId, now))) {
    const tomorrow = new Date(`${utcDay(new Date(now.getTime() + 86_400_000))}T00:00:00Z`);
    await db.transaction(async (tx) => {
      await tx.update(deliveries).set({ status: "queued", nextAttemptAt: tomorrow, deferredReason: "Daily call limit reached: deferred to the next day" }).where(inArray(deliveries.id, ids));
      await boss.send(QUEUES.deliverWebhook, job, { ...deliverJobOptions(webhook.id, config), startAfter: tomorrow, db: fromDrizzle(tx, sql) });
    });
    return;
  }

  await db
    .update(deliveries)
    .set({ status: "dispatched", attempts: sql`${deliveries.attempts} + 1`, deferredReason: null })
    .where(inArray(deliveries.id, ids));

  let built: BuiltRequest | null = null;
  let outcome: SendOutcome;
  try {
    const secrets = readAuthSecrets(webhook);
    const oauthAccessToken = config.auth.type === "oauth" ? await getOAuthAccessToken(db, webhook.companyId, config.auth.credentialId, { now }) : undefined;
    const ctx = {
      deliveryId: rows[0].delivery.id,
      webhookId: webhook.id,
      timestamp: now,
      signingSecrets: signingSecretsOf(webhook, now),
      secrets: { ...secrets, oauthAccessToken },
    };
    built = job.batchKey ? buildBatchRequest(config, rows.map((r) => eventForDelivery(r.event)), ctx) : buildRequest(config, eventForDelivery(rows[0].event), ctx);
    outcome = await sendSafely({ method: built.method, url: built.url, headers: built.headers, body: built.body }, { timeoutMs: config.timeoutSeconds * 1000, allowPrivate: allowPrivate() });
  } catch (err) {
    // Building failed (OAuth token refused, bad template …): the attempt fails with that reason.
    const message = err instanceof Error ? err.message : String(err);
    outcome = { ok: false, status: null, headers: {}, body: "", bodyTruncated: false, durationMs: 0, error: { kind: "other", message }, retryAfterSeconds: null };
  }

  const attemptNumber = Math.max(...rows.map((r) => r.delivery.attempts)) + 1;
  const retryIn = outcome.ok || outcome.status === 410 || manual ? null : nextRetryDelaySeconds(config.retryPolicy, attemptNumber, outcome.retryAfterSeconds);
  const status = outcome.ok ? "success" : retryIn !== null ? "queued" : "failed";
  const errorText = outcome.error ? `${outcome.error.kind}: ${outcome.error.message}` : null;
  const duration = Math.round(outcome.durationMs);

  await db.transaction(async (tx) => {
    await tx.insert(deliveryAttempts).values(
      rows.map((r) => ({
        deliveryId: r.delivery.id,
        companyId: r.delivery.companyId,
        attemptNumber: r.delivery.attempts + 1,
        trigger: manual ? "manual" : "auto",
        triggeredBy: options.trigger?.userId ?? null,
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
      })),
    );
    await tx
      .update(deliveries)
      .set({
        status,
        lastStatusCode: outcome.status,
        lastError: errorText,
        lastDurationMs: duration,
        nextAttemptAt: retryIn !== null ? new Date(now.getTime() + retryIn * 1000) : null,
        completedAt: status === "queued" ? null : now,
      })
      .where(inArray(deliveries.id, ids));
    await tx
      .update(webhooks)
      .set({
        lastSentAt: now,
        lastStatus: outcome.ok ? "success" : "failed",
        lastStatusCode: outcome.status,
        failingSince: outcome.ok ? null : sql`coalesce(${webhooks.failingSince}, ${now.toISOString()}::timestamptz)`,
        ...(outcome.status === 410 ? { active: false, disabledAt: now, disabledReason: "The receiver answered 410 Gone: it no longer wants these requests" } : {}),
      })
      .where(eq(webhooks.id, webhook.id));
    // A delivery that failed for good: the failure email, throttled to one job per webhook per hour
    // (a later failure in the hour is deferred to the next slot and reports the count).
    if (status === "failed" && config.notifyOnFailure) {
      await boss.send(QUEUES.notifyFailure, { webhookId: webhook.id, deliveryId: rows[rows.length - 1].delivery.id } satisfies NotifyFailureJob, {
        singletonKey: webhook.id,
        singletonSeconds: 3600,
        singletonNextSlot: true,
        db: fromDrizzle(tx, sql),
      });
    }
    // The retry's job is written with the outcome: a crash cannot leave a queued delivery without one.
    if (retryIn !== null) {
      await boss.send(QUEUES.deliverWebhook, job, { ...deliverJobOptions(webhook.id, config), startAfter: Math.max(1, Math.ceil(retryIn)), db: fromDrizzle(tx, sql) });
    }
  });
}
