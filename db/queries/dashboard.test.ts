import { uuidV7 } from "@/db/partitions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import {
  apiKeys,
  auditLog,
  deliveries,
  deliveryAttempts,
  events,
  invitations,
  roles,
  webhooks,
  type DeliveryStatus,
} from "@/db/schema";
import { gettingStartedSteps } from "@/lib/dashboard";
import { addMember, makeCompany, testEnvironment } from "@/tests/helpers";
import {
  dashboardWindow,
  deliveriesByHour,
  deliveryLatency,
  gettingStartedState,
  hasDeliveryActivity,
  isDashboardPeriod,
  topFailingWebhooks,
  totalsOf,
} from "./dashboard";

const env = testEnvironment();
afterAll(() => env.close());

type Company = Awaited<ReturnType<typeof makeCompany>>;
let a: Company;
let b: Company;
const hooks: Record<string, string> = {};

/** "Now" for these tests: 12:34 UTC; the 24-hour window starts at 13:00 the day before. */
const NOW = new Date("2031-03-10T12:34:56Z");
const window24 = dashboardWindow("24h", NOW);

async function webhook(companyId: string, name: string, active = true) {
  const [w] = await env.db
    .insert(webhooks)
    .values({
      companyId,
      name,
      active,
      eventTypes: ["deal.updated"],
      url: "http://127.0.0.1:9/x",
      config: {},
      signingSecretEncrypted: "unused",
    })
    .returning();
  return w.id;
}

let seq = 0;
/** A delivery (with its event) created at a chosen time, and its attempts: [status code or null, duration ms, minutes
 * after the delivery]. */
async function delivery(
  companyId: string,
  webhookId: string,
  at: string,
  status: DeliveryStatus,
  attempts: [number | null, number, number][] = [],
) {
  const [e] = await env.db
    .insert(events)
    .values({
      companyId,
      externalId: `evt_${++seq}`,
      type: "deal.updated",
      occurredAt: new Date(at),
      data: { id: `d_${seq}` },
      id: uuidV7(new Date(at)),
      createdAt: sql`${at}::timestamptz`,
    })
    .returning();
  const [d] = await env.db
    .insert(deliveries)
    .values({
      companyId,
      webhookId,
      eventId: e.id,
      status,
      attempts: attempts.length,
      id: uuidV7(new Date(at)),
      createdAt: sql`${at}::timestamptz`,
    })
    .returning();
  if (attempts.length) {
    await env.db.insert(deliveryAttempts).values(
      attempts.map(([code, duration, minutes], i) => ({
        deliveryId: d.id,
        deliveryCreatedAt: sql`${at}::timestamptz`,
        companyId,
        webhookId,
        attemptNumber: i + 1,
        requestMethod: "POST",
        requestUrl: "http://127.0.0.1:9/x",
        requestHeaders: {},
        responseStatus: code,
        durationMs: duration,
        errorKind: code === null ? "timeout" : code >= 300 ? "http_status" : null,
        createdAt: new Date(new Date(at).getTime() + minutes * 60_000),
      })),
    );
  }
  return d.id;
}

