import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { deliveries, events, webhooks, type DeliveryStatus } from "@/db/schema";
import { encodeCursor, type KeysetCursor } from "@/db/keyset";
import { byId, eventOfDelivery } from "@/db/partitions";

export interface ListDeliveriesParams {
  status?: DeliveryStatus;
  cursor?: KeysetCursor | null;
  limit: number;
}

/**
 * One page of a webhook's deliveries, newest first, optionally of one status. Keyset pagination on
 * (created_at desc, id desc): the deliveries_webhook_created_idx / deliveries_webhook_status_created_idx
 * indexes serve it without an offset, and rows arriving meanwhile do not shift the pages.
 */
export async function listWebhookDeliveries(
  db: DbOrTx,
  companyId: string,
  webhookId: string,
  params: ListDeliveriesParams,
) {
  const filters: SQL[] = [eq(deliveries.webhookId, webhookId), eq(deliveries.companyId, companyId)];
  if (params.status) filters.push(eq(deliveries.status, params.status));
  if (params.cursor)
    filters.push(
      sql`(${deliveries.createdAt}, ${deliveries.id}) < (${params.cursor.at}::timestamptz, ${params.cursor.id}::uuid)`,
    );
  const rows = await db
    .select({
      id: deliveries.id,
      webhookId: deliveries.webhookId,
      status: deliveries.status,
      attempts: deliveries.attempts,
      nextAttemptAt: deliveries.nextAttemptAt,
      lastStatusCode: deliveries.lastStatusCode,
      lastError: deliveries.lastError,
      lastDurationMs: deliveries.lastDurationMs,
      deferredReason: deliveries.deferredReason,
      completedAt: deliveries.completedAt,
      createdAt: deliveries.createdAt,
      // A delivery outlives its event only when the event's day was dropped (past every retention) after a later
      // Recover or Resend of it: such a row is still listed, its event shown as gone.
      event: {
        id: sql<string>`coalesce(${events.externalId}, '')`,
        type: sql<string>`coalesce(${events.type}, 'event past retention')`,
        recordId: sql<string | null>`${events.recordId}`,
        occurredAt: sql<Date>`coalesce(${events.occurredAt}, ${deliveries.createdAt})`.mapWith(events.occurredAt),
      },
      cursorTime: sql<string>`to_char(${deliveries.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(deliveries)
    .leftJoin(events, eventOfDelivery())
    .where(and(...filters))
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(params.limit + 1);
  const page = rows.slice(0, params.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > params.limit && last ? encodeCursor({ at: last.cursorTime, id: last.id }) : null;
  return { deliveries: page.map(({ cursorTime: _, ...row }) => row), nextCursor };
}
export type DeliveryListRow = Awaited<ReturnType<typeof listWebhookDeliveries>>["deliveries"][number];

/** A delivery of this company with its webhook, locked for update (resend), or null. */
export async function lockCompanyDelivery(db: DbOrTx, companyId: string, deliveryId: string) {
  const [row] = await db
    .select({ delivery: deliveries, webhook: webhooks })
    .from(deliveries)
    .innerJoin(webhooks, eq(webhooks.id, deliveries.webhookId))
    .where(and(eq(deliveries.companyId, companyId), byId(deliveries, deliveryId)))
    .for("update", { of: deliveries });
  return row ?? null;
}
