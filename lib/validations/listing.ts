import { z } from "zod";
import { DELIVERY_STATUSES } from "@/db/schema";

/**
 * Inputs of the read actions (listing pages and the management API). Numbers are coerced so that
 * query-string values ("2") parse the same as numbers.
 */
export const listWebhooksSchema = z.object({
  q: z.string().trim().max(200, "Search at most 200 characters").optional(),
  sort: z.enum(["created", "name", "lastSent"], { error: "sort is one of created, name, lastSent" }).optional(),
  dir: z.enum(["asc", "desc"], { error: "dir is asc or desc" }).optional(),
  page: z.coerce
    .number({ error: "page must be a number" })
    .int("page must be a whole number")
    .min(1, "page starts at 1")
    .max(100_000)
    .default(1),
  pageSize: z.coerce
    .number({ error: "pageSize must be a number" })
    .int("pageSize must be a whole number")
    .min(1, "pageSize is at least 1")
    .max(100, "pageSize is at most 100")
    .default(20),
});

export const listDeliveriesSchema = z.object({
  webhookId: z.uuid("Choose a webhook"),
  status: z.enum(DELIVERY_STATUSES, { error: `status is one of ${DELIVERY_STATUSES.join(", ")}` }).optional(),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().max(200, "Not a cursor of this API").optional(),
  limit: z.coerce
    .number({ error: "limit must be a number" })
    .int("limit must be a whole number")
    .min(1, "limit is at least 1")
    .max(100, "limit is at most 100")
    .default(20),
});

export const deliveryIdSchema = z.object({ deliveryId: z.uuid("Choose a delivery") });

export const RETRY_PERIODS = ["24h", "7d", "30d", "all"] as const;
export const retryFailedSchema = z.object({
  webhookId: z.uuid("Choose a webhook"),
  /** Deliveries created within this period before now. */
  period: z.enum(RETRY_PERIODS, { error: `period is one of ${RETRY_PERIODS.join(", ")}` }).default("24h"),
  /** Replay the deliveries skipped while the webhook was switched off, too. */
  includeSkipped: z.boolean().default(false),
});

/** "Recover since": every event of the webhook's types since `since` that did not reach it is sent (again). */
export const recoverWebhookSchema = z.object({
  webhookId: z.uuid("Choose a webhook"),
  since: z.iso
    .datetime({ offset: true, error: "since must be an ISO 8601 time, e.g. 2026-11-23T10:00:00Z" })
    .refine((v) => Date.parse(v) <= Date.now(), "since must be in the past"),
});
