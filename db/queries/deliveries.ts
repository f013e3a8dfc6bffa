import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { deliveries, events, webhooks, type DeliveryStatus } from "@/db/schema";

/** Where a page of history ends: the last row's created_at (to the microsecond, UTC) and id. */
export interface DeliveryCursor {
  createdAt: string;
  id: string;
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const CURSOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An opaque cursor (base64url of "created_at|id"); clients pass it back unchanged. */
export function encodeDeliveryCursor(cursor: DeliveryCursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`).toString("base64url");
}

/** The cursor, or null when it is not one this API handed out. */
export function decodeDeliveryCursor(value: string): DeliveryCursor | null {
  const [createdAt, id, ...rest] = Buffer.from(value, "base64url").toString("utf8").split("|");
  if (rest.length || !CURSOR_TIME.test(createdAt ?? "") || !CURSOR_ID.test(id ?? "")) return null;
  return { createdAt, id };
}

export interface ListDeliveriesParams {
  status?: DeliveryStatus;
  cursor?: DeliveryCursor | null;
  limit: number;
}

/**
 * One page of a webhook's deliveries, newest first, optionally of one status. Keyset pagination on
 * (created_at desc, id desc): the deliveries_webhook_created_idx / deliveries_webhook_status_created_idx
 * indexes serve it without an offset, and rows arriving meanwhile do not shift the pages.
 */
export async function listWebhookDeliveries(db: DbOrTx, companyId: string, webhookId: string, params: ListDeliveriesParams) {
  const filters: SQL[] = [eq(deliveries.webhookId, webhookId), eq(deliveries.companyId, companyId)];
  if (params.status) filters.push(eq(deliveries.status, params.status));
  if (params.cursor) filters.push(sql`(${deliveries.createdAt}, ${deliveries.id}) < (${params.cursor.createdAt}::timestamptz, ${params.cursor.id}::uuid)`);
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
  const nextCursor = rows.length > params.limit && last ? encodeDeliveryCursor({ createdAt: last.cursorTime, id: last.id }) : null;
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
