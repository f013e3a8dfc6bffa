import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql, type SQL } from "drizzle-orm";
import { byId, idBounds, uuidV7 } from "@/db/partitions";
import { listWebhookDeliveries } from "@/db/queries/deliveries";
import { listEvents } from "@/db/queries/events";
import { deliveryCounts, deliveryFlags, getDeliveryDetail } from "@/db/queries/history";
import { companies, deliveries, deliveryAttempts, eventKeys, events, webhooks } from "@/db/schema";
import { ingestEvents } from "@/lib/events/ingest";
import { insertWebhook } from "@/lib/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { maintainPartitions } from "@/jobs/partitions";
import { decodeCursor } from "@/db/keyset";

const env = testEnvironment();
afterAll(() => env.close());

let company: Awaited<ReturnType<typeof makeCompany>>;
let webhookId: string;

beforeAll(async () => {
  company = await makeCompany(env.deps, "Partitions Co");
  webhookId = (
    await insertWebhook(env.db, company.companyId, company.owner.userId, {
      name: "Orders",
      eventType: "deal.updated",
      url: "https://example.com/hook",
      active: true,
    })
  ).webhook.id;
});

/** An event and its delivery created at `at` (ids made from it), with `attempts` attempts. */
async function historyAt(at: Date, attempts = 1, companyId = company.companyId, hook = webhookId) {
  const [event] = await env.db
    .insert(events)
    .values({
      id: uuidV7(at),
      companyId,
      externalId: `p_${at.getTime()}_${Math.random()}`,
      type: "deal.updated",
      recordId: "d_1",
      occurredAt: at,
      data: { id: "d_1" },
      createdAt: at,
    })
    .returning();
  const [delivery] = await env.db
    .insert(deliveries)
    .values({ id: uuidV7(at), companyId, webhookId: hook, eventId: event.id, status: "failed", createdAt: at })
    .returning();
  if (attempts)
    await env.db.insert(deliveryAttempts).values(
      Array.from({ length: attempts }, (_, i) => ({
        deliveryId: delivery.id,
        deliveryCreatedAt: at,
        companyId,
        webhookId: hook,
        attemptNumber: i + 1,
        requestMethod: "POST",
        requestUrl: "https://example.com/hook",
        requestHeaders: {},
        responseStatus: 500,
        createdAt: new Date(at.getTime() + i * 60_000),
      })),
    );
  return { event, delivery };
}

