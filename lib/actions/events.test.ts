import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { deliveries, events } from "@/db/schema";
import { addMember, makeCompany, testEnvironment } from "@/tests/helpers";
import { sendTestEvent } from "./events";
import { createWebhook } from "./webhooks";

const env = testEnvironment();
afterAll(() => env.close());

type Company = Awaited<ReturnType<typeof makeCompany>>;
let company: Company;
const hooks: Record<string, string> = {};

async function hook(name: string, input: Record<string, unknown>) {
  const res = await createWebhook.run(env.deps, company.owner, {
    name,
    eventType: "deal.updated",
    url: "http://127.0.0.1:9/hook",
    ...input,
  });
  if (!res.ok) throw new Error(res.error);
  return res.data.webhookId;
}

const deal = { id: "d_5531", name: "Engines — annual licence", stage: "Won", amount: 48000 };

beforeAll(async () => {
  company = await makeCompany(env.deps, "Test Events Co");
  hooks.won = await hook("Won deals", {
    active: true,
    conditions: { match: "all", rules: [{ field: "stage", operator: "changed_to", value: "Won" }] },
  });
  hooks.off = await hook("Switched off", { active: false });
  hooks.contacts = await hook("Contacts", { active: true, eventType: "contact.created" });
});

async function eventRow(eventId: string) {
  const [row] = await env.db
    .select()
    .from(events)
    .where(and(eq(events.companyId, company.companyId), eq(events.id, eventId)));
  return row;
}

describe("sendTestEvent", () => {
  it("stores a test event sent by the user and a delivery + job for each matching active webhook, through the API's path", async () => {
    const res = await sendTestEvent.run(env.deps, company.owner, {
      type: "deal.updated",
      data: JSON.stringify(deal),
      previous: JSON.stringify({ stage: "Negotiation" }),
    });
    if (!res.ok) throw new Error(res.error);
    expect(res.data.deliveries).toBe(1);
    expect(res.message).toBe("Test event sent: it matched 1 webhook");
    expect(res.data.externalId).toMatch(/^test_[0-9a-f-]{36}$/);

    const event = await eventRow(res.data.eventId);
    expect(event).toMatchObject({
      type: "deal.updated",
      recordId: "d_5531",
      data: deal,
      previous: { stage: "Negotiation" },
      isTest: true,
      sentBy: company.owner.userId,
      apiKeyId: null,
      externalId: res.data.externalId,
    });

    const made = await env.db.select().from(deliveries).where(eq(deliveries.eventId, event.id));
    expect(made.map((d) => d.webhookId)).toEqual([hooks.won]);
    const [job] = await env.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pgboss.job where name = 'deliver-webhook' and data->>'deliveryId' = ${made[0].id}`,
    );
    expect(job.n).toBe(1);
  });

  it("follows the webhooks' conditions: without the previous stage the Won condition does not hold", async () => {
    const res = await sendTestEvent.run(env.deps, company.owner, {
      type: "deal.updated",
      data: JSON.stringify(deal),
      previous: "  ",
    });
    expect(res).toMatchObject({
      ok: true,
      data: { deliveries: 0 },
      message: "Test event sent: it matched no active webhook",
    });
    if (res.ok) expect((await eventRow(res.data.eventId)).previous).toBeNull();
  });

  it("puts errors on the field: not JSON, not an object, no id, an unknown type", async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ type: "deal.updated", data: "{ id: 1" }, "data", /^Not valid JSON/],
      [{ type: "deal.updated", data: "[1, 2]" }, "data", /must be a JSON object.*not an array/],
      [{ type: "deal.updated", data: "42" }, "data", /must be a JSON object.*not a number/],
      [{ type: "deal.updated", data: "" }, "data", /is required/],
      [{ type: "deal.updated", data: JSON.stringify({ name: "no id" }) }, "data", /needs an "id"/],
      [
        { type: "deal.updated", data: JSON.stringify(deal), previous: "null" },
        "previous",
        /must be a JSON object.*not null/,
      ],
      [{ type: "deal.won", data: JSON.stringify(deal) }, "type", /event type of the catalog/],
    ];
    const before = await env.db.execute<{ n: number }>(
      sql`select count(*)::int as n from events where company_id = ${company.companyId}`,
    );
    for (const [input, field, message] of cases) {
      const res = await sendTestEvent.run(env.deps, company.owner, input);
      expect(res.ok, JSON.stringify(input)).toBe(false);
      if (!res.ok) {
        expect(res.code).toBe("invalid");
        expect(res.fieldErrors?.[field]?.[0], JSON.stringify(input)).toMatch(message);
      }
    }
    const after = await env.db.execute<{ n: number }>(
      sql`select count(*)::int as n from events where company_id = ${company.companyId}`,
    );
    expect(after[0].n).toBe(before[0].n);
  });

  it("is refused without Manage Webhooks, even with View Webhooks", async () => {
    const [viewer] = await env.db.execute<{ id: string }>(
      sql`insert into roles (company_id, name, permissions) values (${company.companyId}, 'Viewer', '{webhooks.view}') returning id`,
    );
    const member = await addMember(env.db, company.companyId, viewer.id);
    const res = await sendTestEvent.run(env.deps, member.caller, {
      type: "contact.created",
      data: JSON.stringify({ id: "c_1" }),
    });
    expect(res).toMatchObject({ ok: false, code: "forbidden" });
    const made = await env.db
      .select()
      .from(events)
      .where(and(eq(events.companyId, company.companyId), eq(events.type, "contact.created")));
    expect(made).toEqual([]);
  });
});
