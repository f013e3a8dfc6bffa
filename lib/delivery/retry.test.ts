import { describe, expect, it } from "vitest";
import { maxAttempts, nextRetryDelaySeconds, RETRY_SCHEDULES } from "./retry";
import type { RetryPolicy } from "@/lib/validations/webhook";

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const mid = () => 0.5; // no jitter

describe("RETRY_SCHEDULES", () => {
  it("standard: about 8 retries over about 3 days, growing", () => {
    const s = RETRY_SCHEDULES.standard;
    expect(s).toHaveLength(8);
    expect(sum(s) / 86_400).toBeGreaterThan(2.5);
    expect(sum(s) / 86_400).toBeLessThan(3.5);
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
  });

  it("freshsales: retries within the first hour, then over 2 more days", () => {
    const s = RETRY_SCHEDULES.freshsales;
    let t = 0;
    const times = s.map((d) => (t += d));
    expect(times.filter((x) => x <= 3_700).length).toBeGreaterThanOrEqual(3);
    expect(times[times.length - 1] - 3_660).toBeCloseTo(2 * 86_400, -3);
  });

  it("vtiger: 1 h, 2 h, 4 h", () => {
    expect(RETRY_SCHEDULES.vtiger).toEqual([3_600, 7_200, 14_400]);
  });

  it("leadsquared: 3 tries in all; none: 1", () => {
    expect(maxAttempts({ type: "preset", preset: "leadsquared" })).toBe(3);
    expect(maxAttempts({ type: "preset", preset: "none" })).toBe(1);
  });
});

describe("nextRetryDelaySeconds", () => {
  const vtiger = { type: "preset", preset: "vtiger" } as const;

  it("follows the schedule and returns null when retries run out", () => {
    expect(nextRetryDelaySeconds(vtiger, 1, null, mid)).toBe(3_600);
    expect(nextRetryDelaySeconds(vtiger, 2, null, mid)).toBe(7_200);
    expect(nextRetryDelaySeconds(vtiger, 3, null, mid)).toBe(14_400);
    expect(nextRetryDelaySeconds(vtiger, 4, null, mid)).toBeNull();
    expect(nextRetryDelaySeconds({ type: "preset", preset: "none" }, 1, null, mid)).toBeNull();
  });

  it("applies ±20 % jitter", () => {
    expect(nextRetryDelaySeconds(vtiger, 1, null, () => 0)).toBe(2_880);
    expect(nextRetryDelaySeconds(vtiger, 1, null, () => 0.999999)).toBe(4_320);
    for (let i = 0; i < 200; i++) {
      const d = nextRetryDelaySeconds(vtiger, 1, null)!;
      expect(d).toBeGreaterThanOrEqual(2_880);
      expect(d).toBeLessThanOrEqual(4_320);
    }
  });

  it("uses a custom delay list", () => {
    const custom: RetryPolicy = { type: "custom", delays: [0, 2, 5] };
    expect(nextRetryDelaySeconds(custom, 1, null, mid)).toBe(0);
    expect(nextRetryDelaySeconds(custom, 3, null, mid)).toBe(5);
    expect(nextRetryDelaySeconds(custom, 4, null, mid)).toBeNull();
  });

  it("honours Retry-After as a minimum, capped at one day", () => {
    expect(nextRetryDelaySeconds(vtiger, 1, 120, mid)).toBe(3_600); // schedule already longer
    expect(nextRetryDelaySeconds(vtiger, 1, 10_000, mid)).toBe(10_000);
    expect(nextRetryDelaySeconds(vtiger, 1, 10 * 86_400, mid)).toBe(86_400);
    expect(nextRetryDelaySeconds(vtiger, 4, 60, mid)).toBeNull(); // never extends the retries
  });
});
