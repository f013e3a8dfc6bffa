import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { ensureQueues } from "./boss";
import { JOBS, parsePayload, type AnyJob, type JobDefinition, type PayloadOf } from "./definitions";
import { env } from "@/lib/env";
import { renderSandbox } from "@/lib/sandbox/render-pool";
import { watchAppPool, watchBossPool, watchJobsInHand } from "@/lib/metrics";
import { Slots } from "./slots";
import { listenForJobs, QueueRunner } from "./queue-runner";
import { DeliveryDispatcher, listenForDeliveryJobs } from "./delivery-dispatcher";
import { autoDisableWebhooks } from "./auto-disable";
import { notifyFailureJob } from "./notify-failure";
import { purgeOldData } from "./purge";
import { maintainPartitions } from "./partitions";
import { purgeAccountLeftovers } from "@/db/queries/accounts";
import { retryDeliveriesJob } from "./retry-deliveries";
import { sendEmailJob } from "./send-email";
import { passwordResetJob } from "./password-reset";
import { errorFields, log } from "@/lib/log";

/**
 * The jobs run one per handler call: by pg-boss's work() (a definition with `work`) or the prompt loop (`prompt`,
 * jobs/queue-runner.ts); deliver-webhook has its own fetch loop.
 */
type WorkedJob = Extract<AnyJob, { work: object } | { prompt: object }>;
/** One handler per worked job, given its payload as its schema reads it: a definition without one does not compile. */
type Handlers = { [J in WorkedJob as J["name"]]: (payload: PayloadOf<J>) => Promise<unknown> };

function handlers(boss: PgBoss, db: Database): Handlers {
  return {
    "notify-failure": (job) => notifyFailureJob(db, boss, job),
    "auto-disable": () => autoDisableWebhooks(db, boss),
    "purge-old-data": async () => {
      const purged = await purgeOldData(db);
      await purgeAccountLeftovers(db);
      if (purged.droppedDays.length)
        log.info(
          { job: "purge-old-data", days: purged.droppedDays },
          `dropped the history of ${purged.droppedDays.join(", ")} (past every retention)`,
        );
      for (const held of purged.heldBackDays)
        log.info(
          { job: "purge-old-data", day: held.day },
          `kept the history of ${held.day} for now: ${held.reason}; trying again next run`,
        );
      if (purged.events || purged.attempts)
        log.info(
          { job: "purge-old-data", ...purged },
          `deleted ${purged.events} events and ${purged.attempts} delivery attempts past retention`,
        );
      return purged;
    },
    "maintain-partitions": () => logPartitions(db),
    "retry-deliveries": (job) => retryDeliveriesJob(db, boss, job),
    "send-email": (job) => sendEmailJob(db, job),
    "password-reset": (job) => passwordResetJob(db, job),
  };
}

/**
 * Runs every worked job with its handler (one job per call, its payload parsed by its schema: a
 * malformed one fails the job) and sets up the schedules, all from the definitions. The prompt
 * queues (the notifications) get their own fetch loops, returned to be stopped with the worker.
 */
async function workJobs(boss: PgBoss, db: Database): Promise<QueueRunner[]> {
  // By name, for the loop below: parsePayload hands each handler its own job's payload.
  const byName = handlers(boss, db) as unknown as Record<string, (payload: unknown) => Promise<unknown>>;
  const runners: QueueRunner[] = [];
  for (const job of JOBS as readonly JobDefinition[]) {
    if (job.prompt) {
      const runner = new QueueRunner(boss, job, byName[job.name], job.prompt);
      await runner.start(listenForJobs(db, job.name));
      runners.push(runner);
      continue;
    }
    if (!job.work) continue;
    // pg-boss schedules are cluster-wide: each occurrence runs on one worker.
    if (job.schedule) await boss.schedule(job.name, job.schedule.cron, null, job.schedule.options);
    await boss.work(job.name, { ...job.work, batchSize: 1 }, async ([taken]) => {
      await byName[job.name](parsePayload(job, taken.data));
    });
  }
  return runners;
}

