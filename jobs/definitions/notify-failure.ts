import { z } from "zod";
import { defineJob, type PayloadOf } from "./define";

/** notify-failure: emails a webhook's people that a delivery failed for good (jobs/notify-failure.ts), at most once an
 * hour per webhook. */
export const notifyFailure = defineJob({
  name: "notify-failure",
  schema: z.object({ webhookId: z.string(), deliveryId: z.string() }),
  queue: { notify: true, retryLimit: 5, retryDelay: 30, retryBackoff: true, expireInSeconds: 120 },
  work: { localConcurrency: 1 },
});

export type NotifyFailureJob = PayloadOf<typeof notifyFailure>;