beforeAll(async () => {
  a = await makeCompany(env.deps, "Dashboard A");
  b = await makeCompany(env.deps, "Dashboard B");
  hooks.orders = await webhook(a.companyId, "Orders");
  hooks.erp = await webhook(a.companyId, "ERP sync", false);
  hooks.crm = await webhook(a.companyId, "CRM mirror");
  hooks.healthy = await webhook(a.companyId, "Healthy");
  hooks.other = await webhook(b.companyId, "Other company");

  // Before the 24-hour window (inside the 7-day one).
  await delivery(a.companyId, hooks.orders, "2031-03-09T12:59:59.999Z", "success", [[200, 9999, 0]]);
  await delivery(a.companyId, hooks.orders, "2031-03-09T12:10:00Z", "failed", [[500, 10, 0]]);
  // 10:00–10:59 UTC: 2 succeeded (one after a failed attempt), 1 failed for good after 2 failed attempts.
  await delivery(a.companyId, hooks.orders, "2031-03-10T10:00:00Z", "success", [[200, 100, 0]]);
  await delivery(a.companyId, hooks.orders, "2031-03-10T10:59:59.999Z", "success", [
    [503, 7000, 0],
    [200, 300, 0],
  ]);
  await delivery(a.companyId, hooks.orders, "2031-03-10T10:30:00Z", "failed", [
    [500, 40, 0],
    [null, 15000, 1],
  ]);
  // 11:00: queued (retrying after a failure on ERP sync) and queued untried; 12:05 dispatched and skipped.
  await delivery(a.companyId, hooks.erp, "2031-03-10T11:00:00Z", "queued", [[404, 20, 0]]);
  await delivery(a.companyId, hooks.crm, "2031-03-10T11:15:00Z", "queued");
  await delivery(a.companyId, hooks.crm, "2031-03-10T12:05:00Z", "dispatched");
  await delivery(a.companyId, hooks.crm, "2031-03-10T12:06:00Z", "skipped");
  // 2 days ago (in the 7-day window only): succeeded, twice on Healthy, 1 at 400 ms, 1 at 1000 ms.
  await delivery(a.companyId, hooks.healthy, "2031-03-08T08:00:00Z", "success", [[204, 400, 0]]);
  await delivery(a.companyId, hooks.healthy, "2031-03-08T08:20:00Z", "success", [[201, 1000, 0]]);
  // Another company in the same hours: never counted for A.
  await delivery(b.companyId, hooks.other, "2031-03-10T10:15:00Z", "failed", [
    [500, 1, 0],
    [500, 1, 0],
    [500, 1, 0],
  ]);
  await delivery(b.companyId, hooks.other, "2031-03-10T10:16:00Z", "success", [[200, 1, 0]]);
});

describe("dashboardWindow", () => {
  it("ends with the current hour and starts hours-1 hours before it, on the hour (UTC)", () => {
    expect(window24.hours).toHaveLength(24);
    expect(window24.since.toISOString()).toBe("2031-03-09T13:00:00.000Z");
    expect(window24.hours.at(-1)!.toISOString()).toBe("2031-03-10T12:00:00.000Z");
    const week = dashboardWindow("7d", NOW);
    expect(week.hours).toHaveLength(168);
    expect(week.since.toISOString()).toBe("2031-03-03T13:00:00.000Z");
    expect(isDashboardPeriod("7d")).toBe(true);
    expect(isDashboardPeriod("30d")).toBe(false);
    expect(isDashboardPeriod("constructor")).toBe(false);
  });
});

describe("deliveriesByHour", () => {
  it("counts the company's deliveries per UTC hour by status, every hour present", async () => {
    const buckets = await deliveriesByHour(env.db, a.companyId, window24);
    expect(buckets).toHaveLength(24);
    expect(buckets[0]).toEqual({ hour: "2031-03-09T13:00:00.000Z", success: 0, failed: 0, pending: 0, skipped: 0 });
    const busy = buckets.filter((x) => x.success + x.failed + x.pending + x.skipped > 0);
    expect(busy).toEqual([
      { hour: "2031-03-10T10:00:00.000Z", success: 2, failed: 1, pending: 0, skipped: 0 },
      { hour: "2031-03-10T11:00:00.000Z", success: 0, failed: 0, pending: 2, skipped: 0 },
      { hour: "2031-03-10T12:00:00.000Z", success: 0, failed: 0, pending: 1, skipped: 1 },
    ]);
  });

  it("gives totals and the success rate of finished deliveries", async () => {
    const totals = totalsOf(await deliveriesByHour(env.db, a.companyId, window24));
    expect(totals).toEqual({ total: 7, success: 2, failed: 1, pending: 3, skipped: 1, successRate: 2 / 3 });
    const week = totalsOf(await deliveriesByHour(env.db, a.companyId, dashboardWindow("7d", NOW)));
    expect(week).toMatchObject({ total: 11, success: 5, failed: 2, successRate: 5 / 7 });
  });

  it("has no success rate before anything finished, and nothing for a company without deliveries", async () => {
    const empty = await makeCompany(env.deps, "Dashboard empty");
    const totals = totalsOf(await deliveriesByHour(env.db, empty.companyId, window24));
    expect(totals).toEqual({ total: 0, success: 0, failed: 0, pending: 0, skipped: 0, successRate: null });
    expect(await hasDeliveryActivity(env.db, empty.companyId)).toBe(false);
    expect(await hasDeliveryActivity(env.db, a.companyId)).toBe(true);
  });
});

