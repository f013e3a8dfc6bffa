import { z } from "zod";
import { defineJob, type PayloadOf } from "./define";

/** retry-deliveries: "Retry all failed" for a webhook, in batches (jobs/retry-deliveries.ts). */
export const retryDeliveries = defineJob({
  name: "retry-deliveries",
  schema: z.object({ bulkRetryId: z.string() }),
  queue: { notify: true, retryLimit: 3, retryDelay: 10, expireInSeconds: 600 },
  // Polled every second: the history page shows its progress.
  work: { localConcurrency: 1, pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1 },
});

export type RetryDeliveriesJob = PayloadOf<typeof retryDeliveries>;
