import { z } from "zod";
import { defineJob, type PayloadOf } from "./define";

/** The two failure emails: at a delivery's first failed attempt (retries follow), and when it fails for good. */
export const FAILURE_NOTICE_KINDS = ["first_failure", "failed"] as const;
export type FailureNoticeKind = (typeof FAILURE_NOTICE_KINDS)[number];

/**
 * notify-failure: emails a webhook's people about a failed attempt (jobs/notify-failure.ts), built from that attempt's
 * log row (`deliveryId` + `attemptNumber`), at most once an hour per webhook and kind. A job queued before the kinds
 * existed carries neither: it is a "failed for good" notice about the delivery's last attempt.
 *
 * Notifications must not wait behind other companies' work: the worker runs them in its own prompt loop
 * (jobs/queue-runner.ts), four at once, each job in its company's pg-boss group (`companyGroup`) with at most one per
 * company running, so one company's burst (many failing webhooks) holds one place while the others' notices go out.
 */
export const notifyFailure = defineJob({
  name: "notify-failure",
  schema: z.object({
    webhookId: z.string(),
    deliveryId: z.string(),
    attemptNumber: z.number().int().positive().optional(),
    kind: z.enum(FAILURE_NOTICE_KINDS).default("failed"),
    companyId: z.string().optional(),
  }),
  queue: { notify: true, retryLimit: 5, retryDelay: 30, retryBackoff: true, expireInSeconds: 120 },
  prompt: { concurrency: 4, groupConcurrency: 1 },
});

export type NotifyFailureJob = PayloadOf<typeof notifyFailure>;
