import type { Database } from "@/db";
import { PARTITION_DAYS_AHEAD, utcDayOf } from "@/db/partitions";
import { createDayPartitions, defaultPartitionDays } from "@/db/queries/partitions";

const DAY_MS = 86_400_000;

export interface MaintainResult {
  /** The partitions created (`deliveries_p20261212` …). */
  created: string[];
  /** Days that could not be made this run (a lock was busy), with the error: tried again next run. */
  failed: { day: string; error: string }[];
}

/**
 * Keeps the history's partitions created ahead: every day from today to today + PARTITION_DAYS_AHEAD (UTC) for the
 * three tables, and a day of its own for any row that landed in a DEFAULT partition (a day with no partition yet, e.g.
 * far in the past or future): its rows move into the new partition. Each day in its own short transaction, waiting at
 * most a moment for locks; a day that fails is reported and made on the next run (hourly, and at worker start).
 *
 * Inserts never fail for a missing partition: a row of a day without one goes to the DEFAULT partition. This job
 * only keeps DEFAULT empty, so that lookups by id prune to one day and retention can drop whole days.
 */
export async function maintainPartitions(
  db: Database,
  options: { now?: Date; daysAhead?: number } = {},
): Promise<MaintainResult> {
  const now = options.now ?? new Date();
  const ahead = options.daysAhead ?? PARTITION_DAYS_AHEAD;
  const days = new Set(await defaultPartitionDays(db));
  for (let i = 0; i <= ahead; i++) days.add(utcDayOf(new Date(now.getTime() + i * DAY_MS)));
  const result: MaintainResult = { created: [], failed: [] };
  for (const day of [...days].sort()) {
    try {
      result.created.push(...(await createDayPartitions(db, day)));
    } catch (err) {
      result.failed.push({ day, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}
