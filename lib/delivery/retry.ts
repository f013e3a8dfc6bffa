import type { RetryPolicy, RetryPreset } from "@/lib/validations/webhook";

/**
 * Seconds to wait before each retry, per preset; the number of entries is the number of retries
 * (attempts = retries + 1). Taken from the source documents where they say:
 * - standard: 8 retries growing from 30 s to 36 h, about 3 days in all (Standard Webhooks' advice).
 * - freshsales: "retry sending the request for an hour", then "for the next 2 days".
 * - vtiger: "1 hour for the first retry, 2 hours for the second, 4 hours for the third".
 * - leadsquared: "We try 3 times before marking an attempt as a failure" → 2 retries.
 */
export const RETRY_SCHEDULES: Record<RetryPreset, readonly number[]> = {
  // 30s, 2m, 10m, 30m, 2h, 8h, 24h, 36h → 254,550 s ≈ 2.95 days
  standard: [30, 120, 600, 1_800, 7_200, 28_800, 86_400, 129_600],
  // 1m, 5m, 10m, 15m, 30m (≈ the first hour), then 2h, 4h, 8h, 12h, 22h (48 h more)
  freshsales: [60, 300, 600, 900, 1_800, 7_200, 14_400, 28_800, 43_200, 79_200],
  vtiger: [3_600, 7_200, 14_400],
  leadsquared: [60, 300],
  none: [],
};

export const JITTER = 0.2;
export const MAX_RETRY_AFTER_SECONDS = 86_400;

/** The retry delays a policy prescribes (custom policies carry their own list). */
export function retryDelays(policy: RetryPolicy): readonly number[] {
  return policy.type === "preset" ? RETRY_SCHEDULES[policy.preset] : policy.delays;
}

/** Total attempts a policy allows, the first one included. */
export function maxAttempts(policy: RetryPolicy): number {
  return retryDelays(policy).length + 1;
}

/**
 * Seconds until the next attempt after attempt `attemptNumber` (1-based) failed, or null when
 * the retries are used up. The scheduled delay gets ±20 % jitter (receivers that came back up
 * are not hit by every queued delivery at once); a Retry-After from the receiver is honoured as a
 * minimum, capped at one day.
 */
export function nextRetryDelaySeconds(
  policy: RetryPolicy,
  attemptNumber: number,
  retryAfterSeconds: number | null,
  random: () => number = Math.random,
): number | null {
  const delays = retryDelays(policy);
  const index = Math.max(1, Math.floor(attemptNumber)) - 1;
  if (index >= delays.length) return null;
  const base = delays[index];
  const factor = 1 + (random() * 2 - 1) * JITTER;
  let delay = Math.max(0, Math.round(base * factor));
  if (retryAfterSeconds !== null && Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0) {
    delay = Math.max(delay, Math.min(Math.ceil(retryAfterSeconds), MAX_RETRY_AFTER_SECONDS));
  }
  return delay;
}
