import { afterAll, describe, expect, it } from "vitest";
import { eq, inArray } from "drizzle-orm";
import { companies, deliveries, deliveryAttempts, events, type DeliveryStatus } from "@/db/schema";
import { insertWebhook } from "@/lib/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { FINISHED_JOBS_KEPT_SECONDS } from "./boss";
import { JOBS, purgeOldData as purgeOldDataJob } from "./definitions";
import { purgeOldData } from "./purge";

const env = testEnvironment();
afterAll(() => env.close());

const DAY = 86_400_000;
// Real time, and only this file's companies: other test files share the database.
const now = new Date();
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);

let seq = 0;

/** An event received `ageDays` ago, with one delivery per status given, each with `attempts` attempts of the given
 * ages. */
async function eventWith(
  companyId: string,
  webhookId: string,
  ageDays: number,
  deliveryRows: { status: DeliveryStatus; attemptAgesDays?: number[] }[] = [],
) {
  const [event] = await env.db
    .insert(events)
    .values({
      companyId,
      externalId: `purge_${++seq}`,
      type: "deal.updated",
      occurredAt: daysAgo(ageDays),
      data: { id: `d${seq}` },
      createdAt: daysAgo(ageDays),
    })
    .returning();
  const deliveryIds: string[] = [];
  for (const d of deliveryRows) {
    const [delivery] = await env.db
      .insert(deliveries)
      .values({
        companyId,
        webhookId,
        eventId: event.id,
        status: d.status,
        attempts: d.attemptAgesDays?.length ?? 0,
        createdAt: daysAgo(ageDays),
      })
      .returning();
    deliveryIds.push(delivery.id);
    const ages = d.attemptAgesDays ?? [];
    if (ages.length) {
      await env.db.insert(deliveryAttempts).values(
        ages.map((age, i) => ({
          deliveryId: delivery.id,
          companyId,
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
  return { eventId: event.id, deliveryIds };
}

async function world() {
  const a = await makeCompany(env.deps, "Thirty days Co");
  const b = await makeCompany(env.deps, "Seven days Co");
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

describe("purge-old-data", () => {
  it("deletes what is older than each company's own retention, keeps events with a pending delivery, and counts", async () => {
    const { a, b, hookA, hookB } = await world();

    // Company A keeps 30 days.
    const aOld = await eventWith(a.companyId, hookA, 40, [{ status: "success", attemptAgesDays: [40, 39] }]);
    const aOldBare = await eventWith(a.companyId, hookA, 31);
    const aOldQueued = await eventWith(a.companyId, hookA, 45, [{ status: "queued", attemptAgesDays: [45, 2] }]);
    const aOldDispatched = await eventWith(a.companyId, hookA, 60, [
      { status: "dispatched" },
      { status: "failed", attemptAgesDays: [60] },
    ]);
    const aTenDays = await eventWith(a.companyId, hookA, 10, [{ status: "failed", attemptAgesDays: [10, 9] }]);
    const aNew = await eventWith(a.companyId, hookA, 0, [{ status: "success", attemptAgesDays: [0] }]);
    // Company B keeps 7 days: its ten-day-old event goes, A's does not.
    const bTenDays = await eventWith(b.companyId, hookB, 10, [{ status: "failed", attemptAgesDays: [10, 9, 8] }]);
    const bNew = await eventWith(b.companyId, hookB, 1, [{ status: "success", attemptAgesDays: [1] }]);

    const result = await purgeOldData(env.db, { now, companyIds: [a.companyId, b.companyId] });

    // A: the attempts at 40, 39, 45 and 60 days (the last two on deliveries whose events stay); events aOld and
    // aOldBare.
    // B: three attempts, one event.
    expect(result.companies).toEqual({
      [a.companyId]: { attempts: 4, events: 2 },
      [b.companyId]: { attempts: 3, events: 1 },
    });
    expect(result).toMatchObject({ attempts: 7, events: 3 });

    const allEvents = [aOld, aOldBare, aOldQueued, aOldDispatched, aTenDays, aNew, bTenDays, bNew].map(
      (e) => e.eventId,
    );
    expect(await remaining(events, allEvents)).toEqual(
      [aOldQueued, aOldDispatched, aTenDays, aNew, bNew].map((e) => e.eventId).sort(),
    );
    // The deleted events' deliveries went with them; the pending ones (and their event's other deliveries) stay.
    expect(await remaining(deliveries, [...aOld.deliveryIds, ...bTenDays.deliveryIds])).toEqual([]);
    expect(await remaining(deliveries, aOldDispatched.deliveryIds)).toEqual([...aOldDispatched.deliveryIds].sort());
    // Attempts: only those inside the retention are left, including the recent one of the old queued delivery.
    expect(await attemptsOf(aOldQueued.deliveryIds)).toHaveLength(1);
    expect(await attemptsOf(aOldDispatched.deliveryIds)).toHaveLength(0);
    expect(await attemptsOf(aTenDays.deliveryIds)).toHaveLength(2);
    expect(await attemptsOf([...aNew.deliveryIds, ...bNew.deliveryIds])).toHaveLength(2);

    // Nothing more to do the second time.
    expect(await purgeOldData(env.db, { now, companyIds: [a.companyId, b.companyId] })).toEqual({
      attempts: 0,
      events: 0,
      companies: {},
    });
  });

  it("deletes everything due even when there are more rows than a batch", async () => {
    const { a, hookA } = await world();
    const old = [];
    for (let i = 0; i < 7; i++)
      old.push(await eventWith(a.companyId, hookA, 35 + i, [{ status: "failed", attemptAgesDays: [35 + i] }]));
    const kept = await eventWith(a.companyId, hookA, 3, [{ status: "failed", attemptAgesDays: [3] }]);

    const result = await purgeOldData(env.db, { now, batchSize: 2, companyIds: [a.companyId] });

    expect(result).toEqual({ attempts: 7, events: 7, companies: { [a.companyId]: { attempts: 7, events: 7 } } });
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
    expect(await purgeOldData(env.db, { now, companyIds: [b.companyId] })).toMatchObject({ attempts: 0, events: 0 });
    await env.db.update(companies).set({ retentionDays: 1 }).where(eq(companies.id, b.companyId));
    expect(await purgeOldData(env.db, { now, companyIds: [b.companyId] })).toMatchObject({ attempts: 1, events: 1 });
    expect(await remaining(events, [fiveDays.eventId])).toEqual([]);
  });

  it("keeps pg-boss's finished jobs one day, on every queue", async () => {
    const boss = await env.deps.boss();
    for (const { name } of JOBS)
      expect(await boss.getQueue(name)).toMatchObject({ name, deleteAfterSeconds: FINISHED_JOBS_KEPT_SECONDS });
    expect(await boss.getQueue(purgeOldDataJob.name)).toMatchObject({ policy: "singleton" });
  });
});