/**
 * Each webhook's jobs form a pg-boss group whose tier `c<N>` caps it at N active jobs (requests in
 * flight) across all worker processes: pg-boss's fetch skips a webhook with N active jobs. Jobs are
 * completed as soon as their outcome is written (the dispatcher), so the count is what is in flight.
 */
export function webhookConcurrencyTiers(capacity: number) {
  // No webhook takes more than half of a process's room: one hanging receiver with a max concurrency
  // of 100 must not hold every place for its timeout.
  const most = Math.max(1, Math.floor(capacity / 2));
  return {
    default: Math.min(10, most),
    tiers: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`c${i + 1}`, Math.min(i + 1, most)])),
  };
}

/** Keeps the history's daily partitions made ahead (jobs/partitions.ts) and says what it did. */
async function logPartitions(db: Database) {
  const result = await maintainPartitions(db);
  if (result.created.length)
    log.info({ job: "maintain-partitions", days: result.created }, `created ${result.created.join(", ")}`);
  for (const f of result.failed)
    log.warn(
      { job: "maintain-partitions", day: f.day },
      `could not create the partitions of ${f.day} (${f.error}); next run`,
    );
  return result;
}

/** Registers every job handler on a started worker instance. */
export async function registerWorkers(
  boss: PgBoss,
  db: Database,
  options: { concurrency?: number } = {},
): Promise<DeliveryDispatcher> {
  await ensureQueues(boss);
  // The history's partitions ahead exist before this worker (or anything) writes: made at every start, then hourly.
  await logPartitions(db).catch((err: unknown) =>
    log.error({ job: "maintain-partitions", ...errorFields(err) }, "could not make the partitions at start"),
  );
  const concurrency = options.concurrency ?? env.WORKER_CONCURRENCY;
  const runners = await workJobs(boss, db);
  // Deliveries: one fetch loop per process (jobs/delivery-dispatcher.ts) keeps up to
  // DELIVERY_MAX_REQUESTS jobs in hand, fetching up to DELIVERY_BATCH_SIZE at a time whenever room is
  // free; each batch's writes are batched too (deliverWebhookJobs) and its jobs are completed as their
  // answers are written, so a slow receiver holds only its own jobs. Five times WORKER_CONCURRENCY by
  // default: more than a few slow or hanging webhooks can take (each is capped at its max
  // concurrency), so they cannot hold up the others (tests/reliability/faulty-receivers.test.ts).
  // Batches of 50 with room for 100: 1,500 deliveries/s in the bench against 1,300 for 25 and 60
  // (fewer statements per delivery); room for 150 or 200 was slower (a webhook at its group limit is
  // then fetched a few freed places at a time). A webhook gets at most half the room (its tier).
  const capacity = env.DELIVERY_MAX_REQUESTS ?? concurrency * 5;
  const batchSize = env.DELIVERY_BATCH_SIZE;
  // The template sandbox's processes start now, not on the first templated delivery.
  renderSandbox().warm();
  const dispatcher = new DeliveryDispatcher(boss, db, {
    capacity,
    batchSize,
    groupConcurrency: webhookConcurrencyTiers(capacity),
    slots: new Slots(capacity),
  });
  await dispatcher.start(listenForDeliveryJobs(db));
  // Read at scrape time (lib/metrics.ts): the jobs in hand and both connection pools.
  watchJobsInHand(() => ({ inHand: dispatcher.size, capacity }));
  watchBossPool(boss);
  watchAppPool(db);
  // Stopping pg-boss stops the dispatcher first (graceful: the jobs in hand are finished first).
  const stopBoss = boss.stop.bind(boss);
  boss.stop = async (options) => {
    const timeoutMs = options?.graceful === false ? 0 : (options?.timeout ?? 30_000);
    await Promise.all([
      dispatcher.stop({ graceful: options?.graceful ?? true, timeoutMs: options?.timeout ?? 30_000 }),
      ...runners.map((r) => r.stop(timeoutMs)),
    ]);
    return stopBoss(options);
  };
  return dispatcher;
}
