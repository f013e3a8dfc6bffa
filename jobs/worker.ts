import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import type { DeliverJob } from "@/lib/events/ingest";
import { QUEUES, ensureQueues } from "./boss";
import { deliverWebhookJobs, Slots, type SettleEarly } from "./deliver-webhook";
import { autoDisableWebhooks } from "./auto-disable";
import { notifyFailureJob, type NotifyFailureJob } from "./notify-failure";
import { purgeOldData } from "./purge";
import { retryDeliveriesJob, type RetryDeliveriesJob } from "./retry-deliveries";
import { sendEmailJob, type SendEmailJob } from "./send-email";

/**
 * Each webhook's jobs form a pg-boss group whose tier `c<N>` caps it at N active jobs (requests in
 * flight) across all worker processes: pg-boss's fetch skips a webhook with N active jobs. Pollers
 * fetching at the same moment can let a few more through; within a process Slots then holds the
 * extra ones back, so one process never has more than N of a webhook's requests out. (pg-boss's
 * in-memory localGroupConcurrency counts a job until its whole batch ends, so a fast webhook's jobs
 * fetched with a slow one's held its group at the limit for the slow one's timeout.)
 */
function webhookConcurrencyTiers(localConcurrency: number) {
  return {
    default: Math.min(10, localConcurrency),
    tiers: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`c${i + 1}`, Math.min(i + 1, localConcurrency)])),
  };
}

/** Registers every job handler on a started worker instance. */
export async function registerWorkers(boss: PgBoss, db: Database, options: { concurrency?: number } = {}): Promise<void> {
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
    if (purged.events || purged.attempts) console.log(`[purge-old-data] deleted ${purged.events} events and ${purged.attempts} delivery attempts past retention`);
  });
  await boss.work<RetryDeliveriesJob>(QUEUES.retryDeliveries, { batchSize: 1, localConcurrency: 1, pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1 }, async ([job]) => {
    await retryDeliveriesJob(db, boss, job.data);
  });
  await boss.work<SendEmailJob>(QUEUES.sendEmail, { batchSize: 1, localConcurrency: 2 }, async ([job]) => {
    await sendEmailJob(db, job.data);
  });
  // Each poller takes a batch of delivery jobs (DELIVERY_BATCH_SIZE, 10 by default) and the batch's
  // writes are batched too (deliverWebhookJobs): a few queries per batch instead of ~7 per delivery.
  // While fetches come back full a poller fetches again at once (a backlog); otherwise NOTIFY wakes
  // it for new jobs, and the 1 s poll picks up retries and execution delays when they come due.
  // Requests wait for a free slot (below), so a process sends at most that many at once; a
  // webhook's tier counts its active jobs, and a fetch skips webhooks at their limit. The outcomes of
  // a batch are written as the answers come in, and those jobs completed at once
  // (deliverWebhookJobs' completeEarly), so a slow receiver holds only its own jobs active.
  const batchSize = Math.max(1, Number(process.env.DELIVERY_BATCH_SIZE ?? 10));
  // Requests in flight per process: three times WORKER_CONCURRENCY by default, so that a few slow or
  // hanging receivers (each capped at its webhook's max concurrency) cannot take every slot and hold
  // up other webhooks' deliveries (tests/reliability/faulty-receivers.test.ts measures this).
  const slots = new Slots(Number(process.env.DELIVERY_MAX_REQUESTS ?? concurrency * 3));
  // A poller still waits for the slowest job of its batch before it fetches again, and a webhook may
  // have as many jobs active as its max concurrency (10 by default, WORKER_CONCURRENCY at most): two
  // slow or hanging webhooks could hold 20 pollers for their whole timeout. Twice WORKER_CONCURRENCY
  // pollers leave the others free then, and no single webhook can hold more than half of them
  // (tests/reliability/faulty-receivers.test.ts). A poller needs a connection only while it fetches.
  const pollers = Math.max(1, Number(process.env.DELIVERY_POLLERS ?? concurrency * 2));
  const settleEarly: SettleEarly = {
    groupLimit: (maxConcurrency) => Math.min(maxConcurrency, concurrency),
    // One idle poller fetches now (or, all busy, one fetches again as soon as its batch is done).
    wake: () => {
      const pollers = boss.getWipData().filter((w) => w.name === QUEUES.deliverWebhook);
      const poller = pollers.find((w) => w.count === 0) ?? pollers[0];
      if (poller) boss.notifyWorker(poller.id);
    },
  };
  await boss.work<DeliverJob>(
    QUEUES.deliverWebhook,
    {
      batchSize,
      localConcurrency: pollers,
      burstWhenBatchFull: true,
      perJobResults: true,
      pollingIntervalSeconds: 1,
      notifyPollingIntervalSeconds: 1,
      groupConcurrency: webhookConcurrencyTiers(concurrency),
    },
    async (jobs) => deliverWebhookJobs(db, boss, jobs, { slots, settleEarly }),
  );
}
