import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { QUEUES, ensureQueues } from "./boss";
import { sendEmailJob, type SendEmailJob } from "./send-email";

/** Registers every job handler on a started worker instance. */
export async function registerWorkers(boss: PgBoss, db: Database): Promise<void> {
  await ensureQueues(boss);
  await boss.work<SendEmailJob>(QUEUES.sendEmail, { batchSize: 5 }, async (jobs) => {
    for (const job of jobs) await sendEmailJob(db, job.data);
  });
}