/** The partitions a query's plan reads (its Seq/Index Scans' relations). */
async function scannedPartitions(where: SQL, table = "deliveries"): Promise<string[]> {
  const rows = await env.db.execute<{ "QUERY PLAN": unknown }>(
    sql`explain (format json) select * from ${sql.raw(table)} where ${where}`,
  );
  const names = new Set<string>();
  const walk = (node: Record<string, unknown>) => {
    if (typeof node["Relation Name"] === "string") names.add(node["Relation Name"]);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  const plan = rows[0]["QUERY PLAN"] as { Plan: Record<string, unknown> }[];
  walk(plan[0].Plan);
  return [...names];
}

describe("partitioned history", () => {
  it("makes v7 ids from created_at, in JS and in SQL alike, and refuses a backdated row without its id", async () => {
    const at = new Date("2026-11-20T10:11:12.345Z");
    const id = uuidV7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(idBounds(id)).toEqual({ from: at, to: new Date(at.getTime() + 1) });
    expect(idBounds("6f1c2a34-1b2c-4d3e-8f40-123456789abc")).toBeNull();
    const [row] = await env.db.execute<{ lo: string; id: string; ok: boolean }>(
      sql`select hookrelay_id_lo(${id}::uuid)::text as lo, hookrelay_uuid_v7(${at.toISOString()}::timestamptz)::text as id`,
    );
    expect(new Date(row.lo).getTime()).toBe(at.getTime());
    expect(idBounds(row.id)?.from).toEqual(at);
    // The default id is made with now(): backdating created_at alone is refused loudly, never silently unprunable.
    await expect(
      env.db.insert(events).values({
        companyId: company.companyId,
        externalId: "backdated",
        type: "deal.updated",
        occurredAt: at,
        data: {},
        createdAt: at,
      }),
    ).rejects.toThrow(/events_id_v7_check|Failed query/);
  });

  it("prunes a lookup by id to the one partition of its day", async () => {
    const { delivery, event } = await historyAt(new Date());
    expect(await scannedPartitions(byId(deliveries, delivery.id))).toEqual([`deliveries_p${dayOf(new Date())}`]);
    expect(await scannedPartitions(byId(events, event.id), "events")).toEqual([`events_p${dayOf(new Date())}`]);
    // A legacy (v4) id has no bound: every partition is looked in.
    expect((await scannedPartitions(byId(deliveries, "6f1c2a34-1b2c-4d3e-8f40-123456789abc"))).length).toBeGreaterThan(
      10,
    );
    // A delivery's attempts: one partition too.
    expect(
      await scannedPartitions(
        and(
          eq(deliveryAttempts.deliveryId, delivery.id),
          sql`delivery_created_at >= ${idBounds(delivery.id)!.from.toISOString()}::timestamptz`,
          sql`delivery_created_at < ${idBounds(delivery.id)!.to.toISOString()}::timestamptz`,
        )!,
        "delivery_attempts",
      ),
    ).toEqual([`delivery_attempts_p${dayOf(new Date())}`]);
  });

  it("never fails an insert for a missing day; maintenance creates days ahead and moves rows out of DEFAULT", async () => {
    const ahead = new Date("2035-06-01T08:00:00Z");
    const behind = new Date("2001-02-03T04:05:06Z");
    const future = await historyAt(ahead, 2);
    const past = await historyAt(behind, 1);
    const where = async (table: string, id: string) =>
      (
        await env.db.execute<{ t: string }>(
          sql`select tableoid::regclass::text as t from ${sql.raw(table)} where id = ${id}::uuid`,
        )
      )[0].t;
    expect(await where("deliveries", future.delivery.id)).toBe("deliveries_default");
    expect(await where("events", past.event.id)).toBe("events_default");

    const result = await maintainPartitions(env.db, { now: new Date("2034-12-30T12:00:00Z"), daysAhead: 3 });
    expect(result.failed).toEqual([]);
    expect(result.created).toEqual(
      expect.arrayContaining([
        "events_p20341230",
        "deliveries_p20350102",
        "delivery_attempts_p20350102",
        "events_p20350601",
        "deliveries_p20350601",
        "delivery_attempts_p20350601",
        "events_p20010203",
      ]),
    );
    expect(await where("deliveries", future.delivery.id)).toBe("deliveries_p20350601");
    expect(await where("events", past.event.id)).toBe("events_p20010203");
    const [{ n }] = await env.db.execute<{ n: number }>(
      sql`select count(*)::int as n from delivery_attempts_p20350601 where delivery_id = ${future.delivery.id}::uuid`,
    );
    expect(n).toBe(2);
    // Nothing more to make the second time.
    expect((await maintainPartitions(env.db, { now: new Date("2034-12-30T12:00:00Z"), daysAhead: 3 })).created).toEqual(
      [],
    );
  });

  it("lists and shows deliveries and events across days, paging over the boundary", async () => {
    const other = await makeCompany(env.deps, "Across days Co");
    const hook = (
      await insertWebhook(env.db, other.companyId, other.owner.userId, {
        name: "ERP",
        eventType: "deal.updated",
        url: "https://example.com/erp",
      })
    ).webhook.id;
    const today = new Date();
    const yesterday = new Date(today.getTime() - 86_400_000);
    const rows = [
      await historyAt(yesterday, 3, other.companyId, hook),
      await historyAt(new Date(yesterday.getTime() + 1000), 1, other.companyId, hook),
      await historyAt(today, 2, other.companyId, hook),
    ];
    const first = await listWebhookDeliveries(env.db, other.companyId, hook, { limit: 2 });
    expect(first.deliveries.map((d) => d.id)).toEqual([rows[2].delivery.id, rows[1].delivery.id]);
    const second = await listWebhookDeliveries(env.db, other.companyId, hook, {
      limit: 2,
      cursor: decodeCursor(first.nextCursor),
    });
    expect(second.deliveries.map((d) => d.id)).toEqual([rows[0].delivery.id]);
    expect(second.deliveries[0].event.type).toBe("deal.updated");

    const detail = await getDeliveryDetail(env.db, other.companyId, rows[0].delivery.id);
    expect(detail?.event.id).toBe(rows[0].event.id);
    expect(detail?.attempts.map((a) => a.attemptNumber)).toEqual([1, 2, 3]);

    const listed = await listEvents(env.db, other.companyId, { limit: 10 });
    expect(listed.events.map((e) => e.id)).toEqual(rows.map((r) => r.event.id).reverse());
    expect(listed.events.map((e) => e.deliveries.length)).toEqual([1, 1, 1]);
  });

  it("lists a delivery whose event's day is gone", async () => {
    const other = await makeCompany(env.deps, "Orphan Co");
    const hook = (
      await insertWebhook(env.db, other.companyId, other.owner.userId, {
        name: "ERP",
        eventType: "deal.updated",
        url: "https://example.com/erp",
      })
    ).webhook.id;
    const { delivery, event } = await historyAt(new Date(), 0, other.companyId, hook);
    await env.db.delete(events).where(byId(events, event.id));
    const listed = await listWebhookDeliveries(env.db, other.companyId, hook, { limit: 10 });
    expect(listed.deliveries.map((d) => [d.id, d.event.type])).toEqual([[delivery.id, "event past retention"]]);
  });

  it("keeps an event id once across days (event_keys), and leaves nothing behind a deleted webhook or company", async () => {
    const other = await makeCompany(env.deps, "Keys Co");
    const hook = (
      await insertWebhook(env.db, other.companyId, other.owner.userId, {
        name: "ERP",
        eventType: "deal.updated",
        url: "https://example.com/erp",
        active: true,
      })
    ).webhook.id;
    const boss = await env.deps.boss();
    // An event accepted three days ago (its key with it) …
    const old = await historyAt(new Date(Date.now() - 3 * 86_400_000), 1, other.companyId, hook);
    await env.db.insert(eventKeys).values({
      companyId: other.companyId,
      externalId: old.event.externalId,
      eventId: old.event.id,
      createdAt: old.event.createdAt,
    });
    // … is a duplicate today, reported with the deliveries it made then.
    const [again] = await ingestEvents(env.db, boss, other.companyId, null, [
      { id: old.event.externalId, type: "deal.updated", data: { id: "d_1" } },
    ]);
    expect(again).toEqual({ id: old.event.externalId, deliveries: 1, duplicate: true });
    const [fresh, repeat] = await ingestEvents(env.db, boss, other.companyId, null, [
      { id: "keys_new", type: "deal.updated", data: { id: "d_2" } },
      { id: "keys_new", type: "deal.updated", data: { id: "d_2" } },
    ]);
    expect(fresh).toMatchObject({ deliveries: 1, duplicate: false });
    expect(repeat).toMatchObject({ duplicate: true });
    const count = async (table: typeof events | typeof deliveries | typeof deliveryAttempts | typeof eventKeys) =>
      (
        await env.db
          .select({ n: sql<number>`count(*)::int` })
          .from(table)
          .where(eq(table.companyId, other.companyId))
      )[0].n;
    expect([await count(events), await count(eventKeys), await count(deliveries)]).toEqual([2, 2, 2]);

    // Deleting the webhook deletes its deliveries and their attempts (no foreign key to deliveries: their own).
    await env.db.delete(webhooks).where(eq(webhooks.id, hook));
    expect([await count(deliveries), await count(deliveryAttempts)]).toEqual([0, 0]);
    // Deleting the company deletes its events and keys.
    await env.db.delete(companies).where(eq(companies.id, other.companyId));
    expect([await count(events), await count(eventKeys)]).toEqual([0, 0]);
  });
});

function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10).replaceAll("-", "");
}

