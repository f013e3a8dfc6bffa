import { afterAll, describe, expect, it } from "vitest";
import { eq, inArray, sql } from "drizzle-orm";
import { utcDayOf, uuidV7 } from "@/db/partitions";
import { companies, deliveries, deliveryAttempts, eventKeys, events, type DeliveryStatus } from "@/db/schema";
import { insertWebhook } from "@/lib/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { FINISHED_JOBS_KEPT_SECONDS } from "./boss";
import { JOBS, purgeOldData as purgeOldDataJob } from "./definitions";
import { purgeOldData } from "./purge";

const env = testEnvironment();
afterAll(() => env.close());

const DAY = 86_400_000;
// Real time, and only this file's companies and days: other test files share the database. `days: []` keeps the
// tests of row deletes from dropping any day (whole days are dropped once past EVERY company's retention).
const now = new Date();
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
const noDrops = { days: [] as string[] };

let seq = 0;

/** An event received `ageDays` ago, with one delivery per status given (made `deliveryAgeDays` ago, by default with the
 * event), each with attempts of the given ages. */
async function eventWith(
  companyId: string,
  webhookId: string,
  ageDays: number,
  deliveryRows: { status: DeliveryStatus; attemptAgesDays?: number[]; deliveryAgeDays?: number }[] = [],
) {
  const at = daysAgo(ageDays);
  const externalId = `purge_${++seq}`;
  const [event] = await env.db
    .insert(events)
    .values({
      id: uuidV7(at),
      companyId,
      externalId,
      type: "deal.updated",
      occurredAt: at,
      data: { id: `d${seq}` },
      createdAt: at,
    })
    .returning();
  await env.db.insert(eventKeys).values({ companyId, externalId, eventId: event.id, createdAt: at });
  const deliveryIds: string[] = [];
  for (const d of deliveryRows) {
    const made = d.deliveryAgeDays === undefined ? at : daysAgo(d.deliveryAgeDays);
    const [delivery] = await env.db
      .insert(deliveries)
      .values({
        id: uuidV7(made),
        companyId,
        webhookId,
        eventId: event.id,
        status: d.status,
        attempts: d.attemptAgesDays?.length ?? 0,
        createdAt: made,
      })
      .returning();
    deliveryIds.push(delivery.id);
    const ages = d.attemptAgesDays ?? [];
    if (ages.length) {
      await env.db.insert(deliveryAttempts).values(
        ages.map((age, i) => ({
          deliveryId: delivery.id,
          deliveryCreatedAt: made,
          companyId,
          webhookId,
          attemptNumber: i + 1,
          requestMethod: "POST",
          requestUrl: "https://example.com/hook",
          requestHeaders: {},
          responseStatus: 500,
          createdAt: daysAgo(age),
        })),
      );
    }
  }
  return { eventId: event.id, deliveryIds, day: utcDayOf(at), externalId };
}

/** Company A keeps 365 days (the longest there can be: its old days are dropped whole), B keeps 7. */
async function world() {
  const a = await makeCompany(env.deps, "Year Co");
  const b = await makeCompany(env.deps, "Seven days Co");
  await env.db.update(companies).set({ retentionDays: 365 }).where(eq(companies.id, a.companyId));
  await env.db.update(companies).set({ retentionDays: 7 }).where(eq(companies.id, b.companyId));
  const hook = async (companyId: string, userId: string | null) =>
    (
      await insertWebhook(env.db, companyId, userId, {
        name: "Orders",
        eventType: "deal.updated",
        url: "https://example.com/hook",
      })
    ).webhook.id;
  return { a, b, hookA: await hook(a.companyId, a.owner.userId), hookB: await hook(b.companyId, b.owner.userId) };
}

async function remaining(table: typeof events | typeof deliveries, ids: string[]) {
  return (await env.db.select({ id: table.id }).from(table).where(inArray(table.id, ids))).map((r) => r.id).sort();
}

async function attemptsOf(deliveryIds: string[]) {
  return env.db
    .select({ id: deliveryAttempts.id })
    .from(deliveryAttempts)
    .where(inArray(deliveryAttempts.deliveryId, deliveryIds));
}

