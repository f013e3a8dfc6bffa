import { and, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { deliveries, deliveryAttempts, eventKeys, events, webhooks } from "@/db/schema";

/**
 * The demo history `npm run seed` writes (lib/demo-webhooks.ts builds it): events, their deliveries
 * and every attempt, with the times they would have had — rows of the same tables the delivery
 * pipeline writes, but no pg-boss job, so a worker never picks any of them up.
 */

export interface SeededDelivery {
  event: typeof events.$inferInsert;
  delivery: typeof deliveries.$inferInsert;
  attempts: (typeof deliveryAttempts.$inferInsert)[];
}

/** Which of these names a company's webhooks already have (the seed finds its webhooks again by name). */
export async function existingWebhookNames(db: DbOrTx, companyId: string, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db
    .select({ name: webhooks.name })
    .from(webhooks)
    .where(and(eq(webhooks.companyId, companyId), inArray(webhooks.name, names)));
  return new Set(rows.map((r) => r.name));
}

/** Writes events, deliveries and attempts as given (ids and times included). */
export async function insertDeliveryHistory(db: DbOrTx, rows: SeededDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(events).values(rows.map((r) => r.event));
  // The events API's idempotency keys, as the intake writes them.
  await db
    .insert(eventKeys)
    .values(
      rows.map((r) => ({
        companyId: r.event.companyId,
        externalId: r.event.externalId,
        eventId: r.event.id!,
        createdAt: r.event.createdAt,
      })),
    )
    .onConflictDoNothing();
  await db.insert(deliveries).values(rows.map((r) => r.delivery));
  const attempts = rows.flatMap((r) => r.attempts);
  if (attempts.length) await db.insert(deliveryAttempts).values(attempts);
}
