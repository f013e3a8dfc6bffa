import { z } from "zod";
import { defineJob, type PayloadOf } from "./define";

/** send-email: sends one outbox email (jobs/send-email.ts); queued with its outbox row (lib/outbox.ts enqueueEmail). */
export const sendEmail = defineJob({
  name: "send-email",
  schema: z.object({ notificationId: z.string() }),
  queue: { notify: true, retryLimit: 5, retryDelay: 30, retryBackoff: true, expireInSeconds: 120 },
  work: { localConcurrency: 2 },
});

export type SendEmailJob = PayloadOf<typeof sendEmail>;
