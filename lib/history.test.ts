import { describe, expect, it } from "vitest";
import { formatUntil } from "./format";
import { DAILY_LIMIT_REASON, deliveryStatusLabel, queuedWait, queuedWaitText } from "./history";

const now = Date.parse("2026-03-04T14:00:00Z");
const created = new Date(now - 1000);
const later = new Date("2026-03-04T14:05:00Z");
const fmt = (d: Date) => formatUntil(d, now);
const queued = { status: "queued", attempts: 0, nextAttemptAt: later, deferredReason: null, createdAt: created };

describe("a delivery's status label", () => {
  it("is Queued before the first attempt and Retrying after a failed one, never Retrying with no attempt", () => {
    expect(deliveryStatusLabel("queued", 0)).toBe("Queued");
    expect(deliveryStatusLabel("queued", 1)).toBe("Retrying");
    expect(deliveryStatusLabel("queued", 3)).toBe("Retrying");
    expect(deliveryStatusLabel("dispatched", 0)).toBe("Sending");
    expect(deliveryStatusLabel("success", 1)).toBe("Success");
    expect(deliveryStatusLabel("failed", 9)).toBe("Failed");
    expect(deliveryStatusLabel("skipped", 0)).toBe("Skipped");
  });

  it("says what a queued delivery waits for, and until when", () => {
    expect(queuedWaitText(queuedWait(queued, now)!, fmt)).toBe("Waits for the execution delay until 14:05 UTC");
    expect(queuedWaitText(queuedWait({ ...queued, batchKey: "123" }, now)!, fmt)).toBe(
      "Waits for its batch window until 14:05 UTC",
    );
    const tomorrow = new Date("2026-03-05T00:00:00Z");
    expect(
      queuedWaitText(queuedWait({ ...queued, nextAttemptAt: tomorrow, deferredReason: DAILY_LIMIT_REASON }, now)!, fmt),
    ).toBe("Waits for the daily call limit until Mar 5, 2026, 00:00 UTC");
    // Due already: a worker takes it next.
    expect(queuedWait({ ...queued, nextAttemptAt: created }, now)).toEqual({ reason: "worker", until: null });
    expect(queuedWaitText({ reason: "worker", until: null }, fmt)).toBe(
      "Not sent yet: due now, a worker takes it next",
    );
    // Attempted already, or not queued: nothing to explain here.
    expect(queuedWait({ ...queued, attempts: 1 }, now)).toBeNull();
    expect(queuedWait({ ...queued, status: "dispatched" }, now)).toBeNull();
  });
});
