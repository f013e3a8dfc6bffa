import { sql } from "drizzle-orm";
import type { Database, DbOrTx } from "@/db";
import { PARTITIONED_TABLES } from "@/db/partitions";

/**
 * The partitions of the history tables (migration 0014_partitioned_history): which days exist, which days the DEFAULT
 * partitions hold rows of, creating a day (moving its rows out of DEFAULT) and dropping one. Used by
 * jobs/partitions.ts (created ahead) and jobs/purge.ts (retention drops whole days).
 */

/** How long a partition change waits for a table's lock before giving up until the next run. */
export const PARTITION_LOCK_TIMEOUT = "500ms";

const DAY_SUFFIX = /_p(\d{4})(\d{2})(\d{2})$/;

/** The days (YYYY-MM-DD) having a partition of any of the three tables, oldest first. */
export async function partitionDays(db: DbOrTx): Promise<string[]> {
  const rows = await db.execute<{ name: string }>(
    sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = any(array['events'::regclass, 'deliveries'::regclass, 'delivery_attempts'::regclass])`,
  );
  const days = new Set<string>();
  for (const r of rows) {
    const m = DAY_SUFFIX.exec(r.name);
    if (m) days.add(`${m[1]}-${m[2]}-${m[3]}`);
  }
  return [...days].sort();
}

/** The UTC days the DEFAULT partitions hold rows of (normally none: the maintenance job moves them out). */
export async function defaultPartitionDays(db: DbOrTx): Promise<string[]> {
  const rows = await db.execute<{ day: string }>(
    sql`select distinct to_char(k at time zone 'UTC', 'YYYY-MM-DD') as day from (
          select created_at as k from events_default
          union all select created_at from deliveries_default
          union all select delivery_created_at from delivery_attempts_default) x order by 1`,
  );
  return rows.map((r) => r.day);
}

/**
 * Creates the three tables' partitions of one day, each unless it exists (the rows of that day move out of the
 * DEFAULT partition), in one transaction that waits at most PARTITION_LOCK_TIMEOUT for a lock. Returns the
 * partitions created.
 */
export async function createDayPartitions(db: Database, day: string): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(`set local lock_timeout = '${PARTITION_LOCK_TIMEOUT}'`));
    // One maintainer at a time (two workers starting together).
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('hookrelay_partitions'))`);
    const created: string[] = [];
    for (const { table, key } of PARTITIONED_TABLES) {
      const [row] = await tx.execute<{ created: boolean }>(
        sql`select hookrelay_create_partition(${table}, ${key}, ${day}::date) as created`,
      );
      if (row.created) created.push(`${table}_p${day.replaceAll("-", "")}`);
    }
    return created;
  });
}

/**
 * The UTC days pending work refers to: a queued or dispatched delivery's own day, and its event's day (a delivery
 * made by Recover or Resend may be days younger than its event). Only days before `before`. Found through each
 * webhook's (webhook_id, status, created_at) index, so it reads the pending deliveries only.
 */
export async function pendingDays(db: DbOrTx, before: string, onlyDay?: string): Promise<string[]> {
  const rows = await db.execute<{ day: string }>(
    sql`with pending as (
          select d.created_at, d.event_id from webhooks w
          cross join lateral (select created_at, event_id from deliveries d
            where d.webhook_id = w.id and d.status in ('queued', 'dispatched')) d
        ), referenced as (
          select created_at as at from pending
          union all
          select case when hookrelay_id_ms(event_id) is not null then hookrelay_id_lo(event_id)
            else (select min(e.created_at) from events e where e.id = pending.event_id) end from pending
        )
        select distinct to_char(at at time zone 'UTC', 'YYYY-MM-DD') as day from referenced
        where at < ${before}::date::timestamp at time zone 'UTC'
          ${onlyDay ? sql`and to_char(at at time zone 'UTC', 'YYYY-MM-DD') = ${onlyDay}` : sql``}
        order by 1`,
  );
  return rows.map((r) => r.day);
}

export type DropDayOutcome = { dropped: true } | { dropped: false; reason: string };

/**
 * Drops one day's partitions of the three tables, in one transaction: the day's partitions are locked first (nothing
 * can resend a delivery of that day or read its events for a Recover meanwhile), pending work referring to the day is
 * looked for again under that lock, then the partitions are dropped (which locks the parents for a moment). Waits at
 * most PARTITION_LOCK_TIMEOUT for any lock: a busy day is left for the next run.
 */
export async function dropDayPartitions(db: Database, day: string): Promise<DropDayOutcome> {
  const suffix = `_p${day.replaceAll("-", "")}`;
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  try {
    return await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local lock_timeout = '${PARTITION_LOCK_TIMEOUT}'`));
      const parts = await tx.execute<{ name: string }>(
        sql`select relname as name from pg_class where relname = any(${`{${PARTITIONED_TABLES.map((t) => t.table + suffix).join(",")}}`}::text[])`,
      );
      if (parts.length === 0) return { dropped: true as const };
      const names = parts.map((p) => `"${p.name}"`).join(", ");
      await tx.execute(sql.raw(`lock table ${names} in access exclusive mode`));
      if ((await pendingDays(tx, next, day)).length)
        return { dropped: false as const, reason: "pending deliveries refer to it" };
      await tx.execute(sql.raw(`drop table ${names}`));
      return { dropped: true as const };
    });
  } catch (err) {
    // 55P03 lock_not_available (lock_timeout), 40P01 deadlock_detected: someone was using the day; next run.
    const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
    if (code === "55P03" || code === "40P01") return { dropped: false, reason: "its tables were busy (lock timeout)" };
    throw err;
  }
}
