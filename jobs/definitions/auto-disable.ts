import { defineJob, noPayload } from "./define";

/** auto-disable: every 15 minutes one worker switches off webhooks failing too long (jobs/auto-disable.ts). */
export const autoDisable = defineJob({
  name: "auto-disable",
  schema: noPayload,
  queue: { retryLimit: 1, expireInSeconds: 300 },
  work: {},
  schedule: { cron: "*/15 * * * *" },
});
