import { uuidV7 } from "@/db/partitions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, inArray } from "drizzle-orm";
import { bulkRetries, deliveries, events, type DeliveryStatus } from "@/db/schema";
import { ACTIONS } from "@/lib/actions/registry";
import { insertWebhook } from "@/lib/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { retryDeliveriesJob } from "./retry-deliveries";

const env = testEnvironment();
afterAll(() => env.close());

let company: Awaited<ReturnType<typeof makeCompany>>;
let webhookId: string;
let otherWebhookId: string;

const HOUR = 3_600_000;

/** A delivery of `webhook` created `hoursAgo`, finished (or not) with `status`. */
async function delivery(webhook: string, status: DeliveryStatus, hoursAgo: number) {
  const at = new Date(Date.now() - hoursAgo * HOUR);
  const [event] = await env.db
    .insert(events)
    .values({
      companyId: company.companyId,
      externalId: `evt_${Math.random().toString(36).slice(2)}`,
      type: "contact.created",
      occurredAt: at,
      data: { id: "c_1" },
      id: uuidV7(at),
      createdAt: at,
    })
    .returning({ id: events.id });
  const done = status === "queued" || status === "dispatched" ? null : new Date(at.getTime() + 1000);
  const [row] = await env.db
    .insert(deliveries)
    .values({
      companyId: company.companyId,
      webhookId: webhook,
      eventId: event.id,
      status,
      attempts: 1,
      id: uuidV7(at),
      createdAt: at,
      completedAt: done,
    })
    .returning({ id: deliveries.id });
  return row.id;
}

beforeAll(async () => {
  company = await makeCompany(env.deps, "Retry Co");
  webhookId = (
    await insertWebhook(env.db, company.companyId, company.owner.userId, {
      name: "Main",
      eventType: "contact.created",
      url: "http://127.0.0.1:9/a",
      active: true,
    })
  ).webhook.id;
  otherWebhookId = (
    await insertWebhook(env.db, company.companyId, company.owner.userId, {
      name: "Other",
      eventType: "contact.created",
      url: "http://127.0.0.1:9/b",
      active: true,
    })
  ).webhook.id;
});

describe("retry all failed", () => {
  it("re-queues exactly the failed deliveries of that webhook in the range, with manual jobs, and reports progress", async () => {
    const inRange = [
      await delivery(webhookId, "failed", 1),
      await delivery(webhookId, "failed", 5),
      await delivery(webhookId, "failed", 20),
    ];
    const tooOld = await delivery(webhookId, "failed", 30);
    const succeeded = await delivery(webhookId, "success", 2);
    const skipped = await delivery(webhookId, "skipped", 2);
    const pending = await delivery(webhookId, "queued", 2);
    const otherWebhook = await delivery(otherWebhookId, "failed", 2);

    const requested = await ACTIONS.retryFailedDeliveries.run(env.deps, company.owner, { webhookId, period: "24h" });
    expect(requested).toMatchObject({ ok: true });
    if (!requested.ok) return;
    // The same request twice is refused while the first is pending.
    expect(
      await ACTIONS.retryFailedDeliveries.run(env.deps, company.owner, { webhookId, period: "24h" }),
    ).toMatchObject({ ok: false, code: "conflict" });

    const boss = await env.deps.boss();
    const result = await retryDeliveriesJob(
      env.db,
      boss,
      { bulkRetryId: requested.data.bulkRetryId },
      { batchSize: 2 },
    );
    expect(result.requeued).toBe(3);

    const rows = await env.db
      .select({ id: deliveries.id, status: deliveries.status })
      .from(deliveries)
      .where(inArray(deliveries.id, [...inRange, tooOld, succeeded, skipped, pending, otherWebhook]));
    const status = Object.fromEntries(rows.map((r) => [r.id, r.status]));
    for (const id of inRange) expect(status[id]).toBe("queued");
    expect(status[tooOld]).toBe("failed");
    expect(status[succeeded]).toBe("success");
    expect(status[skipped]).toBe("skipped");
    expect(status[otherWebhook]).toBe("failed");

    const [bulk] = await env.db.select().from(bulkRetries).where(eq(bulkRetries.id, requested.data.bulkRetryId));
    expect(bulk).toMatchObject({ state: "completed", total: 3, done: 3 });

    // One manual deliver job per re-queued delivery, carrying who asked.
    const jobs = await boss.findJobs<{ deliveryId: string; manual?: { userId: string } }>("deliver-webhook", {
      data: { manual: { userId: company.owner.userId! } },
    });
    const jobDeliveries = jobs.map((j) => j.data.deliveryId).filter((id) => inRange.includes(id));
    expect(jobDeliveries.sort()).toEqual([...inRange].sort());
  });

  it("replays skipped deliveries when asked, and runs again harmlessly", async () => {
    const skipped = await delivery(webhookId, "skipped", 3);
    const requested = await ACTIONS.retryFailedDeliveries.run(env.deps, company.owner, {
      webhookId,
      period: "7d",
      includeSkipped: true,
    });
    if (!requested.ok) throw new Error(requested.error);
    const boss = await env.deps.boss();
    const first = await retryDeliveriesJob(env.db, boss, { bulkRetryId: requested.data.bulkRetryId });
    expect(first.requeued).toBeGreaterThanOrEqual(1);
    const [row] = await env.db
      .select({ status: deliveries.status })
      .from(deliveries)
      .where(and(eq(deliveries.id, skipped)));
    expect(row.status).toBe("queued");
    expect(await retryDeliveriesJob(env.db, boss, { bulkRetryId: requested.data.bulkRetryId })).toEqual({
      requeued: 0,
    });
  });
});
