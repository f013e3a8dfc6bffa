import { z } from "zod";
import { defineJob, type PayloadOf } from "./define";

/**
 * send-email: sends one outbox email (jobs/send-email.ts); queued with its outbox row (lib/outbox.ts enqueueEmail), in
 * its company's pg-boss group (`companyGroup`): at most two of a company's emails are sent at once across all workers,
 * so a burst of one company's emails (many failing webhooks × many admins) never queues another company's behind it.
 */
export const sendEmail = defineJob({
  name: "send-email",
  schema: z.object({ notificationId: z.string() }),
  queue: { notify: true, retryLimit: 5, retryDelay: 30, retryBackoff: true, expireInSeconds: 120 },
  prompt: { concurrency: 4, groupConcurrency: 2 },
});

export type SendEmailJob = PayloadOf<typeof sendEmail>;
