import { uuidV7 } from "@/db/partitions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { deliveries, events, webhooks } from "@/db/schema";
import { createApiKey } from "@/lib/actions/api-keys";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { decodeCursor, type KeysetCursor } from "@/db/keyset";
import { getCompanyEvent, listEvents } from "./events";

const env = testEnvironment();
afterAll(() => env.close());

type Company = Awaited<ReturnType<typeof makeCompany>>;
let a: Company;
let b: Company;
let apiKeyId: string;
const hooks: Record<string, string> = {};
const ids: Record<string, string> = {};

async function webhook(companyId: string, name: string) {
  const [w] = await env.db
    .insert(webhooks)
    .values({
      companyId,
      name,
      eventTypes: ["deal.updated"],
      url: "http://127.0.0.1:9/x",
      config: {},
      signingSecretEncrypted: "unused",
    })
    .returning();
  return w.id;
}

/** An event at a chosen instant (text, so microseconds are kept). */
async function event(
  companyId: string,
  externalId: string,
  type: string,
  recordId: string,
  at: string,
  source: { apiKeyId?: string; sentBy?: string } = {},
) {
  const [e] = await env.db
    .insert(events)
    .values({
      companyId,
      externalId,
      type,
      recordId,
      occurredAt: new Date(at),
      data: { id: recordId, name: `Record ${recordId}` },
      previous: { stage: "Negotiation" },
      apiKeyId: source.apiKeyId ?? null,
      sentBy: source.sentBy ?? null,
      isTest: Boolean(source.sentBy),
      id: uuidV7(new Date(at)),
      createdAt: sql`${at}::timestamptz`,
    })
    .returning();
  return e.id;
}

beforeAll(async () => {
  a = await makeCompany(env.deps, "Events A");
  b = await makeCompany(env.deps, "Events B");
  const key = await createApiKey.run(env.deps, a.owner, { name: "CRM production" });
  if (!key.ok) throw new Error(key.error);
  apiKeyId = key.data.apiKeyId;
  hooks.orders = await webhook(a.companyId, "Orders");
  hooks.erp = await webhook(a.companyId, "ERP sync");
  // Newest first: e5 and e4 share an instant (the id breaks the tie).
  ids.e1 = await event(a.companyId, "evt_1001", "deal.updated", "d_5531", "2030-01-01T10:00:00.000001Z", { apiKeyId });
  ids.e2 = await event(a.companyId, "evt_1002", "contact.created", "c_1042", "2030-01-01T10:00:00.000002Z", {
    apiKeyId,
  });
  ids.e3 = await event(a.companyId, "test_abc", "deal.updated", "d_5532", "2030-01-01T11:00:00Z", {
    sentBy: a.owner.userId!,
  });
  ids.e4 = await event(a.companyId, "evt_1004", "lead.created", "l_2087", "2030-01-01T12:00:00Z", { apiKeyId });
  ids.e5 = await event(a.companyId, "evt_1005", "deal.stage_changed", "d_5531", "2030-01-01T12:00:00Z", { apiKeyId });
  ids.other = await event(b.companyId, "evt_1001", "deal.updated", "d_5531", "2030-01-01T12:30:00Z");
  await env.db.insert(deliveries).values([
    {
      companyId: a.companyId,
      webhookId: hooks.orders,
      eventId: ids.e1,
      status: "success",
      attempts: 1,
      lastStatusCode: 200,
    },
    {
      companyId: a.companyId,
      webhookId: hooks.erp,
      eventId: ids.e1,
      status: "failed",
      attempts: 3,
      lastStatusCode: 500,
    },
    { companyId: a.companyId, webhookId: hooks.orders, eventId: ids.e3, status: "queued", attempts: 0 },
  ]);
});

async function allPages(params: { q?: string; type?: string }, limit: number) {
  const seen: string[] = [];
  let cursor: KeysetCursor | null = null;
  for (let i = 0; i < 10; i++) {
    const page = await listEvents(env.db, a.companyId, { ...params, cursor, limit });
    seen.push(...page.events.map((e) => e.externalId));
    if (!page.nextCursor) break;
    cursor = decodeCursor(page.nextCursor);
    expect(cursor).not.toBeNull();
  }
  return seen;
}

