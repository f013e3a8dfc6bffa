import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { closeDb } from "@/db";
import { DELIVERY_STATUSES, deliveries, events } from "@/db/schema";
import { deliveryPageSchema } from "@/lib/openapi";
import { insertWebhook } from "@/lib/webhooks";
import { apiClient, keyFor } from "@/tests/api";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { GET } from "./route";

const env = testEnvironment();
afterAll(async () => {
  await closeDb();
  await env.close();
});

let owner: ReturnType<typeof apiClient>;
let webhookId: string;
let otherWebhookId: string;
/** The 25 deliveries as the API must list them: created_at desc, then id desc. */
let expected: { id: string; status: string }[];

beforeAll(async () => {
  const a = await makeCompany(env.deps, "History Co");
  owner = apiClient(await keyFor(env.deps, a.owner));
  const { webhook } = await insertWebhook(env.db, a.companyId, a.owner.userId, {
    name: "History",
    eventType: "deal.updated",
    url: "http://127.0.0.1:9/h",
  });
  webhookId = webhook.id;
  const b = await makeCompany(env.deps, "Other History Co");
  otherWebhookId = (
    await insertWebhook(env.db, b.companyId, b.owner.userId, {
      name: "Theirs",
      eventType: "deal.updated",
      url: "http://127.0.0.1:9/b",
    })
  ).webhook.id;

  const [event] = await env.db
    .insert(events)
    .values({
      companyId: a.companyId,
      externalId: "evt_history",
      type: "deal.updated",
      recordId: "d1",
      occurredAt: new Date(),
      data: { id: "d1" },
    })
    .returning();
  // Three deliveries share each instant (to the microsecond), so the id breaks the ties.
  const rows = await env.db
    .insert(deliveries)
    .values(
      Array.from({ length: 25 }, (_, i) => ({
        companyId: a.companyId,
        webhookId,
        eventId: event.id,
        status: DELIVERY_STATUSES[i % DELIVERY_STATUSES.length],
        id: sql`hookrelay_uuid_v7('2026-03-01T10:00:00.000001Z'::timestamptz + ${Math.floor(i / 3)} * interval '1.000123 second')`,
        createdAt: sql`'2026-03-01T10:00:00.000001Z'::timestamptz + ${Math.floor(i / 3)} * interval '1.000123 second'`,
      })),
    )
    .returning({ id: deliveries.id, status: deliveries.status, createdAt: deliveries.createdAt });
  const time = (i: number) => Math.floor(i / 3);
  expected = rows
    .map((r, i) => ({ ...r, t: time(i) }))
    .sort((x, y) => y.t - x.t || (x.id < y.id ? 1 : -1))
    .map(({ id, status }) => ({ id, status }));
});

async function pages(query: string) {
  const seen: { id: string; status: string }[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const res = await owner.call(
      GET,
      `/api/v1/webhooks/${webhookId}/deliveries?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      { params: { id: webhookId } },
    );
    expect(res.status, res.text).toBe(200);
    const page = deliveryPageSchema.parse(res.json);
    sizes.push(page.deliveries.length);
    seen.push(...page.deliveries.map((d) => ({ id: d.id, status: d.status })));
    cursor = page.nextCursor;
  } while (cursor && sizes.length < 20);
  return { seen, sizes };
}

describe("GET /api/v1/webhooks/{id}/deliveries", () => {
  it("pages newest first with a cursor, without gaps or repeats", async () => {
    const { seen, sizes } = await pages("limit=7");
    expect(sizes).toEqual([7, 7, 7, 4]);
    expect(seen).toEqual(expected);
  });

  it("filters by status, across pages", async () => {
    const { seen, sizes } = await pages("status=success&limit=2");
    const successes = expected.filter((d) => d.status === "success");
    expect(successes).toHaveLength(5);
    expect(seen).toEqual(successes);
    expect(sizes).toEqual([2, 2, 1]);
  });

  it("returns the event each delivery is for, and a default page of 20", async () => {
    const res = await owner.call(GET, `/api/v1/webhooks/${webhookId}/deliveries`, { params: { id: webhookId } });
    expect(res.json.deliveries).toHaveLength(20);
    expect(res.json.deliveries[0]).toMatchObject({
      webhookId,
      attempts: 0,
      event: { id: "evt_history", type: "deal.updated", recordId: "d1" },
    });
    expect(res.json.nextCursor).toEqual(expect.any(String));
  });

  it("refuses bad parameters with the field, and another company's webhook with 404", async () => {
    for (const [query, field] of [
      ["status=bogus", "status"],
      ["limit=101", "limit"],
      ["limit=abc", "limit"],
      ["cursor=not-a-cursor", "cursor"],
    ]) {
      const res = await owner.call(GET, `/api/v1/webhooks/${webhookId}/deliveries?${query}`, {
        params: { id: webhookId },
      });
      expect(res.status, query).toBe(422);
      expect(res.json.error.field).toBe(field);
    }
    const theirs = await owner.call(GET, `/api/v1/webhooks/${otherWebhookId}/deliveries`, {
      params: { id: otherWebhookId },
    });
    expect(theirs.status).toBe(404);
  });
});
