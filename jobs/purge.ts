import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Database } from "@/db";
import { utcDayOf } from "@/db/partitions";
import { dropDayPartitions, partitionDays, pendingDays } from "@/db/queries/partitions";
import { companies, deliveryAttempts, eventKeys } from "@/db/schema";
import { maintainPartitions } from "./partitions";

export interface PurgeOptions {
  /** The clock: rows created before `now − retention_days` are deleted. */
  now?: Date;
  /** Rows per DELETE statement: each statement is its own short transaction. */
  batchSize?: number;
  /** Only these companies' rows are deleted in batches (tests); every company by default. */
  companyIds?: string[];
  /** Only these days (YYYY-MM-DD) may be dropped (tests: other files share the database); any day by default. */
  days?: string[];
}

export interface PurgeCounts {
  attempts: number;
  events: number;
}

export interface PurgeResult extends PurgeCounts {
  /** Per company, only those where something was deleted in batches. */
  companies: Record<string, PurgeCounts>;
  /** Idempotency keys (event_keys) deleted. */
  keys: number;
  /** Days whose partitions (events, deliveries, attempts) were dropped whole. */
  droppedDays: string[];
  /** Days old enough to drop but kept this run, and why: tried again on the next run. */
  heldBackDays: { day: string; reason: string }[];
  /** The longest retention of any company: days older than it are dropped whole. */
  longestRetentionDays: number;
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
 * Data retention, in two ways (docs/data-model.md, "Retention"):
 *
 * - Whole days. The history is partitioned by UTC day; a day older than the LONGEST retention of any company is
 *   past every company's retention, and its partitions of events, deliveries and attempts are dropped — no row
 *   deletes, no dead rows, no vacuum — unless pending work refers to it: a queued or dispatched delivery of that day,
 *   or one of a later day whose event is of that day (Recover and Resend send old events). Such a day is held back,
 *   reported, and tried again on the next run; so is a day whose tables were busy (the drop waits a moment for its
 *   locks, never longer).
 * - Rows, for companies whose retention is shorter than the longest: inside the kept days, their attempts older than
 *   their retention, and their older events (with those events' deliveries and the deliveries' attempts) that have no
 *   delivery still queued or dispatched, are deleted at most `batchSize` rows per statement, each its own short
 *   transaction.
 *
 * The idempotency keys of every company (event_keys) older than its retention are deleted in batches too. Rows that
 * landed in a DEFAULT partition are first moved into a day of their own (jobs/partitions.ts) so that they can be
 * dropped. Runs on a schedule; `now` is injectable.
 */
export async function purgeOldData(db: Database, options: PurgeOptions = {}): Promise<PurgeResult> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 1000;
  const [{ longest }] = await db
    .select({ longest: sql<number>`coalesce(max(${companies.retentionDays}), 365)::int` })
    .from(companies);
  const result: PurgeResult = {
    attempts: 0,
    events: 0,
    keys: 0,
    companies: {},
    droppedDays: [],
    heldBackDays: [],
    longestRetentionDays: longest,
  };

  // Whole days: every day before the first day some of whose rows are still within the longest retention.
  await maintainPartitions(db, { now });
  const firstKept = utcDayOf(new Date(now.getTime() - longest * DAY_MS));
  const candidates = (await partitionDays(db)).filter(
    (day) => day < firstKept && (!options.days || options.days.includes(day)),
  );
  if (candidates.length) {
    const pending = new Set(await pendingDays(db, firstKept));
    for (const day of candidates) {
      if (pending.has(day)) {
        result.heldBackDays.push({ day, reason: "pending deliveries refer to it" });
        continue;
      }
      const outcome = await dropDayPartitions(db, day);
      if (outcome.dropped) result.droppedDays.push(day);
      else result.heldBackDays.push({ day, reason: outcome.reason });
    }
  }

  const list = await db
    .select({ id: companies.id, retentionDays: companies.retentionDays })
    .from(companies)
    .where(options.companyIds ? inArray(companies.id, options.companyIds) : undefined);
  for (const company of list) {
    const cutoff = new Date(now.getTime() - company.retentionDays * DAY_MS);
    // event_keys_company_created_idx finds each batch.
    result.keys += await inBatches(batchSize, async () => {
      const batch = db
        .select({ externalId: eventKeys.externalId })
        .from(eventKeys)
        .where(and(eq(eventKeys.companyId, company.id), lt(eventKeys.createdAt, cutoff)))
        .limit(batchSize);
      return (
        await db.delete(eventKeys).where(and(eq(eventKeys.companyId, company.id), inArray(eventKeys.externalId, batch)))
      ).count;
    });
    if (company.retentionDays >= longest) continue;
    // delivery_attempts_company_created_idx (company_id, created_at) finds each batch.
    const attempts = await inBatches(batchSize, async () => {
      const batch = db
        .select({ id: deliveryAttempts.id })
        .from(deliveryAttempts)
        .where(and(eq(deliveryAttempts.companyId, company.id), lt(deliveryAttempts.createdAt, cutoff)))
        .limit(batchSize);
      return (await db.delete(deliveryAttempts).where(inArray(deliveryAttempts.id, batch))).count;
    });
    // events_company_created_idx finds the candidates; deliveries_event_idx answers "still pending?" and finds the
    // deliveries to delete with them (no foreign key cascades between the partitioned tables), then their attempts.
    const eventCount = await inBatches(batchSize, async () => {
      const [row] = await db.execute<{ n: number }>(sql`
        with ev as (
          select e.id from events e
          where e.company_id = ${company.id}::uuid and e.created_at < ${cutoff.toISOString()}::timestamptz
            and not exists (select 1 from deliveries d where d.event_id = e.id and d.status in ('queued', 'dispatched'))
          limit ${batchSize}
        ), gone_deliveries as (
          delete from deliveries d using ev where d.event_id = ev.id returning d.id, d.created_at
        ), gone_attempts as (
          delete from delivery_attempts a using gone_deliveries g
          where a.delivery_id = g.id and a.delivery_created_at = g.created_at returning 1
        ), gone_events as (
          delete from events e using ev where e.id = ev.id returning 1
        )
        select (select count(*) from gone_events)::int as n, (select count(*) from gone_attempts)::int as attempts`);
      return row.n;
    });
    if (attempts || eventCount) result.companies[company.id] = { attempts, events: eventCount };
    result.attempts += attempts;
    result.events += eventCount;
  }
  return result;
}
