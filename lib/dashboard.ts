/**
 * The dashboard's periods and the shapes of what it shows: shared by db/queries/dashboard.ts (which
 * computes them) and components/dashboard (which draw them). Imports nothing.
 */

/** The dashboard's windows: hourly buckets ending with the current (partial) hour. */
export const DASHBOARD_PERIODS = {
  "24h": { label: "Last 24 hours", hours: 24 },
  "7d": { label: "Last 7 days", hours: 7 * 24 },
} as const;
export type DashboardPeriod = keyof typeof DASHBOARD_PERIODS;

export function isDashboardPeriod(value: unknown): value is DashboardPeriod {
  return typeof value === "string" && Object.hasOwn(DASHBOARD_PERIODS, value);
}

export interface HourBucket {
  /** The hour's start, ISO 8601 UTC. */
  hour: string;
  success: number;
  failed: number;
  /** queued (not yet sent, or waiting for a retry) + dispatched (being sent). */
  pending: number;
  skipped: number;
}

export interface DeliveryTotals {
  total: number;
  success: number;
  failed: number;
  pending: number;
  skipped: number;
  /** success ÷ (success + failed): of the deliveries that finished; null when none has. */
  successRate: number | null;
}

export interface Latency {
  /** Milliseconds, rounded; null without a successful attempt in the window. */
  p50: number | null;
  p95: number | null;
  /** How many successful attempts the percentiles are taken over. */
  samples: number;
}

export interface FailingWebhook {
  webhookId: string;
  name: string;
  active: boolean;
  /** Attempts in the window that got no 2xx (an error status, a timeout, a refused connection …). */
  failedAttempts: number;
  /** Of those attempts' deliveries, how many have failed for good (retries spent). */
  failedDeliveries: number;
  lastFailureAt: Date;
}

/** What the getting-started checklist is read from. */
export interface GettingStartedCounts {
  members: number;
  /** Active (not revoked) API keys. */
  keys: number;
  roles: number;
  /** A role other than Owner holds Manage Webhooks. */
  delegated: boolean;
}