describe("history counts", () => {
  it("counts each status up to the cap and says when there are more", async () => {
    const other = await makeCompany(env.deps, "Counts Co");
    const hook = (
      await insertWebhook(env.db, other.companyId, other.owner.userId, {
        name: "ERP",
        eventType: "deal.updated",
        url: "https://example.com/erp",
      })
    ).webhook.id;
    const day = 86_400_000;
    for (let i = 0; i < 4; i++) await historyAt(new Date(Date.now() - i * day - 1000), 0, other.companyId, hook);
    await env.db
      .update(deliveries)
      .set({ status: "queued" })
      .where(eq(deliveries.id, (await historyAt(new Date(), 0, other.companyId, hook)).delivery.id));
    const all = await deliveryCounts(env.db, hook, null, 3);
    expect(all).toEqual({
      triggered: 4,
      success: 0,
      failed: 3,
      pending: 1,
      skipped: 0,
      capped: { triggered: true, failed: true },
    });
    const recent = await deliveryCounts(env.db, hook, new Date(Date.now() - 1.5 * day), 3);
    expect(recent).toEqual({ triggered: 3, success: 0, failed: 2, pending: 1, skipped: 0, capped: {} });
    expect(await deliveryFlags(env.db, hook)).toEqual({ pending: true, retryable: true });
  });
});
