import { defineJob, noPayload } from "./define";

/**
 * purge-old-data: every hour, data past each company's retention is deleted in small batches
 * (jobs/purge.ts); after downtime, one catch-up run. One run at a time (singleton), and a long one
 * is not retried while it runs.
 */
export const purgeOldData = defineJob({
  name: "purge-old-data",
  schema: noPayload,
  queue: { policy: "singleton", retryLimit: 1, expireInSeconds: 3600 },
  work: { localConcurrency: 1 },
  schedule: { cron: "7 * * * *", options: { missed: "once" } },
});
