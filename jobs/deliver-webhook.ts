import { and, eq, sql } from "drizzle-orm";
import { fromDrizzle, type PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { companies, dailyUsage, deliveries, deliveryAttempts, events, webhooks, type Delivery, type EventRow, type Webhook } from "@/db/schema";
import { buildRequest, type BuiltRequest } from "@/lib/delivery/build-request";
import { sendSafely, type SendOutcome } from "@/lib/delivery/http-client";
import { nextRetryDelaySeconds } from "@/lib/delivery/retry";
import { getOAuthAccessToken } from "@/lib/delivery/oauth";
import { deliveryJobExpiry, type DeliverJob } from "@/lib/events/ingest";
import { readAuthSecrets, signingSecretsOf, webhookConfigOf } from "@/lib/webhooks";
import { QUEUES } from "./boss";

export interface DeliverOptions {
  /** Injectable clock for tests (auto-disable, daily limit). */
  now?: () => Date;
  /** Who asked for a manual resend (history's Resync); absent for automatic attempts. */
  trigger?: { kind: "auto" | "manual"; userId?: string | null };
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

/**
 * One delivery attempt: claim the delivery (queued → dispatched), build and send the request,
 * log the attempt, then success, a scheduled retry (back to queued) or failed.
 */
export async function deliverWebhook(db: Database, boss: PgBoss, job: DeliverJob, options: DeliverOptions = {}): Promise<void> {
  const now = options.now?.() ?? new Date();
  const [row] = await db
    .select({ delivery: deliveries, webhook: webhooks, event: events })
    .from(deliveries)
    .innerJoin(webhooks, eq(webhooks.id, deliveries.webhookId))
    .innerJoin(events, eq(events.id, deliveries.eventId))
    .where(eq(deliveries.id, job.deliveryId));
  if (!row) return; // deleted (retention, webhook deleted): nothing to do
  const { delivery, webhook, event } = row;
  const manual = options.trigger?.kind === "manual";
  if (!manual && (delivery.status === "success" || delivery.status === "failed")) return; // a duplicate job after a crash

  if (!webhook.active && !manual) {
    await db.update(deliveries).set({ status: "skipped", deferredReason: webhook.disabledReason ?? "The webhook is switched off", completedAt: now }).where(eq(deliveries.id, delivery.id));
    return;
  }

  if (!(await takeDailyCall(db, webhook.companyId, now))) {
    const tomorrow = new Date(`${utcDay(new Date(now.getTime() + 86_400_000))}T00:00:00Z`);
    await db.update(deliveries).set({ status: "queued", nextAttemptAt: tomorrow, deferredReason: "Daily call limit reached: deferred to the next day" }).where(eq(deliveries.id, delivery.id));
    await boss.send(QUEUES.deliverWebhook, { deliveryId: delivery.id } satisfies DeliverJob, { startAfter: tomorrow, expireInSeconds: deliveryJobExpiry(webhookConfigOf(webhook).timeoutSeconds) });
    return;
  }

  const attemptNumber = delivery.attempts + 1;
  await db.update(deliveries).set({ status: "dispatched", attempts: attemptNumber, deferredReason: null }).where(eq(deliveries.id, delivery.id));

  const config = webhookConfigOf(webhook);
  let built: BuiltRequest | null = null;
  let outcome: SendOutcome;
  try {
    const secrets = readAuthSecrets(webhook);
    const oauthAccessToken = config.auth.type === "oauth" ? await getOAuthAccessToken(db, webhook.companyId, config.auth.credentialId, { now }) : undefined;
    built = buildRequest(config, eventForDelivery(event), {
      deliveryId: delivery.id,
      webhookId: webhook.id,
      timestamp: now,
      signingSecrets: signingSecretsOf(webhook, now),
      secrets: { ...secrets, oauthAccessToken },
    });
    outcome = await sendSafely({ method: built.method, url: built.url, headers: built.headers, body: built.body }, { timeoutMs: config.timeoutSeconds * 1000, allowPrivate: allowPrivate() });
  } catch (err) {
    // Building failed (OAuth token refused, bad template …): the attempt fails with that reason.
    const message = err instanceof Error ? err.message : String(err);
    outcome = { ok: false, status: null, headers: {}, body: "", bodyTruncated: false, durationMs: 0, error: { kind: "other", message }, retryAfterSeconds: null };
  }

  await recordOutcome(db, boss, { delivery, webhook, built, outcome, attemptNumber, now, manual, userId: options.trigger?.userId ?? null });
}

export function eventForDelivery(event: EventRow) {
  return { id: event.externalId, type: event.type, occurredAt: event.occurredAt.toISOString(), data: event.data, previous: event.previous };
}

async function recordOutcome(
  db: Database,
  boss: PgBoss,
  a: { delivery: Delivery; webhook: Webhook; built: BuiltRequest | null; outcome: SendOutcome; attemptNumber: number; now: Date; manual: boolean; userId: string | null },
) {
  const { delivery, webhook, built, outcome, attemptNumber, now } = a;
  const config = webhookConfigOf(webhook);
  const retryIn = outcome.ok || outcome.status === 410 || a.manual ? null : nextRetryDelaySeconds(config.retryPolicy, attemptNumber, outcome.retryAfterSeconds);
  const status = outcome.ok ? "success" : retryIn !== null ? "queued" : "failed";
  const errorText = outcome.error ? `${outcome.error.kind}: ${outcome.error.message}` : null;

  await db.transaction(async (tx) => {
    await tx.insert(deliveryAttempts).values({
      deliveryId: delivery.id,
      companyId: delivery.companyId,
      attemptNumber,
      trigger: a.manual ? "manual" : "auto",
      triggeredBy: a.userId,
      requestMethod: built?.method ?? config.method,
      requestUrl: built?.maskedUrl ?? webhook.url,
      requestHeaders: built?.maskedHeaders ?? {},
      requestBody: built?.body ?? null,
      responseStatus: outcome.status,
      responseHeaders: outcome.status === null ? null : outcome.headers,
      responseBody: outcome.status === null ? null : outcome.body,
      durationMs: Math.round(outcome.durationMs),
      errorKind: outcome.error?.kind ?? null,
      errorMessage: outcome.error?.message ?? null,
    });
    await tx
      .update(deliveries)
      .set({
        status,
        lastStatusCode: outcome.status,
        lastError: errorText,
        lastDurationMs: Math.round(outcome.durationMs),
        nextAttemptAt: retryIn !== null ? new Date(now.getTime() + retryIn * 1000) : null,
        completedAt: status === "queued" ? null : now,
      })
      .where(eq(deliveries.id, delivery.id));
    await tx
      .update(webhooks)
      .set({
        lastSentAt: now,
        lastStatus: outcome.ok ? "success" : "failed",
        lastStatusCode: outcome.status,
        failingSince: outcome.ok ? null : sql`coalesce(${webhooks.failingSince}, ${now.toISOString()}::timestamptz)`,
        ...(outcome.status === 410
          ? { active: false, disabledAt: now, disabledReason: "The receiver answered 410 Gone: it no longer wants these requests" }
          : {}),
      })
      .where(and(eq(webhooks.id, webhook.id), eq(webhooks.companyId, delivery.companyId)));
    // The retry's job is written with the outcome: a crash cannot leave a queued delivery without one.
    if (retryIn !== null) {
      await boss.send(QUEUES.deliverWebhook, { deliveryId: delivery.id } satisfies DeliverJob, {
        startAfter: Math.max(1, Math.ceil(retryIn)),
        expireInSeconds: deliveryJobExpiry(config.timeoutSeconds),
        db: fromDrizzle(tx, sql),
      });
    }
  });
}
