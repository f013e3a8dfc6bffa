import { and, asc, desc, eq, gte, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { bulkRetries, deliveries, deliveryAttempts, events, users, webhooks } from "@/db/schema";
import { attemptsOf, byId, eventOfDelivery } from "@/db/partitions";

export interface DeliveryCounts {
  triggered: number;
  success: number;
  failed: number;
  pending: number;
  skipped: number;
}

/**
 * Counts of a webhook's deliveries by outcome since a time (or ever), in one pass over the
 * (webhook_id, status, created_at) index: pending = queued + dispatched.
 */
export async function deliveryCounts(
  db: DbOrTx,
  companyId: string,
  webhookId: string,
  since: Date | null,
): Promise<DeliveryCounts> {
  const filters: SQL[] = [eq(deliveries.webhookId, webhookId), eq(deliveries.companyId, companyId)];
  if (since) filters.push(gte(deliveries.createdAt, since));
  const rows = await db
    .select({ status: deliveries.status, n: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(and(...filters))
    .groupBy(deliveries.status);
  const by = Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
  const pending = (by.queued ?? 0) + (by.dispatched ?? 0);
  return {
    triggered: rows.reduce((a, r) => a + r.n, 0),
    success: by.success ?? 0,
    failed: by.failed ?? 0,
    pending,
    skipped: by.skipped ?? 0,
  };
}

/** One delivery of this company with its event, webhook name and every attempt (oldest first), or null. */
export async function getDeliveryDetail(db: DbOrTx, companyId: string, deliveryId: string) {
  const [row] = await db
    .select({
      delivery: deliveries,
      event: events,
      webhook: {
        id: webhooks.id,
        name: webhooks.name,
        url: webhooks.url,
        method: webhooks.method,
        config: webhooks.config,
      },
    })
    .from(deliveries)
    .innerJoin(events, eventOfDelivery())
    .innerJoin(webhooks, eq(webhooks.id, deliveries.webhookId))
    .where(and(eq(deliveries.companyId, companyId), byId(deliveries, deliveryId)));
  if (!row) return null;
  const attempts = await db
    .select({ attempt: deliveryAttempts, triggeredByName: users.name })
    .from(deliveryAttempts)
    .leftJoin(users, eq(users.id, deliveryAttempts.triggeredBy))
    .where(
      and(attemptsOf(deliveryAttempts, deliveryId, row.delivery.createdAt), eq(deliveryAttempts.companyId, companyId)),
    )
    .orderBy(asc(deliveryAttempts.attemptNumber), asc(deliveryAttempts.id));
  return { ...row, attempts: attempts.map((a) => ({ ...a.attempt, triggeredByName: a.triggeredByName })) };
}
export type DeliveryDetail = NonNullable<Awaited<ReturnType<typeof getDeliveryDetail>>>;

/** The webhook's latest "retry all failed" request, to show its progress. */
export async function latestBulkRetry(db: DbOrTx, companyId: string, webhookId: string) {
  const [row] = await db
    .select()
    .from(bulkRetries)
    .where(and(eq(bulkRetries.companyId, companyId), eq(bulkRetries.webhookId, webhookId)))
    .orderBy(desc(bulkRetries.createdAt))
    .limit(1);
  return row ?? null;
}
