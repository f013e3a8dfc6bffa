/**
 * The delivery history's statuses and the shapes the history and events components show: shared
 * by db/ (the schema and its queries) and components/. Imports nothing.
 */

/** queued → dispatched → success | failed (or back to queued for a retry); skipped for a disabled webhook. */
export const DELIVERY_STATUSES = ["queued", "dispatched", "success", "failed", "skipped"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A delivery an event made: to which webhook, and how it went. */
export interface MatchedDelivery {
  id: string;
  eventId: string;
  webhookId: string;
  webhookName: string;
  status: DeliveryStatus;
  lastStatusCode: number | null;
  attempts: number;
}

/** A "Retry all failed" run as its progress shows (a bulk_retries row fits). */
export interface BulkRetryProgress {
  /** queued → running → completed | failed */
  state: string;
  /** How many deliveries it re-queues; null until counted. */
  total: number | null;
  done: number;
  /** Which deliveries: failed, and skipped ones too when asked. */
  statuses: DeliveryStatus[];
  error: string | null;
}

/** What a delivery's status is called where it is shown (history, its page, the events list). */
const STATUS_LABELS: Record<DeliveryStatus, string> = {
  queued: "Retrying",
  dispatched: "Sending",
  success: "Success",
  failed: "Failed",
  skipped: "Skipped",
};

/**
 * A delivery's status in words: a queued one is "Queued" until its first attempt (it waits for the execution delay,
 * its batch window or the daily call limit, or for a worker) and "Retrying" once an attempt failed. Without the
 * attempt count (a webhook's last outcome) a queued one is "Retrying", as before.
 */
export function deliveryStatusLabel(status: string, attempts?: number): string {
  if (status === "queued" && attempts === 0) return "Queued";
  return STATUS_LABELS[status as DeliveryStatus] ?? status;
}

/** Why a delivery not attempted yet waits, and until when (null: due now, a worker takes it next). */
export interface QueuedWait {
  reason: "daily_limit" | "batch_window" | "delay" | "worker";
  until: Date | null;
}

/** The daily call limit's deferral, as db/queries/delivery-state.ts records it on the delivery. */
export const DAILY_LIMIT_REASON = "Daily call limit reached: deferred to the next day";

export function queuedWait(
  d: {
    status: string;
    attempts: number;
    nextAttemptAt: Date | null;
    deferredReason: string | null;
    batchKey?: string | null;
    createdAt: Date;
  },
  now: number,
): QueuedWait | null {
  if (d.status !== "queued" || d.attempts !== 0) return null;
  const until = d.nextAttemptAt && d.nextAttemptAt.getTime() > now ? d.nextAttemptAt : null;
  if (!until) return { reason: "worker", until: null };
  // Every daily limit's reason (the company's, the plan's, the webhook owner's) says it waits for the next day.
  if (d.deferredReason?.includes("deferred to the next day")) return { reason: "daily_limit", until };
  if (d.batchKey) return { reason: "batch_window", until };
  return { reason: "delay", until };
}

/** "Waits for the execution delay until 14:05 UTC" — `format` writes the time (lib/format.ts formatUntil). */
export function queuedWaitText(wait: QueuedWait, format: (date: Date) => string): string {
  if (wait.reason === "worker" || !wait.until) return "Not sent yet: due now, a worker takes it next";
  const what = { daily_limit: "the daily call limit", batch_window: "its batch window", delay: "the execution delay" }[
    wait.reason
  ];
  return `Waits for ${what} until ${format(wait.until)}`;
}