describe("deliveryLatency", () => {
  it("takes p50 / p95 of the successful attempts' durations in the window (interpolated), nothing else", async () => {
    // 24 h: the 2xx attempts of 100 and 300 ms; the 503, 500 and timeout attempts and the 9999 ms before the window do
    // not count.
    expect(await deliveryLatency(env.db, a.companyId, window24.since)).toEqual({ p50: 200, p95: 290, samples: 2 });
    // 7 days: 100, 300, 400, 1000 (+ the 9999 ms one, 2031-03-09T12:59 is inside the week) → p50 = 400, p95 = 1000 +
    // 0.8 × 8999.
    expect(await deliveryLatency(env.db, a.companyId, dashboardWindow("7d", NOW).since)).toEqual({
      p50: 400,
      p95: 8199,
      samples: 5,
    });
  });

  it("is empty without successful attempts", async () => {
    expect(await deliveryLatency(env.db, a.companyId, new Date("2031-03-10T12:00:00Z"))).toEqual({
      p50: null,
      p95: null,
      samples: 0,
    });
  });
});

describe("topFailingWebhooks", () => {
  it("ranks the company's webhooks by failed attempts in the window, with deliveries failed for good", async () => {
    const top = await topFailingWebhooks(env.db, a.companyId, window24.since);
    expect(
      top.map(({ name, failedAttempts, failedDeliveries, active }) => ({
        name,
        failedAttempts,
        failedDeliveries,
        active,
      })),
    ).toEqual([
      { name: "Orders", failedAttempts: 3, failedDeliveries: 1, active: true },
      { name: "ERP sync", failedAttempts: 1, failedDeliveries: 0, active: false },
    ]);
    expect(top[0].webhookId).toBe(hooks.orders);
    expect(top[0].lastFailureAt.toISOString()).toBe("2031-03-10T10:59:59.999Z");
  });

  it("keeps to the limit and the window", async () => {
    expect(await topFailingWebhooks(env.db, a.companyId, window24.since, 1)).toHaveLength(1);
    const week = await topFailingWebhooks(env.db, a.companyId, dashboardWindow("7d", NOW).since);
    expect(week.map((w) => [w.name, w.failedAttempts, w.failedDeliveries])).toEqual([
      ["Orders", 4, 2],
      ["ERP sync", 1, 0],
    ]);
    expect(await topFailingWebhooks(env.db, a.companyId, new Date("2031-03-10T12:00:00Z"))).toEqual([]);
  });
});

