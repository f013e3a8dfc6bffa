import { z } from "zod";
import { defineJob, type PayloadOf } from "./define";

/**
 * deliver-webhook: sends one delivery, or (batch window) every queued delivery of one webhook's
 * batch. Enqueued by the events intake (lib/events/ingest.ts), a resend, "Retry all failed", and the
 * delivery pipeline itself (retries, the next day's deferrals); run by the worker's fetch loop
 * (jobs/delivery-dispatcher.ts), not by pg-boss's work().
 *
 * Delivery retries follow the webhook's own policy (new jobs with startAfter); pg-boss's retries
 * only cover a worker that died or threw (e.g. the database was down). A job whose worker died
 * expires and runs again: at-least-once, receivers dedupe on webhook-id.
 */
export const deliverWebhook = defineJob({
  name: "deliver-webhook",
  schema: z.object({
    deliveryId: z.string().optional(),
    webhookId: z.string().optional(),
    batchKey: z.string().optional(),
    /** A resend asked for by this user: sent once as a manual attempt (no retries), logged with them. */
    manual: z.object({ userId: z.string() }).optional(),
    /** Whose delivery this is: the worker shares its room between companies (jobs/delivery-dispatcher.ts). */
    companyId: z.string().optional(),
    /**
     * The W3C trace context of the request that queued it (only when tracing is on, lib/tracing.ts): the worker's
     * span joins that trace. A retry carries it on, so every attempt of a delivery is in its intake's trace.
     */
    traceparent: z.string().max(128).optional(),
  }),
  queue: { notify: true, retryLimit: 10, retryDelay: 2, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 60 },
});

/** A job delivers one delivery, or (batch window) every queued delivery of one webhook's batch. */
export type DeliverJob = PayloadOf<typeof deliverWebhook>;

/**
 * Events a company may post in one second before its further events' delivery jobs get
 * FLOOD_PRIORITY: a flood queues behind everyone else's deliveries instead of in front of them.
 */
export const FAIR_EVENTS_PER_SECOND = 50;
export const FLOOD_PRIORITY = -1;

/** pg-boss's minimum heartbeat: see deliverJobOptions. */
export const DELIVERY_HEARTBEAT_SECONDS = 10;

/**
 * Options every delivery job carries: its expiry, and its webhook as the pg-boss group, so the
 * webhook's maximum concurrency holds across all workers (tier `c<N>`, see jobs/worker.ts).
 */
export function deliverJobOptions(webhookId: string, config: { timeoutSeconds?: number; maxConcurrency?: number }) {
  return {
    expireInSeconds: deliveryJobExpiry(config.timeoutSeconds ?? 15),
    // The worker touches its jobs every 5 s; a dead worker's jobs are failed back to retry by the
    // monitor (every 10 s) after 10 s without a touch. They must not wait for the expiry: a
    // webhook's group counts them as active, so until then its other jobs would not be fetched.
    heartbeatSeconds: DELIVERY_HEARTBEAT_SECONDS,
    group: { id: webhookId, tier: `c${config.maxConcurrency ?? 10}` },
  };
}

/**
 * How long a delivery job may stay active before pg-boss gives it to another worker: the request's
 * timeout, an OAuth token fetch (15 s at most) and a margin for the database. A worker that died
 * mid-delivery thus loses its jobs for seconds, not 15 min.
 */
export function deliveryJobExpiry(timeoutSeconds: number): number {
  return timeoutSeconds + 30;
}
