import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { deliveries, events, webhooks, type DeliveryStatus } from "@/db/schema";
import { encodeCursor, type KeysetCursor } from "@/db/keyset";

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
      event: { id: events.externalId, type: events.type, recordId: events.recordId, occurredAt: events.occurredAt },
      cursorTime: sql<string>`to_char(${deliveries.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(deliveries)
    .innerJoin(events, eq(events.id, deliveries.eventId))
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
    .where(and(eq(deliveries.companyId, companyId), eq(deliveries.id, deliveryId)))
    .for("update", { of: deliveries });
  return row ?? null;
}
