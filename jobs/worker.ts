import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import type { DeliverJob } from "@/lib/events/ingest";
import { QUEUES, ensureQueues } from "./boss";
import { deliverWebhook } from "./deliver-webhook";
import { sendEmailJob, type SendEmailJob } from "./send-email";

/** Registers every job handler on a started worker instance. */
export async function registerWorkers(boss: PgBoss, db: Database, options: { concurrency?: number } = {}): Promise<void> {
  await ensureQueues(boss);
  const concurrency = options.concurrency ?? Number(process.env.WORKER_CONCURRENCY ?? 20);
  await boss.work<SendEmailJob>(QUEUES.sendEmail, { batchSize: 1, localConcurrency: 2 }, async ([job]) => {
    await sendEmailJob(db, job.data);
  });
  // One job at a time per local worker: a slow receiver holds only its own slot. NOTIFY wakes
  // workers for new jobs; the 1 s poll picks up retries and execution delays when they come due.
  await boss.work<DeliverJob>(QUEUES.deliverWebhook, { batchSize: 1, localConcurrency: concurrency, pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1 }, async ([job]) => {
    await deliverWebhook(db, boss, job.data);
  });
}
