import { and, asc, eq, gte, inArray, isNotNull, lte, sql, type SQL } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { bulkRetries, deliveries, events, webhooks, type BulkRetry, type Webhook } from "@/db/schema";
import { byIds } from "@/db/partitions";
import { conditionsHold } from "@/lib/events/conditions";
import type { WebhookConfig } from "@/lib/validations/webhook";
import { webhookConfigOf } from "@/lib/webhooks";
import {
  deliverJobOptions,
  deliverWebhook,
  enqueueMany,
  type DeliverJob,
  type RetryDeliveriesJob,
} from "./definitions";

/**
 * "Retry all failed": re-queues, in batches, the webhook's deliveries of the chosen statuses in the
 * range that had finished before the request was made — exactly those, not ones that fail while
 * this runs. Each goes back to queued with a manual deliver job (one attempt, logged with who asked)
 * in the same transaction, and the progress is written after every batch for the history page.
 * Safe to run twice: a re-queued delivery no longer matches.
 */
export async function retryDeliveriesJob(
  db: Database,
  boss: PgBoss,
  job: RetryDeliveriesJob,
  options: { batchSize?: number } = {},
): Promise<{ requeued: number }> {
  const batchSize = options.batchSize ?? 500;
  const [bulk] = await db.select().from(bulkRetries).where(eq(bulkRetries.id, job.bulkRetryId));
  if (!bulk || bulk.state === "completed") return { requeued: 0 };
  const [webhook] = await db.select().from(webhooks).where(eq(webhooks.id, bulk.webhookId));
  if (!webhook) return { requeued: 0 };
  const config = webhookConfigOf(webhook);

  const matching: SQL[] = [
    eq(deliveries.webhookId, bulk.webhookId),
    eq(deliveries.companyId, bulk.companyId),
    inArray(deliveries.status, bulk.statuses),
    lte(deliveries.createdAt, bulk.toTime),
    isNotNull(deliveries.completedAt),
    lte(deliveries.completedAt, bulk.createdAt),
  ];
  if (bulk.fromTime) matching.push(gte(deliveries.createdAt, bulk.fromTime));
  const where = and(...matching);

  if (bulk.total === null) {
    const [{ n }] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(deliveries)
      .where(where);
    await db
      .update(bulkRetries)
      .set({ state: "running", total: n + bulk.done })
      .where(eq(bulkRetries.id, bulk.id));
  } else {
    await db.update(bulkRetries).set({ state: "running" }).where(eq(bulkRetries.id, bulk.id));
  }

  let requeued = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const rows = await tx
        .select({ id: deliveries.id })
        .from(deliveries)
        .where(where)
        .orderBy(asc(deliveries.createdAt), asc(deliveries.id))
        .limit(batchSize)
        .for("update", { skipLocked: true });
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.id);
      await tx
        .update(deliveries)
        .set({ status: "queued", nextAttemptAt: new Date(), completedAt: null, deferredReason: null })
        .where(byIds(deliveries, ids));
      const jobs = ids.map((deliveryId) => ({
        data: {
          deliveryId,
          companyId: bulk.companyId,
          ...(bulk.requestedBy ? { manual: { userId: bulk.requestedBy } } : {}),
        } satisfies DeliverJob,
        ...deliverJobOptions(webhook.id, config),
      }));
      await enqueueMany(boss, tx, deliverWebhook, jobs);
      await tx
        .update(bulkRetries)
        .set({ done: sql`${bulkRetries.done} + ${ids.length}` })
        .where(eq(bulkRetries.id, bulk.id));
      return ids.length;
    });
    requeued += n;
    if (n === 0) break;
  }
  if (bulk.recover && bulk.fromTime) requeued += await recoverMissing(db, boss, bulk, webhook, config, batchSize);
  await db
    .update(bulkRetries)
    .set({ state: "completed", finishedAt: new Date(), total: sql`${bulkRetries.done}` })
    .where(eq(bulkRetries.id, bulk.id));
  return { requeued };
}

/**
 * "Recover since", second part: the events of the webhook's types from `from_time` up to the request
 * that have no delivery to it at all — they arrived while it was switched off or auto-disabled — and
 * whose record meets its conditions now get one, queued with the webhook's retry policy. Test events
 * are left out. Taken in batches, oldest first (keyset on created_at, id), each batch in one
 * transaction with its jobs; safe to run twice (an event with a delivery no longer matches).
 */
async function recoverMissing(
  db: Database,
  boss: PgBoss,
  bulk: BulkRetry,
  webhook: Webhook,
  config: WebhookConfig,
  batchSize: number,
): Promise<number> {
  // The events of its types in the range, test events aside, with no delivery to this webhook.
  const without = sql`e.company_id = ${bulk.companyId} and not e.is_test
      and e.type in (select jsonb_array_elements_text(${JSON.stringify(webhook.eventTypes)}::jsonb))
      and e.created_at >= ${bulk.fromTime!.toISOString()}::timestamptz and e.created_at <= ${bulk.createdAt.toISOString()}::timestamptz
      and not exists (select 1 from ${deliveries} d where d.event_id = e.id and d.webhook_id = ${webhook.id})`;
  const missing = (after: { at: string; id: string } | null) => sql`
    select e.id, e.created_at::text as "createdAt", e.data, e.previous from ${events} e
    where ${without} ${after ? sql`and (e.created_at, e.id) > (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
    order by e.created_at, e.id limit ${batchSize}`;
  const [{ n }] = await db.execute<{ n: number }>(sql`select count(*)::int as n from ${events} e where ${without}`);
  await db
    .update(bulkRetries)
    .set({ total: sql`coalesce(${bulkRetries.total}, 0) + ${n}` })
    .where(eq(bulkRetries.id, bulk.id));

  let created = 0;
  // The exact text of created_at (microseconds): a JS Date would cut them and take a row twice.
  let after: { at: string; id: string } | null = null;
  for (;;) {
    type Missing = {
      id: string;
      createdAt: string;
      data: Record<string, unknown>;
      previous: Record<string, unknown> | null;
    };
    const rows: Missing[] = [...(await db.execute<Missing>(missing(after)))];
    if (rows.length === 0) break;
    const last: Missing = rows[rows.length - 1];
    after = { at: last.createdAt, id: last.id };
    const chosen = rows.filter((e) => conditionsHold(config.conditions, e.data, e.previous));
    await db.transaction(async (tx) => {
      if (chosen.length) {
        const inserted = await tx
          .insert(deliveries)
          .values(
            chosen.map((e) => ({
              companyId: bulk.companyId,
              webhookId: webhook.id,
              eventId: e.id,
              status: "queued" as const,
              nextAttemptAt: new Date(),
            })),
          )
          .returning({ id: deliveries.id });
        await enqueueMany(
          boss,
          tx,
          deliverWebhook,
          inserted.map((d) => ({
            data: { deliveryId: d.id, companyId: bulk.companyId } satisfies DeliverJob,
            ...deliverJobOptions(webhook.id, config),
          })),
        );
      }
      // Progress counts every event looked at; those whose record does not meet the conditions are not sent.
      await tx
        .update(bulkRetries)
        .set({
          done: sql`${bulkRetries.done} + ${chosen.length}`,
          total: sql`${bulkRetries.total} - ${rows.length - chosen.length}`,
        })
        .where(eq(bulkRetries.id, bulk.id));
    });
    created += chosen.length;
  }
  return created;
}
