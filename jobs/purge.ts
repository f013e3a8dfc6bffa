import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Database } from "@/db";
import { companies, deliveryAttempts, events } from "@/db/schema";

export interface PurgeOptions {
  /** The clock: rows created before `now − retention_days` are deleted. */
  now?: Date;
  /** Rows per DELETE statement: each statement is its own short transaction. */
  batchSize?: number;
  /** Only these companies (tests); every company by default. */
  companyIds?: string[];
}

export interface PurgeCounts {
  attempts: number;
  events: number;
}

export interface PurgeResult extends PurgeCounts {
  /** Per company, only those where something was deleted. */
  companies: Record<string, PurgeCounts>;
}

const DAY_MS = 86_400_000;

/** Runs `deleteBatch` until it deletes fewer rows than a batch; returns the total deleted. */
async function inBatches(batchSize: number, deleteBatch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

/**
 * Data retention: for each company, deletes the delivery attempts and then the events older than
 * its `retention_days` (an event's deliveries, and their remaining attempts, go with it by cascade).
 * An event with a delivery still queued or dispatched is kept, whatever its age, so nothing that
 * is yet to be sent disappears. Deletes at most `batchSize` rows per statement, each statement in
 * its own transaction, so no table is locked for long. Runs on a schedule; `now` is injectable.
 */
export async function purgeOldData(db: Database, options: PurgeOptions = {}): Promise<PurgeResult> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 1000;
  const list = await db
    .select({ id: companies.id, retentionDays: companies.retentionDays })
    .from(companies)
    .where(options.companyIds ? inArray(companies.id, options.companyIds) : undefined);

  const result: PurgeResult = { attempts: 0, events: 0, companies: {} };
  for (const company of list) {
    const cutoff = new Date(now.getTime() - company.retentionDays * DAY_MS);
    // delivery_attempts_company_created_idx (company_id, created_at) finds each batch.
    const attempts = await inBatches(batchSize, async () => {
      const batch = db
        .select({ id: deliveryAttempts.id })
        .from(deliveryAttempts)
        .where(and(eq(deliveryAttempts.companyId, company.id), lt(deliveryAttempts.createdAt, cutoff)))
        .limit(batchSize);
      return (await db.delete(deliveryAttempts).where(inArray(deliveryAttempts.id, batch))).count;
    });
    // events_company_created_idx finds the candidates; deliveries_event_idx answers "still pending?".
    const eventCount = await inBatches(batchSize, async () => {
      const batch = db
        .select({ id: events.id })
        .from(events)
        .where(
          and(
            eq(events.companyId, company.id),
            lt(events.createdAt, cutoff),
            sql`not exists (select 1 from deliveries d where d.event_id = ${events.id} and d.status in ('queued', 'dispatched'))`,
          ),
        )
        .limit(batchSize);
      return (await db.delete(events).where(inArray(events.id, batch))).count;
    });
    if (attempts || eventCount) result.companies[company.id] = { attempts, events: eventCount };
    result.attempts += attempts;
    result.events += eventCount;
  }
  return result;
}
