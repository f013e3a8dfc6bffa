import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { bulkRetries, deliveries, eventKeys, events, webhooks } from "@/db/schema";
import { uuidV7 } from "@/db/partitions";
import { ACTIONS } from "@/lib/actions/registry";
import { ingestEvents } from "@/lib/events/ingest";
import { insertWebhook } from "@/lib/webhooks";
import { apiClient, keyFor } from "@/tests/api";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { POST as recoverRoute } from "@/app/api/v1/webhooks/[id]/recover/route";
import { retryDeliveriesJob } from "./retry-deliveries";

const env = testEnvironment();
afterAll(() => env.close());

let company: Awaited<ReturnType<typeof makeCompany>>;
let webhookId: string;
const HOUR = 3_600_000;

/** An event `hoursAgo`, through the API's path (deliveries for the webhooks on at the time). */
async function event(id: string, stage: string, hoursAgo: number, type = "deal.updated") {
  await ingestEvents(env.db, await env.deps.boss(), company.companyId, null, [
    { id, type, data: { id: `d_${id}`, stage } },
  ]);
  // Backdated: a new id carries the new created_at (the history is partitioned by day), its deliveries follow.
  const at = new Date(Date.now() - hoursAgo * HOUR);
  const newId = uuidV7(at);
  const [old] = await env.db
    .update(events)
    .set({ createdAt: at, id: newId })
    .where(and(eq(events.companyId, company.companyId), eq(events.externalId, id)))
    .returning({
      id: sql<string>`(select k.event_id from event_keys k where k.company_id = ${company.companyId} and k.external_id = ${id})`,
    });
  await env.db.update(deliveries).set({ eventId: newId }).where(eq(deliveries.eventId, old.id));
  await env.db.update(eventKeys).set({ eventId: newId, createdAt: at }).where(eq(eventKeys.eventId, old.id));
}

async function deliveredExternalIds(): Promise<string[]> {
  const rows = await env.db.execute<{ external_id: string }>(sql`
    select e.external_id from ${deliveries} d join ${events} e on e.id = d.event_id
    where d.webhook_id = ${webhookId} order by e.external_id`);
  return [...rows].map((r) => r.external_id);
}

beforeAll(async () => {
  company = await makeCompany(env.deps, "Recover Co");
  webhookId = (
    await insertWebhook(env.db, company.companyId, company.owner.userId, {
      name: "Invoices",
      eventTypes: ["deal.updated", "deal.created"],
      url: "http://127.0.0.1:9/invoices",
      active: true,
      conditions: { match: "all", rules: [{ field: "stage", operator: "equals", value: "Won" }] },
    })
  ).webhook.id;
});

describe("Recover since", () => {
  it("sends what did not reach the webhook since the chosen time: failed, and what arrived while it was off", async () => {
    await event("before_off", "Won", 30); // delivered normally, before the outage window
    await env.db.update(deliveries).set({ status: "success" }).where(eq(deliveries.webhookId, webhookId));
    await event("failed_one", "Won", 10);
    await env.db
      .update(deliveries)
      .set({ status: "failed", completedAt: new Date(Date.now() - 9 * HOUR), attempts: 8 })
      .where(and(eq(deliveries.webhookId, webhookId), eq(deliveries.status, "queued")));
    // The webhook is switched off (auto-disabled): events arrive with no delivery at all.
    await env.db.update(webhooks).set({ active: false }).where(eq(webhooks.id, webhookId));
    await event("while_off_won", "Won", 5);
    await event("while_off_created", "Won", 4, "deal.created");
    await event("while_off_lost", "Lost", 3); // does not meet the conditions
    await event("too_old", "Won", 48); // before the chosen time
    await event("other_type", "Won", 2, "contact.created");
    expect(await deliveredExternalIds()).toEqual(["before_off", "failed_one"]);

    const refused = await ACTIONS.recoverWebhook.run(env.deps, company.owner, {
      webhookId,
      since: new Date(Date.now() - 24 * HOUR).toISOString(),
    });
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/Switch the webhook on first/) });

    await env.db.update(webhooks).set({ active: true }).where(eq(webhooks.id, webhookId));
    // Over the API, as the owner's key.
    const api = apiClient(await keyFor(env.deps, company.owner));
    const res = await api.call(recoverRoute, `/api/v1/webhooks/${webhookId}/recover`, {
      method: "POST",
      params: { id: webhookId },
      body: { since: new Date(Date.now() - 24 * HOUR).toISOString() },
    });
    expect(res.status).toBe(202);
    const again = await api.call(recoverRoute, `/api/v1/webhooks/${webhookId}/recover`, {
      method: "POST",
      params: { id: webhookId },
      body: { since: new Date(Date.now() - HOUR).toISOString() },
    });
    expect(again.status).toBe(409);

    const result = await retryDeliveriesJob(env.db, await env.deps.boss(), { bulkRetryId: res.json.recovery.id });
    expect(result.requeued).toBe(3); // the failed one again, and the two that arrived while off and meet the conditions
    expect(await deliveredExternalIds()).toEqual(["before_off", "failed_one", "while_off_created", "while_off_won"]);
    const queued = await env.db
      .select({ status: deliveries.status })
      .from(deliveries)
      .where(and(eq(deliveries.webhookId, webhookId), eq(deliveries.status, "queued")));
    expect(queued).toHaveLength(3);
    const [bulk] = await env.db.select().from(bulkRetries).where(eq(bulkRetries.id, res.json.recovery.id));
    expect(bulk).toMatchObject({ state: "completed", done: 3, total: 3, recover: true });
    // Each has its job.
    const jobs = await env.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pgboss.job where name = 'deliver-webhook' and data->>'companyId' = ${company.companyId}`,
    );
    expect([...jobs][0].n).toBeGreaterThanOrEqual(3);

    // Run twice: nothing more (each event now has its delivery) — in batches of 1, so the events that do not
    // meet the conditions are walked past, not taken again.
    await env.db.update(bulkRetries).set({ state: "queued" }).where(eq(bulkRetries.id, res.json.recovery.id));
    const second = await retryDeliveriesJob(
      env.db,
      await env.deps.boss(),
      { bulkRetryId: res.json.recovery.id },
      { batchSize: 1 },
    );
    expect(second.requeued).toBe(0);
  });

  it("is refused for a time in the future and for another company's webhook", async () => {
    const future = await ACTIONS.recoverWebhook.run(env.deps, company.owner, {
      webhookId,
      since: new Date(Date.now() + HOUR).toISOString(),
    });
    expect(future).toMatchObject({ ok: false, fieldErrors: { since: [expect.stringMatching(/in the past/)] } });
    const other = await makeCompany(env.deps, "Elsewhere");
    const foreign = await ACTIONS.recoverWebhook.run(env.deps, other.owner, {
      webhookId,
      since: new Date(Date.now() - HOUR).toISOString(),
    });
    expect(foreign).toMatchObject({ ok: false, code: "not_found" });
  });
});
