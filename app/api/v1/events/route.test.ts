import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { deliveries, events } from "@/db/schema";
import { createApiKey } from "@/lib/actions/api-keys";
import { insertWebhook } from "@/lib/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { POST } from "./route";

const env = testEnvironment();
afterAll(() => env.close());

let key: string;
let companyId: string;
let wonHookId: string;

beforeAll(async () => {
  const a = await makeCompany(env.deps, "Events Co");
  companyId = a.companyId;
  const created = await createApiKey.run(env.deps, a.owner, { name: "ingest" });
  if (!created.ok) throw new Error(created.error);
  key = created.data.key;
  // Freshsales' example: deal stage changed to Won.
  const won = await insertWebhook(env.db, companyId, a.owner.userId, {
    name: "Invoice on won deals",
    active: true,
    eventType: "deal.updated",
    url: "http://127.0.0.1:9/invoice",
    conditions: { match: "all", rules: [{ field: "stage", operator: "changed_to", value: "Won" }] },
  });
  wonHookId = won.webhook.id;
  await insertWebhook(env.db, companyId, a.owner.userId, {
    name: "Every contact",
    active: true,
    eventType: "contact.created",
    url: "http://127.0.0.1:9/c",
  });
  await insertWebhook(env.db, companyId, a.owner.userId, {
    name: "Switched off",
    active: false,
    eventType: "contact.created",
    url: "http://127.0.0.1:9/off",
  });
});

function post(body: unknown, init: { auth?: string | null; raw?: string | Uint8Array } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.auth !== null) headers.authorization = init.auth ?? `Bearer ${key}`;
  return POST(
    new Request("http://localhost/api/v1/events", {
      method: "POST",
      headers,
      body: (init.raw ?? JSON.stringify(body)) as BodyInit,
    }),
  );
}

const uid = () => `evt_${Math.random().toString(36).slice(2)}`;

describe("POST /api/v1/events", () => {
  it("accepts one event, matches only active webhooks whose conditions hold, and queues a job per delivery", async () => {
    const id = uid();
    const res = await post({
      id,
      type: "deal.updated",
      data: { id: "d1", stage: "Won" },
      previous: { stage: "Negotiation" },
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ events: [{ id, deliveries: 1, duplicate: false }] });
    const [event] = await env.db.select().from(events).where(eq(events.externalId, id));
    const rows = await env.db.select().from(deliveries).where(eq(deliveries.eventId, event.id));
    expect(rows).toMatchObject([{ webhookId: wonHookId, status: "queued", attempts: 0 }]);
    const jobs = await env.db.execute(
      sql`select count(*)::int as n from pgboss.job where name = 'deliver-webhook' and data->>'deliveryId' = ${rows[0].id}`,
    );
    expect(jobs[0].n).toBe(1);
  });

  it("does not match when the condition does not hold (stage unchanged)", async () => {
    const res = await post({
      id: uid(),
      type: "deal.updated",
      data: { id: "d1", stage: "Won" },
      previous: { amount: 5 },
    });
    expect((await res.json()).events[0].deliveries).toBe(0);
  });

  it("is idempotent on id per company", async () => {
    const id = uid();
    const first = await (await post({ id, type: "contact.created", data: { id: "c1" } })).json();
    const second = await (await post({ id, type: "contact.created", data: { id: "c1" } })).json();
    expect(first.events[0]).toEqual({ id, deliveries: 1, duplicate: false });
    expect(second.events[0]).toEqual({ id, deliveries: 1, duplicate: true });
    const [event] = await env.db.select().from(events).where(eq(events.externalId, id));
    expect(await env.db.select().from(deliveries).where(eq(deliveries.eventId, event.id))).toHaveLength(1);
  });

  it("accepts a batch of up to 100", async () => {
    const batch = Array.from({ length: 100 }, (_, i) => ({
      id: uid(),
      type: "contact.created",
      data: { id: `c${i}` },
    }));
    const res = await post(batch);
    expect(res.status).toBe(202);
    const json = await res.json();
    expect(json.events).toHaveLength(100);
    expect(json.events.every((e: { deliveries: number }) => e.deliveries === 1)).toBe(true);
  });

  it("answers clear JSON errors naming the field, and writes nothing", async () => {
    const before = (await env.db.execute(sql`select count(*)::int as n from events`))[0].n;
    const cases: [number, string | undefined, Promise<Response>][] = [
      [401, "authorization", post({ type: "contact.created", data: { id: 1 } }, { auth: null })],
      [401, "authorization", post({ type: "contact.created", data: { id: 1 } }, { auth: "Bearer hr_live_nope" })],
      [400, "body", post(null, { raw: "{not json" })],
      [400, "body", post(null, { raw: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) })],
      [
        413,
        "body",
        post(null, { raw: JSON.stringify({ type: "contact.created", data: { id: 1, pad: "x".repeat(1024 * 1024) } }) }),
      ],
      [413, "body", post(Array.from({ length: 101 }, () => ({ type: "contact.created", data: { id: 1 } })))],
      [422, "type", post({ type: "deal.exploded", data: { id: 1 } })],
      [422, "data.id", post({ type: "contact.created", data: { name: "no id" } })],
      [
        422,
        "[1].occurredAt",
        post([
          { type: "contact.created", data: { id: 1 } },
          { type: "contact.created", occurredAt: "yesterday", data: { id: 2 } },
        ]),
      ],
      [
        422,
        "data",
        post({ type: "contact.created", data: { id: 1, nested: JSON.parse('{"__proto__": {"admin": true}}') } }),
      ],
    ];
    for (const [status, field, pending] of cases) {
      const res = await pending;
      expect(res.status, `expected ${status} for ${field}`).toBe(status);
      const json = await res.json();
      expect(json.error.message).toEqual(expect.any(String));
      if (field) expect(json.error.field).toBe(field);
    }
    const after = (await env.db.execute(sql`select count(*)::int as n from events`))[0].n;
    expect(after).toBe(before);
  });

  it("answers 429 over the company's rate", async () => {
    process.env.EVENTS_RATE_LIMIT = "3";
    try {
      const batch = Array.from({ length: 4 }, () => ({ type: "form.submitted", data: { id: "f" } }));
      const res = await post(batch);
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("1");
    } finally {
      delete process.env.EVENTS_RATE_LIMIT;
    }
  });

  it("keeps companies apart: another company's events never match these webhooks", async () => {
    const b = await makeCompany(env.deps, "Other Co");
    const created = await createApiKey.run(env.deps, b.owner, { name: "b" });
    if (!created.ok) throw new Error(created.error);
    const res = await post(
      { id: uid(), type: "contact.created", data: { id: "c1" } },
      { auth: `Bearer ${created.data.key}` },
    );
    expect((await res.json()).events[0].deliveries).toBe(0);
  });
});
