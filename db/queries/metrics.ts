import { sql } from "drizzle-orm";
import { APP_POOL_NAME, type Database } from "@/db";

/** One pg-boss queue's jobs at scrape time (lib/metrics.ts). */
export interface QueueStats {
  queue: string;
  /** Waiting to be fetched (created or retry, start time passed). */
  due: number;
  /** A retry or deferral whose start time has not come yet. */
  scheduled: number;
  /** In a worker's hands. */
  active: number;
  /** How long the oldest due job has waited since it came due (0 when none waits). */
  oldestDueSeconds: number;
}

/**
 * Every queue's depth and its oldest due job, in one statement on pg-boss's job table (its index on name, state,
 * start_after covers the live states). Run at scrape time only, never per event or delivery.
 */
export async function queueStats(db: Database): Promise<QueueStats[]> {
  const rows = await db.execute<{ queue: string; due: string; scheduled: string; active: string; oldest: string }>(sql`
    select q.name as queue,
      count(j.id) filter (where j.state in ('created', 'retry') and j.start_after <= now()) as due,
      count(j.id) filter (where j.state in ('created', 'retry') and j.start_after > now()) as scheduled,
      count(j.id) filter (where j.state = 'active') as active,
      coalesce(extract(epoch from now() - min(j.start_after)
        filter (where j.state in ('created', 'retry') and j.start_after <= now())), 0) as oldest
    from pgboss.queue q
    left join pgboss.job j on j.name = q.name and j.state in ('created', 'retry', 'active')
    group by q.name
    order by q.name`);
  return rows.map((r) => ({
    queue: r.queue,
    due: Number(r.due),
    scheduled: Number(r.scheduled),
    active: Number(r.active),
    oldestDueSeconds: Math.max(0, Number(r.oldest)),
  }));
}

/**
 * This process's app pool (postgres.js, which keeps its counts to itself) as PostgreSQL sees it: its connections
 * carry APP_POOL_NAME as their application_name. The connection asking is busy with the question, and not counted.
 */
export async function appPoolCounts(db: Database): Promise<{ busy: number; idle: number }> {
  const rows = await db.execute<{ busy: string; idle: string }>(sql`
    select count(*) filter (where state is distinct from 'idle') - 1 as busy,
      count(*) filter (where state = 'idle') as idle
    from pg_stat_activity where application_name = ${APP_POOL_NAME}`);
  return { busy: Math.max(0, Number(rows[0]?.busy ?? 0)), idle: Number(rows[0]?.idle ?? 0) };
}
