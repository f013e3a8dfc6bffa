import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { deliveries, webhookRecordTriggers } from "@/db/schema";
import { insertWebhook } from "@/lib/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import type { EventInput } from "@/lib/validations/event";
import type { TriggerMode } from "@/lib/validations/webhook";
import { ingestEvents } from "./ingest";

const env = testEnvironment();
afterAll(() => env.close());

let companyId: string;
let userId: string | null;
beforeAll(async () => {
  const a = await makeCompany(env.deps, "Trigger modes");
  companyId = a.companyId;
  userId = a.owner.userId;
});

let n = 0;
const deal = (id: string, stage: string): EventInput => ({
  id: `evt_${++n}`,
  type: n % 2 ? "deal.updated" : "deal.created",
  data: { id, stage },
});

async function hook(triggerMode: TriggerMode) {
  const { webhook } = await insertWebhook(env.db, companyId, userId, {
    name: `Won deals (${triggerMode})`,
    active: true,
    eventTypes: ["deal.created", "deal.updated"],
    triggerMode,
    url: "http://127.0.0.1:9/won",
    conditions: { match: "all", rules: [{ field: "stage", operator: "equals", value: "Won" }] },
  });
  return webhook.id;
}

async function ingest(...input: EventInput[]) {
  return ingestEvents(env.db, await env.deps.boss(), companyId, null, input);
}

/** The stages (in event order) of what the webhook was sent. */
async function sent(webhookId: string): Promise<string[]> {
  const rows = await env.db.execute<{ record: string; stage: string }>(sql`
    select e.data->>'id' as record, e.data->>'stage' as stage from ${deliveries} d join events e on e.id = d.event_id
    where d.webhook_id = ${webhookId} order by e.created_at, e.external_id`);
  return [...rows].map((r) => `${r.record}:${r.stage}`);
}

describe("several event types per webhook and Vtiger's trigger modes", () => {
  it("one webhook listens to created and updated (any of its types)", async () => {
    const id = await hook("every");
    await ingest(deal("d1", "Won"));
    await ingest(deal("d1", "Won"));
    await ingest(deal("d1", "Lost"));
    expect(await sent(id)).toEqual(["d1:Won", "d1:Won"]);
  });

  it("only the first time the conditions hold for a record", async () => {
    const id = await hook("first_time");
    await ingest(deal("r1", "Open"));
    await ingest(deal("r1", "Won"));
    await ingest(deal("r1", "Won"));
    await ingest(deal("r2", "Won"), deal("r2", "Won"), deal("r3", "Lost"));
    expect(await sent(id)).toEqual(["r1:Won", "r2:Won"]);
    const state = await env.db.select().from(webhookRecordTriggers).where(eq(webhookRecordTriggers.webhookId, id));
    expect(state.map((s) => s.recordId).sort()).toEqual(["r1", "r2"]);
  });

  it("until the first time they hold: every event of the record up to and including that one", async () => {
    const id = await hook("until_first");
    await ingest(deal("u1", "Open"));
    await ingest(deal("u1", "Negotiation"));
    await ingest(deal("u1", "Won"), deal("u1", "Open"));
    await ingest(deal("u1", "Open"));
    await ingest(deal("u2", "Open"), deal("u2", "Won"), deal("u2", "Lost"));
    expect(await sent(id)).toEqual(["u1:Open", "u1:Negotiation", "u1:Won", "u2:Open", "u2:Won"]);
  });

  it("concurrent first events of one record: exactly one is sent", async () => {
    const id = await hook("first_time");
    await Promise.all(Array.from({ length: 8 }, () => ingest(deal("race", "Won"))));
    expect(await sent(id)).toEqual(["race:Won"]);
  });

  it("another webhook's state is its own", async () => {
    const first = await hook("first_time");
    const second = await hook("first_time");
    await ingest(deal("shared", "Won"));
    expect(await sent(first)).toEqual(["shared:Won"]);
    expect(await sent(second)).toEqual(["shared:Won"]);
  });
});
