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
