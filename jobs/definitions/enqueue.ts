import type { JobInsert, JobOptions, PgBoss, QueueOptions } from "pg-boss";
import { preparedBossDb, type DbOrTx } from "@/db";
import { parsePayload, type JobDefinition, type PayloadOf } from "./define";

/** What a single job may set besides its payload (pg-boss's send options, without the connection). */
export type EnqueueOptions = JobOptions & QueueOptions;
/** One job of a bulk enqueue: its payload and pg-boss's insert options. */
export type EnqueueManyJob<D extends JobDefinition> = Omit<JobInsert, "data"> & { data: PayloadOf<D> };

/**
 * Queues one job on `db`'s connection or, given a transaction, in it: the job exists only if the
 * transaction commits (an outbox row and its send-email job, a delivery and its job). The payload is
 * checked against the job's schema first. `boss` is a started pg-boss instance (it knows the
 * queues); the statement runs prepared on `db`'s connection (db/index.ts preparedBossDb).
 */
export async function enqueue<D extends JobDefinition>(
  boss: PgBoss,
  db: DbOrTx,
  job: D,
  payload: PayloadOf<D>,
  options: EnqueueOptions = {},
): Promise<string | null> {
  return boss.send(job.name, parsePayload(job, payload) as object, { ...options, db: preparedBossDb(db) });
}

/**
 * Queues many jobs of one kind in one statement (pg-boss's insert): the events intake's fan-out,
 * retries, "Retry all failed". Unlike `enqueue` it knows no throttling (`singletonNextSlot`).
 */
export async function enqueueMany<D extends JobDefinition>(
  boss: PgBoss,
  db: DbOrTx,
  job: D,
  jobs: EnqueueManyJob<D>[],
): Promise<void> {
  if (jobs.length === 0) return;
  await boss.insert(
    job.name,
    jobs.map((j) => ({ ...j, data: parsePayload(job, j.data) as object })),
    { db: preparedBossDb(db) },
  );
}
