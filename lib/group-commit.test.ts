import { describe, expect, it } from "vitest";
import { createGroupCommitter, type GroupOutcome } from "./group-commit";

/** A flush that records its groups and returns only when released. */
function gate() {
  const groups: number[][] = [];
  const releases: (() => void)[] = [];
  const flush = (items: number[]) =>
    new Promise<GroupOutcome<number>[]>((resolve) => {
      groups.push(items);
      releases.push(() =>
        resolve(items.map((n) => (n < 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true, value: n * 10 }))),
      );
    });
  return { groups, releases, flush };
}

describe("createGroupCommitter", () => {
  it("flushes a lone call at once, groups the calls made while one is in flight, and answers each its own", async () => {
    const g = gate();
    const c = createGroupCommitter(g.flush, { windowMs: 60_000, maxSize: 10, maxInFlight: 2 });
    const first = c.submit(1);
    expect(g.groups).toEqual([[1]]); // no window for a lone call
    const rest = [2, -3, 4].map((n) => c.submit(n));
    expect(g.groups).toHaveLength(1); // waiting: the first is in flight, the window is long
    g.releases[0]();
    expect(await first).toBe(10);
    await expect.poll(() => g.groups.length).toBe(2);
    expect(g.groups[1]).toEqual([2, -3, 4]);
    g.releases[1]();
    const settled = await Promise.allSettled(rest);
    expect(settled.map((s) => (s.status === "fulfilled" ? s.value : (s.reason as Error).message))).toEqual([
      20,
      "bad -3",
      40,
    ]);
    expect(c.stats()).toEqual({ groups: 2, items: 4 });
  });

  it("sends a group once it is full or its window is over, at most maxInFlight at once", async () => {
    const g = gate();
    const c = createGroupCommitter(g.flush, { windowMs: 5, maxSize: 3, maxInFlight: 2 });
    void c.submit(1);
    const full = [2, 3, 4].map((n) => c.submit(n)); // full: leaves beside the first
    expect(g.groups).toEqual([[1], [2, 3, 4]]);
    void c.submit(5); // two in flight: waits, window or not (four windows pass)
    await new Promise((r) => setTimeout(r, 20));
    expect(g.groups).toHaveLength(2);
    g.releases[0]();
    await expect.poll(() => g.groups.length).toBe(3);
    expect(g.groups[2]).toEqual([5]);
    g.releases[1]();
    await Promise.all(full);
    void c.submit(6); // [5] in flight, room for another: its 5 ms window sends it
    expect(g.groups).toHaveLength(3);
    await expect.poll(() => g.groups.length, { timeout: 1000 }).toBe(4);
    expect(g.groups[3]).toEqual([6]);
  });
});