async function partitionsOf(day: string): Promise<string[]> {
  const suffix = day.replaceAll("-", "");
  const rows = await env.db.execute<{ name: string | null }>(
    sql`select to_regclass(t || '_p' || ${suffix})::text as name
        from unnest(array['events', 'deliveries', 'delivery_attempts']) t`,
  );
  return rows.flatMap((r) => (r.name ? [r.name] : []));
}

describe("purge-old-data", () => {
  it("deletes rows of companies whose retention is shorter than the longest, keeps events with a pending delivery", async () => {
    const { a, b, hookA, hookB } = await world();
    // B keeps 7 days.
    const bOld = await eventWith(b.companyId, hookB, 10, [{ status: "failed", attemptAgesDays: [10, 9, 8] }]);
    const bOldBare = await eventWith(b.companyId, hookB, 8);
    const bOldQueued = await eventWith(b.companyId, hookB, 12, [{ status: "queued", attemptAgesDays: [12, 2] }]);
    const bNew = await eventWith(b.companyId, hookB, 1, [{ status: "success", attemptAgesDays: [1] }]);
    // A keeps the longest retention: its rows are never deleted one by one (its days are dropped whole, later).
    const aTenDays = await eventWith(a.companyId, hookA, 10, [{ status: "failed", attemptAgesDays: [10, 9] }]);

    const result = await purgeOldData(env.db, { now, companyIds: [a.companyId, b.companyId], ...noDrops });

    // B: the attempts at 10, 9, 8 and 12 days (the last on a delivery whose event stays); events bOld and bOldBare.
    expect(result.companies).toEqual({ [b.companyId]: { attempts: 4, events: 2 } });
    expect(result).toMatchObject({ attempts: 4, events: 2, longestRetentionDays: 365 });
    // The idempotency keys older than B's retention went too (bOldQueued's with them: its event is kept for its
    // delivery, a repeat of its id is no longer recognised after the retention).
    expect(result.keys).toBe(3);

    const all = [bOld, bOldBare, bOldQueued, bNew, aTenDays].map((e) => e.eventId);
    expect(await remaining(events, all)).toEqual([bOldQueued, bNew, aTenDays].map((e) => e.eventId).sort());
    // The deleted events' deliveries and their attempts went with them (no cascade: the same statement).
    expect(await remaining(deliveries, bOld.deliveryIds)).toEqual([]);
    expect(await attemptsOf(bOld.deliveryIds)).toHaveLength(0);
    expect(await attemptsOf(bOldQueued.deliveryIds)).toHaveLength(1);
    expect(await attemptsOf([...bNew.deliveryIds, ...aTenDays.deliveryIds])).toHaveLength(3);

    // Nothing more to do the second time.
    expect(await purgeOldData(env.db, { now, companyIds: [a.companyId, b.companyId], ...noDrops })).toMatchObject({
      attempts: 0,
      events: 0,
      keys: 0,
      companies: {},
    });
  });

  it("deletes everything due even when there are more rows than a batch", async () => {
    const { b, hookB } = await world();
    const old = [];
    for (let i = 0; i < 7; i++)
      old.push(await eventWith(b.companyId, hookB, 8 + i, [{ status: "failed", attemptAgesDays: [8 + i] }]));
    const kept = await eventWith(b.companyId, hookB, 3, [{ status: "failed", attemptAgesDays: [3] }]);

    const result = await purgeOldData(env.db, { now, batchSize: 2, companyIds: [b.companyId], ...noDrops });

    expect(result).toMatchObject({
      attempts: 7,
      events: 7,
      keys: 7,
      companies: { [b.companyId]: { attempts: 7, events: 7 } },
    });
    expect(
      await remaining(
        events,
        [...old, kept].map((e) => e.eventId),
      ),
    ).toEqual([kept.eventId]);
  });

  it("follows a change of the company's retention", async () => {
    const { b, hookB } = await world();
    const fiveDays = await eventWith(b.companyId, hookB, 5, [{ status: "success", attemptAgesDays: [5] }]);
    expect(await purgeOldData(env.db, { now, companyIds: [b.companyId], ...noDrops })).toMatchObject({
      attempts: 0,
      events: 0,
    });
    await env.db.update(companies).set({ retentionDays: 1 }).where(eq(companies.id, b.companyId));
    expect(await purgeOldData(env.db, { now, companyIds: [b.companyId], ...noDrops })).toMatchObject({
      attempts: 1,
      events: 1,
    });
    expect(await remaining(events, [fiveDays.eventId])).toEqual([]);
  });

  it("drops a day past every retention whole, and holds back a day pending work refers to until it is done", async () => {
    const { a, hookA } = await world();
    // Days past the longest retention (365): one done, one with a queued delivery, one whose event a delivery made
    // three days ago (Recover) still has to send.
    const done = await eventWith(a.companyId, hookA, 400, [{ status: "success", attemptAgesDays: [400, 400] }]);
    const doneBare = await eventWith(a.companyId, hookA, 400);
    const queued = await eventWith(a.companyId, hookA, 402, [{ status: "queued", attemptAgesDays: [402] }]);
    const recovered = await eventWith(a.companyId, hookA, 404, [
      { status: "failed" },
      { status: "dispatched", deliveryAgeDays: 3 },
    ]);
    const days = [done.day, queued.day, recovered.day];
    // Rows of days without a partition wait in the DEFAULT partitions; the purge first gives each its day.
    const result = await purgeOldData(env.db, { now, companyIds: [a.companyId], days });

    expect(result.droppedDays).toEqual([done.day]);
    expect(result.heldBackDays).toEqual([
      { day: recovered.day, reason: "pending deliveries refer to it" },
      { day: queued.day, reason: "pending deliveries refer to it" },
    ]);
    expect(await partitionsOf(done.day)).toEqual([]);
    expect(await remaining(events, [done.eventId, doneBare.eventId])).toEqual([]);
    expect(await remaining(deliveries, done.deliveryIds)).toEqual([]);
    expect(await attemptsOf(done.deliveryIds)).toHaveLength(0);
    // The held-back days are whole, the pending work untouched: nothing of A was deleted row by row.
    expect(await partitionsOf(queued.day)).toHaveLength(3);
    expect(await remaining(events, [queued.eventId, recovered.eventId])).toHaveLength(2);
    expect(await attemptsOf(queued.deliveryIds)).toHaveLength(1);
    expect(result.companies).toEqual({});

    // Once the work is done, the next run drops them.
    await env.db
      .update(deliveries)
      .set({ status: "success" })
      .where(inArray(deliveries.id, [...queued.deliveryIds, ...recovered.deliveryIds]));
    const again = await purgeOldData(env.db, { now, companyIds: [a.companyId], days });
    expect(again.droppedDays.sort()).toEqual([recovered.day, queued.day].sort());
    expect(again.heldBackDays).toEqual([]);
    expect(await remaining(events, [queued.eventId, recovered.eventId])).toEqual([]);
    // The delivery made three days ago is of a kept day: it stays, its event gone (readers tolerate that).
    expect(await remaining(deliveries, [recovered.deliveryIds[1]])).toEqual([recovered.deliveryIds[1]]);
  });

  it("holds back a day whose tables are busy, and drops it on the next run", async () => {
    const { a, hookA } = await world();
    const old = await eventWith(a.companyId, hookA, 420, [{ status: "success", attemptAgesDays: [420] }]);
    const options = { now, companyIds: [a.companyId], days: [old.day] };
    // A long read of that day holds its partition's lock past the drop's lock timeout.
    await env.db.transaction(async (tx) => {
      await purgeOldData(env.db, { ...options, days: [] }); // the day gets its partitions
      await tx.execute(
        sql`select count(*) from events where created_at >= ${old.day}::date and company_id = ${a.companyId}`,
      );
      const busy = await purgeOldData(env.db, options);
      expect(busy.droppedDays).toEqual([]);
      expect(busy.heldBackDays).toEqual([{ day: old.day, reason: "its tables were busy (lock timeout)" }]);
    });
    expect(await partitionsOf(old.day)).toHaveLength(3);
    expect((await purgeOldData(env.db, options)).droppedDays).toEqual([old.day]);
    expect(await partitionsOf(old.day)).toEqual([]);
  });

  it("keeps pg-boss's finished jobs one day, on every queue", async () => {
    const boss = await env.deps.boss();
    for (const { name } of JOBS)
      expect(await boss.getQueue(name)).toMatchObject({ name, deleteAfterSeconds: FINISHED_JOBS_KEPT_SECONDS });
    expect(await boss.getQueue(purgeOldDataJob.name)).toMatchObject({ policy: "singleton" });
  });
});
