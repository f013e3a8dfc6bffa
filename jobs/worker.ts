import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { QUEUES, ensureQueues } from "./boss";
import { renderSandbox } from "@/lib/sandbox/render-pool";
import { Slots } from "./slots";
import { DeliveryDispatcher, listenForDeliveryJobs } from "./delivery-dispatcher";
import { autoDisableWebhooks } from "./auto-disable";
import { notifyFailureJob, type NotifyFailureJob } from "./notify-failure";
import { purgeOldData } from "./purge";
import { purgeAccountLeftovers } from "@/db/queries/accounts";
import { retryDeliveriesJob, type RetryDeliveriesJob } from "./retry-deliveries";
import { sendEmailJob, type SendEmailJob } from "./send-email";
import { passwordResetJob, type PasswordResetJob } from "./password-reset";

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

/** Registers every job handler on a started worker instance. */
export async function registerWorkers(boss: PgBoss, db: Database, options: { concurrency?: number } = {}): Promise<DeliveryDispatcher> {
  await ensureQueues(boss);
  const concurrency = options.concurrency ?? Number(process.env.WORKER_CONCURRENCY ?? 20);
  await boss.work<NotifyFailureJob>(QUEUES.notifyFailure, { batchSize: 1, localConcurrency: 1 }, async ([job]) => {
    await notifyFailureJob(db, boss, job.data);
  });
  // Every 15 minutes one worker (pg-boss schedules are cluster-wide) switches off webhooks failing too long.
  await boss.schedule(QUEUES.autoDisable, "*/15 * * * *");
  await boss.work(QUEUES.autoDisable, { batchSize: 1 }, async () => {
    await autoDisableWebhooks(db, boss);
  });
  // Every hour, data past each company's retention is deleted in small batches; after downtime, one catch-up run.
  await boss.schedule(QUEUES.purgeOldData, "7 * * * *", null, { missed: "once" });
  await boss.work(QUEUES.purgeOldData, { batchSize: 1, localConcurrency: 1 }, async () => {
    const purged = await purgeOldData(db);
    await purgeAccountLeftovers(db);
    if (purged.events || purged.attempts) console.log(`[purge-old-data] deleted ${purged.events} events and ${purged.attempts} delivery attempts past retention`);
  });
  await boss.work<RetryDeliveriesJob>(QUEUES.retryDeliveries, { batchSize: 1, localConcurrency: 1, pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1 }, async ([job]) => {
    await retryDeliveriesJob(db, boss, job.data);
  });
  await boss.work<SendEmailJob>(QUEUES.sendEmail, { batchSize: 1, localConcurrency: 2 }, async ([job]) => {
    await sendEmailJob(db, job.data);
  });
  await boss.work<PasswordResetJob>(QUEUES.passwordReset, { batchSize: 1, localConcurrency: 2 }, async ([job]) => {
    await passwordResetJob(db, job.data);
  });
  // Deliveries: one fetch loop per process (jobs/delivery-dispatcher.ts) keeps up to
  // DELIVERY_MAX_REQUESTS jobs in hand, fetching up to DELIVERY_BATCH_SIZE at a time whenever room is
  // free; each batch's writes are batched too (deliverWebhookJobs) and its jobs are completed as their
  // answers are written, so a slow receiver holds only its own jobs. Five times WORKER_CONCURRENCY by
  // default: more than a few slow or hanging webhooks can take (each is capped at its max
  // concurrency), so they cannot hold up the others (tests/reliability/faulty-receivers.test.ts).
  // Batches of 50 with room for 100: 1,500 deliveries/s in the bench against 1,300 for 25 and 60
  // (fewer statements per delivery); room for 150 or 200 was slower (a webhook at its group limit is
  // then fetched a few freed places at a time). A webhook gets at most half the room (its tier).
  const capacity = Math.max(1, Number(process.env.DELIVERY_MAX_REQUESTS ?? concurrency * 5));
  const batchSize = Math.max(1, Number(process.env.DELIVERY_BATCH_SIZE ?? 50));
  // The template sandbox's processes start now, not on the first templated delivery.
  renderSandbox().warm();
  const dispatcher = new DeliveryDispatcher(boss, db, { capacity, batchSize, groupConcurrency: webhookConcurrencyTiers(capacity), slots: new Slots(capacity) });
  await dispatcher.start(listenForDeliveryJobs(db));
  // Stopping pg-boss stops the dispatcher first (graceful: the jobs in hand are finished first).
  const stopBoss = boss.stop.bind(boss);
  boss.stop = async (options) => {
    await dispatcher.stop({ graceful: options?.graceful ?? true, timeoutMs: options?.timeout ?? 30_000 });
    return stopBoss(options);
  };
  return dispatcher;
}