describe("gettingStartedState", () => {
  const ticked = async (companyId: string) =>
    gettingStartedSteps(await gettingStartedState(env.db, companyId), () => true)
      .filter((s) => s.done)
      .map((s) => s.key);

  it("ticks nothing on a brand-new company, then each step as the company's data says it is done", async () => {
    const c = await makeCompany(env.deps, "Getting Started Co");
    const fresh = await gettingStartedState(env.db, c.companyId);
    // The Admin role holds Manage Webhooks from the start, but nobody is in it: not yet decided.
    expect(fresh).toEqual({
      members: 1,
      keys: 0,
      roles: 3,
      invited: false,
      delegated: false,
      webhooks: 0,
      firstWebhookId: null,
      tested: false,
      active: false,
      delivered: false,
    });
    expect(gettingStartedSteps(fresh, () => true).map((s) => [s.key, s.done])).toEqual([
      ["invite", false],
      ["delegate", false],
      ["apiKey", false],
      ["webhook", false],
      ["test", false],
      ["activate", false],
      ["deliver", false],
    ]);

    // An invitation still open counts as inviting; one into a role with Manage Webhooks decides who manages them.
    await env.db.insert(invitations).values({
      companyId: c.companyId,
      email: "invitee@example.test",
      roleId: c.roles.Member.id,
      tokenHash: `gs-inv-${c.companyId}`,
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    expect(await ticked(c.companyId)).toEqual(["invite"]);
    await addMember(env.db, c.companyId, c.roles.Member.id);
    expect(await ticked(c.companyId)).toEqual(["invite"]);
    await env.db
      .update(roles)
      .set({ permissions: ["webhooks.manage"] })
      .where(eq(roles.id, c.roles.Member.id));
    expect(await ticked(c.companyId)).toEqual(["invite", "delegate"]);

    // A revoked key is no key.
    await env.db.insert(apiKeys).values({
      companyId: c.companyId,
      name: "revoked",
      prefix: "hr_live_bbbb",
      hash: `gs-b-${c.companyId}`,
      revokedAt: new Date(),
    });
    expect(await ticked(c.companyId)).toEqual(["invite", "delegate"]);
    await env.db
      .insert(apiKeys)
      .values({ companyId: c.companyId, name: "live", prefix: "hr_live_aaaa", hash: `gs-a-${c.companyId}` });
    expect(await ticked(c.companyId)).toEqual(["invite", "delegate", "apiKey"]);

    const id = await webhook(c.companyId, "First", false);
    expect(await gettingStartedState(env.db, c.companyId)).toMatchObject({ webhooks: 1, firstWebhookId: id });
    expect(await ticked(c.companyId)).toEqual(["invite", "delegate", "apiKey", "webhook"]);

    await env.db.insert(auditLog).values({
      companyId: c.companyId,
      action: "webhook.tested",
      targetType: "webhook",
      targetId: id,
    });
    expect(await ticked(c.companyId)).toEqual(["invite", "delegate", "apiKey", "webhook", "test"]);

    await env.db.update(webhooks).set({ active: true }).where(eq(webhooks.id, id));
    expect(await ticked(c.companyId)).toEqual(["invite", "delegate", "apiKey", "webhook", "test", "activate"]);

    // A failed delivery is not a delivered event; a successful one is.
    await delivery(c.companyId, id, "2031-03-10T10:00:00Z", "failed");
    expect(await ticked(c.companyId)).not.toContain("deliver");
    await delivery(c.companyId, id, "2031-03-10T10:05:00Z", "success");
    expect(await ticked(c.companyId)).toHaveLength(7);
  });

  it("shows only the steps the viewer can act on", async () => {
    const c = await makeCompany(env.deps, "Getting Started Views");
    const state = await gettingStartedState(env.db, c.companyId);
    const keys = (held: string[]) => gettingStartedSteps(state, (p) => held.includes(p)).map((s) => s.key);
    expect(keys([])).toEqual([]);
    expect(keys(["webhooks.view"])).toEqual([]);
    expect(keys(["webhooks.manage"])).toEqual(["webhook", "test", "activate", "deliver"]);
    expect(keys(["members.manage", "apiKeys.manage"])).toEqual(["invite", "apiKey"]);
    expect(keys(["roles.manage"])).toEqual(["delegate"]);
  });

  it("links Test to the oldest webhook once there is one", async () => {
    const c = await makeCompany(env.deps, "Getting Started Links");
    const before = gettingStartedSteps(await gettingStartedState(env.db, c.companyId), () => true);
    expect(before.find((s) => s.key === "test")?.href).toBe("/webhooks/new");
    const first = await webhook(c.companyId, "Oldest", false);
    await webhook(c.companyId, "Newer", false);
    const after = gettingStartedSteps(await gettingStartedState(env.db, c.companyId), () => true);
    expect(after.find((s) => s.key === "test")?.href).toBe(`/webhooks/${first}`);
  });
});