describe("listEvents", () => {
  it("lists the company's events newest first, with ties broken by id, and never another company's", async () => {
    const page = await listEvents(env.db, a.companyId, { limit: 25 });
    const tie = [ids.e4, ids.e5].sort().reverse();
    expect(page.events.map((e) => e.id)).toEqual([...tie, ids.e3, ids.e2, ids.e1]);
    expect(page.nextCursor).toBeNull();
    expect(page.events.some((e) => e.id === ids.other)).toBe(false);
  });

  it("pages on (created_at, id) without gaps or repeats, whatever the page size", async () => {
    const everything = await allPages({}, 25);
    for (const limit of [1, 2, 3]) expect(await allPages({}, limit)).toEqual(everything);
    const first = await listEvents(env.db, a.companyId, { limit: 2 });
    expect(first.events).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
  });

  it("searches the start of the record id or the event id, any part of the type, or Hookrelay's event id", async () => {
    const search = async (q: string) =>
      (await listEvents(env.db, a.companyId, { q, limit: 25 })).events.map((e) => e.externalId).sort();
    expect(await search("d_5531")).toEqual(["evt_1001", "evt_1005"]);
    expect(await search("D_553")).toEqual(["evt_1001", "evt_1005", "test_abc"]);
    expect(await search("evt_1002")).toEqual(["evt_1002"]);
    expect(await search("test_")).toEqual(["test_abc"]);
    expect(await search("stage_ch")).toEqual(["evt_1005"]);
    expect(await search("contact")).toEqual(["evt_1002"]);
    expect(await search(ids.e4)).toEqual(["evt_1004"]);
    // LIKE wildcards are taken literally: "%" matches nothing, "_" only an underscore.
    expect(await search("%")).toEqual([]);
    expect(await search("d_")).toEqual(["evt_1001", "evt_1005", "test_abc"]);
    expect(await search("5531")).toEqual([]);
  });

  it("filters by type, alone or with a search, and pages the result", async () => {
    const byType = await listEvents(env.db, a.companyId, { type: "deal.updated", limit: 25 });
    expect(byType.events.map((e) => e.externalId)).toEqual(["test_abc", "evt_1001"]);
    const both = await listEvents(env.db, a.companyId, { type: "deal.updated", q: "d_5531", limit: 25 });
    expect(both.events.map((e) => e.externalId)).toEqual(["evt_1001"]);
    expect(await allPages({ type: "deal.updated" }, 1)).toEqual(["test_abc", "evt_1001"]);
  });

  it("gives each event the webhooks it matched with each delivery's status, and its source", async () => {
    const page = await listEvents(env.db, a.companyId, { limit: 25 });
    const byId = new Map(page.events.map((e) => [e.id, e]));
    const e1 = byId.get(ids.e1)!;
    expect(
      e1.deliveries
        .map((d) => ({ webhook: d.webhookName, status: d.status, code: d.lastStatusCode, webhookId: d.webhookId }))
        .sort((x, y) => x.webhook.localeCompare(y.webhook)),
    ).toEqual([
      { webhook: "ERP sync", status: "failed", code: 500, webhookId: hooks.erp },
      { webhook: "Orders", status: "success", code: 200, webhookId: hooks.orders },
    ]);
    expect(e1).toMatchObject({ isTest: false, apiKeyName: "CRM production", sentByName: null });
    expect(byId.get(ids.e3)).toMatchObject({
      isTest: true,
      apiKeyId: null,
      apiKeyName: null,
      sentByName: "Olivia Owner",
    });
    expect(byId.get(ids.e3)!.deliveries).toMatchObject([{ webhookName: "Orders", status: "queued" }]);
    expect(byId.get(ids.e2)!.deliveries).toEqual([]);
  });
});

describe("getCompanyEvent", () => {
  it("returns the payload, the source and the deliveries of the company's own event only", async () => {
    const detail = await getCompanyEvent(env.db, a.companyId, ids.e1);
    expect(detail).toMatchObject({
      externalId: "evt_1001",
      type: "deal.updated",
      recordId: "d_5531",
      data: { id: "d_5531", name: "Record d_5531" },
      previous: { stage: "Negotiation" },
      apiKeyName: "CRM production",
    });
    expect(detail!.deliveries).toHaveLength(2);
    expect(await getCompanyEvent(env.db, b.companyId, ids.e1)).toBeNull();
    expect(await getCompanyEvent(env.db, a.companyId, ids.other)).toBeNull();
  });
});

describe("takeEventRate", () => {
  it("counts a company's events per second in PostgreSQL, so two web processes (two connections) share one limit", async () => {
    const { inject } = await import("vitest");
    const { createDb } = await import("@/db");
    const { takeEventRate } = await import("./events");
    const other = createDb(inject("databaseUrl"), 2);
    try {
      const limited = await makeCompany(env.deps, "Rate Limited Co");
      const neighbour = await makeCompany(env.deps, "Rate Neighbour Co");
      const at = { second: 1_800_000_000 };
      const first = await takeEventRate(env.db, limited.companyId, 6, 10, at);
      const second = await takeEventRate(other.db, limited.companyId, 4, 10, at);
      const third = await takeEventRate(other.db, limited.companyId, 1, 10, at);
      const fourth = await takeEventRate(env.db, limited.companyId, 1, 10, at);
      // Another company has its own window.
      const neighbourTakes = await takeEventRate(other.db, neighbour.companyId, 10, 10, at);
      expect([first, second, third, fourth, neighbourTakes].map((r) => r.allowed)).toEqual([
        true,
        true,
        false,
        false,
        true,
      ]);
      expect([first, second, third, fourth].map((r) => r.count)).toEqual([6, 10, 11, 12]);
      // The next second starts a new window; without `at`, the database's clock names it.
      expect(await takeEventRate(other.db, limited.companyId, 10, 10, { second: at.second + 1 })).toEqual({
        allowed: true,
        count: 10,
      });
      expect((await takeEventRate(env.db, limited.companyId, 10, 10)).allowed).toBe(true);
    } finally {
      await other.client.end();
    }
  });
});
