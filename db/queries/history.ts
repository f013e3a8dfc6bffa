import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import {
  bulkRetries,
  deliveries,
  deliveryAttempts,
  events,
  users,
  webhooks,
  DELIVERY_STATUSES,
  type DeliveryStatus,
} from "@/db/schema";
import { attemptsOf, byId, eventOfDelivery } from "@/db/partitions";

export interface DeliveryCounts {
  triggered: number;
  success: number;
  failed: number;
  pending: number;
  skipped: number;
  /** The counts that reached DELIVERY_COUNT_CAP: there are at least that many ("10,000+"). */
  capped: Partial<Record<"triggered" | "success" | "failed" | "pending" | "skipped", true>>;
}

/**
 * Counting stops here for each status: a webhook with millions of deliveries shows "10,000+" instead of making every
 * history page read all of them (the all-time count cost 195–310 ms per page at 1 M deliveries, more with each one).
 */
export const DELIVERY_COUNT_CAP = 10_000;

/**
 * Counts of a webhook's deliveries by outcome since a time (or ever), each status counted up to DELIVERY_COUNT_CAP
 * in the (webhook_id, status, created_at) index, `since` skipping earlier days' partitions: pending = queued +
 * dispatched. The caller has checked the webhook is the company's (its deliveries are the company's).
 */
export async function deliveryCounts(
  db: DbOrTx,
  webhookId: string,
  since: Date | null,
  cap = DELIVERY_COUNT_CAP,
): Promise<DeliveryCounts> {
  // One subquery per status, its value written out: each gets a plan for that value's own statistics (an absent
  // status is an index probe; as a parameter, PostgreSQL planned a scan of every partition for each: 300 ms at 1 M).
  const sinceFilter = since ? sql`and d.created_at >= ${since.toISOString()}::timestamptz` : sql``;
  const [row] = await db.execute<Record<DeliveryStatus, number>>(
    sql`select ${sql.join(
      DELIVERY_STATUSES.map(
        (st) =>
          sql`(select count(*) from (select 1 from ${deliveries} d where d.webhook_id = ${webhookId}::uuid and d.status = ${sql.raw(`'${st}'`)} ${sinceFilter} limit ${cap + 1}) x)::int as ${sql.raw(`"${st}"`)}`,
      ),
      sql`, `,
    )}`,
  );
  const rows = DELIVERY_STATUSES.map((status) => ({ status, n: row[status] }));
  // More than the cap: shown as the cap and "+".
  const by = Object.fromEntries(rows.map((r) => [r.status, Math.min(r.n, cap)])) as Record<string, number>;
  const over = new Set(rows.filter((r) => r.n > cap).map((r) => r.status));
  const capped: DeliveryCounts["capped"] = {};
  const count = (key: keyof DeliveryCounts["capped"], ...statuses: DeliveryStatus[]) => {
    if (statuses.some((st) => over.has(st))) capped[key] = true;
    return statuses.reduce((a, st) => a + (by[st] ?? 0), 0);
  };
  return {
    triggered: count("triggered", "queued", "dispatched", "success", "failed", "skipped"),
    success: count("success", "success"),
    failed: count("failed", "failed"),
    pending: count("pending", "queued", "dispatched"),
    skipped: count("skipped", "skipped"),
    capped,
  };
}

/** Whether the webhook has any delivery still to send, and any failed or skipped one, ever (two index probes). */
export async function deliveryFlags(db: DbOrTx, webhookId: string): Promise<{ pending: boolean; retryable: boolean }> {
  const [row] = await db.execute<{ pending: boolean; retryable: boolean }>(sql`
    select exists (select 1 from ${deliveries} d where d.webhook_id = ${webhookId}::uuid and d.status in ('queued', 'dispatched')) as pending,
           exists (select 1 from ${deliveries} d where d.webhook_id = ${webhookId}::uuid and d.status in ('failed', 'skipped')) as retryable`);
  return row;
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
