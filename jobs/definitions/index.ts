import { autoDisable } from "./auto-disable";
import { deliverWebhook } from "./deliver-webhook";
import { maintainPartitionsJob } from "./maintain-partitions";
import { notifyFailure } from "./notify-failure";
import { passwordReset } from "./password-reset";
import { purgeOldData } from "./purge-old-data";
import { retryDeliveries } from "./retry-deliveries";
import { sendEmail } from "./send-email";

/**
 * Every background job, one definition each (this folder). jobs/boss.ts creates their queues from
 * this list, jobs/worker.ts runs each with its handler, and every sender goes through `enqueue`.
 * A new job: a file here, a line in this list, its handler in jobs/worker.ts (the type asks for it).
 */
export const JOBS = [
  deliverWebhook,
  sendEmail,
  notifyFailure,
  retryDeliveries,
  passwordReset,
  autoDisable,
  purgeOldData,
  maintainPartitionsJob,
] as const;

export type AnyJob = (typeof JOBS)[number];
export type JobName = AnyJob["name"];

export * from "./auto-disable";
export * from "./deliver-webhook";
export * from "./maintain-partitions";
export * from "./notify-failure";
export * from "./password-reset";
export * from "./purge-old-data";
export * from "./retry-deliveries";
export * from "./send-email";
export { companyGroup, JobPayloadError, parsePayload, type JobDefinition, type PayloadOf } from "./define";
export { enqueue, enqueueMany, type EnqueueOptions, type EnqueueManyJob } from "./enqueue";
