import { desc, eq, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { workers } from "../schema";

/** A worker process's row, made when it starts (jobs/worker-heartbeat.ts). */
export async function registerWorker(db: DbOrTx, hostname: string, pid: number): Promise<string> {
  // Rows of workers gone for a week are of no use to anyone: each start sweeps them.
  await db.delete(workers).where(lt(workers.lastSeenAt, sql`now() - interval '7 days'`));
  const [row] = await db.insert(workers).values({ hostname, pid }).returning({ id: workers.id });
  return row.id;
}

/** A beat: still alive, with its counters; `stopped` when it stops cleanly. */
export async function beatWorker(
  db: DbOrTx,
  id: string,
  figures: { deliveryJobs: number; jobsInHand: number; stopped?: boolean },
): Promise<void> {
  await db
    .update(workers)
    .set({
      lastSeenAt: sql`now()`,
      deliveryJobs: figures.deliveryJobs,
      jobsInHand: figures.jobsInHand,
      ...(figures.stopped ? { stoppedAt: sql`now()` } : {}),
    })
    .where(eq(workers.id, id));
}

/** Every worker row, newest first (the reliability test; an operator reads the table the same way). */
export function listWorkers(db: DbOrTx) {
  return db.select().from(workers).orderBy(desc(workers.startedAt));
}
