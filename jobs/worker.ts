import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import type { DeliverJob } from "@/lib/events/ingest";
import { QUEUES, ensureQueues } from "./boss";
import { deliverWebhookJobs, Slots } from "./deliver-webhook";
import { autoDisableWebhooks } from "./auto-disable";
import { notifyFailureJob, type NotifyFailureJob } from "./notify-failure";
import { purgeOldData } from "./purge";
import { retryDeliveriesJob, type RetryDeliveriesJob } from "./retry-deliveries";
import { sendEmailJob, type SendEmailJob } from "./send-email";

/**
 * Each webhook's jobs form a pg-boss group whose tier `c<N>` caps it at N requests at once within a
 * worker process (pg-boss counts them in memory; its database-wide groupConcurrency can overshoot
 * under concurrent fetches). With W worker processes a webhook sees at most W × N at once.
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
  // webhook's tier counts its jobs in hand, and a poller skips webhooks at their limit.
  const batchSize = Math.max(1, Number(process.env.DELIVERY_BATCH_SIZE ?? 10));
  // Requests in flight per process: three times the pollers by default, so that a few slow or
  // hanging receivers (each capped at its webhook's max concurrency) cannot take every slot and hold
  // up other webhooks' deliveries (tests/reliability/faulty-receivers.test.ts measures this).
  const slots = new Slots(Number(process.env.DELIVERY_MAX_REQUESTS ?? concurrency * 3));
  await boss.work<DeliverJob>(
    QUEUES.deliverWebhook,
    {
      batchSize,
      localConcurrency: concurrency,
      burstWhenBatchFull: true,
      perJobResults: true,
      pollingIntervalSeconds: 1,
      notifyPollingIntervalSeconds: 1,
      localGroupConcurrency: webhookConcurrencyTiers(concurrency),
    },
    async (jobs) => deliverWebhookJobs(db, boss, jobs, { slots }),
  );
}
