import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { fromDrizzle, type PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { deliveries, events, webhooks } from "@/db/schema";
import { QUEUES } from "@/jobs/boss";
import type { EventInput } from "@/lib/validations/event";
import type { Conditions, WebhookConfig } from "@/lib/validations/webhook";
import { conditionsHold } from "./conditions";

export interface IngestResult {
  id: string;
  deliveries: number;
  duplicate: boolean;
}

export interface DeliverJob {
  deliveryId: string;
}

/**
 * How long a delivery job may stay active before pg-boss gives it to another worker: the request's
 * timeout plus a margin. A worker that died mid-delivery thus loses its jobs for seconds, not 15 min.
 */
export function deliveryJobExpiry(timeoutSeconds: number): number {
  return timeoutSeconds + 15;
}

/**
 * Stores events and fans them out, all in one transaction: each new event, one delivery per
 * matching active webhook (status queued), and each delivery's pg-boss job (starting after the
 * webhook's execution delay). An event whose id the company already sent is accepted once: the
 * second time nothing is written and the first time's delivery count is returned.
 */
export async function ingestEvents(db: Database, boss: PgBoss, companyId: string, apiKeyId: string | null, input: EventInput[]): Promise<IngestResult[]> {
  return db.transaction(async (tx) => {
    const rows = input.map((e) => ({
      companyId,
      externalId: e.id ?? randomUUID(),
      type: e.type,
      recordId: e.data.id === undefined ? null : String(e.data.id),
      occurredAt: e.occurredAt ? new Date(e.occurredAt) : new Date(),
      data: e.data,
      previous: e.previous ?? null,
      owner: e.owner ?? null,
      apiKeyId,
    }));
    const inserted = await tx
      .insert(events)
      .values(rows)
      .onConflictDoNothing({ target: [events.companyId, events.externalId] })
      .returning({ id: events.id, externalId: events.externalId, type: events.type, data: events.data, previous: events.previous });
    const insertedIds = new Set(inserted.map((e) => e.externalId));

    const types = [...new Set(inserted.map((e) => e.type))];
    const candidates = types.length
      ? await tx
          .select({ id: webhooks.id, eventType: webhooks.eventType, config: webhooks.config })
          .from(webhooks)
          .where(and(eq(webhooks.companyId, companyId), eq(webhooks.active, true), inArray(webhooks.eventType, types)))
      : [];

    const planned: { eventId: string; webhookId: string; delaySeconds: number; timeoutSeconds: number }[] = [];
    const countByExternal = new Map<string, number>();
    for (const event of inserted) {
      let n = 0;
      for (const hook of candidates) {
        if (hook.eventType !== event.type) continue;
        const config = hook.config as Partial<WebhookConfig>;
        if (!conditionsHold(config.conditions as Conditions | undefined, event.data, event.previous)) continue;
        planned.push({ eventId: event.id, webhookId: hook.id, delaySeconds: config.delaySeconds ?? 0, timeoutSeconds: config.timeoutSeconds ?? 15 });
        n++;
      }
      countByExternal.set(event.externalId, n);
    }

    if (planned.length) {
      const created = await tx
        .insert(deliveries)
        .values(planned.map((p) => ({ companyId, webhookId: p.webhookId, eventId: p.eventId, status: "queued" as const, nextAttemptAt: new Date(Date.now() + p.delaySeconds * 1000) })))
        .returning({ id: deliveries.id });
      await boss.insert(
        QUEUES.deliverWebhook,
        created.map((d, i) => ({
          data: { deliveryId: d.id } satisfies DeliverJob,
          expireInSeconds: deliveryJobExpiry(planned[i].timeoutSeconds),
          ...(planned[i].delaySeconds > 0 ? { startAfter: planned[i].delaySeconds } : {}),
        })),
        { db: fromDrizzle(tx, sql) },
      );
    }

    // Duplicates: report what the first acceptance created.
    const duplicates = rows.filter((r) => !insertedIds.has(r.externalId)).map((r) => r.externalId);
    if (duplicates.length) {
      const existing = await tx
        .select({ externalId: events.externalId, n: sql<number>`(select count(*)::int from "deliveries" d where d."event_id" = "events"."id")` })
        .from(events)
        .where(and(eq(events.companyId, companyId), inArray(events.externalId, duplicates)));
      for (const e of existing) countByExternal.set(e.externalId, e.n);
    }

    return rows.map((r) => ({ id: r.externalId, deliveries: countByExternal.get(r.externalId) ?? 0, duplicate: !insertedIds.has(r.externalId) }));
  });
}
