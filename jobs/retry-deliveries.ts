import { and, asc, eq, gte, inArray, isNotNull, lte, sql, type SQL } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { bulkRetries, deliveries, webhooks } from "@/db/schema";
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
        .where(inArray(deliveries.id, ids));
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
  await db.update(bulkRetries).set({ state: "completed", finishedAt: new Date() }).where(eq(bulkRetries.id, bulk.id));
  return { requeued };
}
