import { defineJob, noPayload } from "./define";

/**
 * maintain-partitions: every hour (and at each worker's start, jobs/worker.ts), the history's daily partitions from
 * today to 14 days ahead are created, and rows caught by a DEFAULT partition moved into a day of their own
 * (jobs/partitions.ts). One run at a time.
 */
export const maintainPartitionsJob = defineJob({
  name: "maintain-partitions",
  schema: noPayload,
  queue: { policy: "singleton", retryLimit: 1, expireInSeconds: 600 },
  work: { localConcurrency: 1 },
  schedule: { cron: "17 * * * *", options: { missed: "once" } },
});
