import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq, inArray, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { deliveries, deliveryAttempts, events } from "@/db/schema";
import { insertWebhook } from "@/lib/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { startReceiver, waitUntil } from "@/tests/receiver";
import { ensureQueues } from "./boss";
import { deliverJobOptions, deliverWebhook, enqueueMany } from "./definitions";
import { DISPATCHED_AFTER_MS, runDeliveryPipeline, WORKER_INSTANCE, type JobInHand } from "./delivery-pipeline";

/**
 * The pipeline's writes per round (issue 17): a round's deliveries go from queued straight to their outcome
 * (no `dispatched` write when the answer comes within the round), every attempt is logged, and each wave's
 * outcomes and the completion of its jobs commit together.
 */
process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
const env = testEnvironment();
let boss: PgBoss;
let company: Awaited<ReturnType<typeof makeCompany>>;

beforeAll(async () => {
  boss = await env.deps.boss();
  await ensureQueues(boss);
  company = await makeCompany(env.deps, "Pipeline Co");
});
afterAll(() => env.close());
// Each test fetches the queue's jobs itself: another file's leftovers (a retry coming due) must not be among them
// (files run one after another on this shared database).
beforeEach(async () => {
  await env.db.execute(sql`delete from pgboss.job where name = ${deliverWebhook.name}`);
});

let seq = 0;
async function webhookTo(url: string) {
  const { webhook } = await insertWebhook(env.db, company.companyId, company.owner.userId, {
    name: `Hook ${++seq}`,
    active: true,
    eventType: "deal.updated",
    url,
    maxConcurrency: 50,
  });
  return webhook;
}

/** `n` queued deliveries of the webhook (with their events), as the intake writes them. */
async function queued(webhookId: string, n: number, inHandBy: string[] = []) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const [event] = await env.db
      .insert(events)
      .values({
        companyId: company.companyId,
        externalId: `evt_${++seq}`,
        type: "deal.updated",
        occurredAt: new Date(),
        data: { id: `d_${seq}` },
      })
      .returning({ id: events.id });
    const [row] = await env.db
      .insert(deliveries)
      .values({ companyId: company.companyId, webhookId, eventId: event.id, inHandBy })
      .returning({ id: deliveries.id });
    ids.push(row.id);
  }
  return ids;
}

/** Their jobs, queued and then fetched (active), as the worker's fetch loop hands them to the pipeline. */
async function jobsFor(webhookId: string, deliveryIds: string[]): Promise<JobInHand[]> {
  await enqueueMany(
    boss,
    env.db,
    deliverWebhook,
    deliveryIds.map((deliveryId) => ({
      data: { deliveryId, webhookId, companyId: company.companyId },
      ...deliverJobOptions(webhookId, { maxConcurrency: 50 }),
    })),
  );
  const fetched = await boss.fetch<JobInHand["data"]>(deliverWebhook.name, {
    batchSize: deliveryIds.length,
    groupConcurrency: 100,
  });
  expect(fetched).toHaveLength(deliveryIds.length);
  return fetched.map((j) => ({ id: j.id, retryCount: j.retryCount, data: j.data }));
}

const rowsOf = (ids: string[]) => env.db.select().from(deliveries).where(inArray(deliveries.id, ids));
const attemptsOf = (ids: string[]) =>
  env.db.select().from(deliveryAttempts).where(inArray(deliveryAttempts.deliveryId, ids));
async function jobStates(jobIds: string[]) {
  const rows = await env.db.execute<{ state: string }>(
    sql`select state from pgboss.job where name = ${deliverWebhook.name} and id = any(${`{${jobIds.join(",")}}`}::uuid[])`,
  );
  return rows.map((r) => r.state);
}

describe("a round's writes", () => {
  it("writes every attempt and outcome of a round and completes its jobs with them, never marking a quick answer dispatched", async () => {
    const receiver = await startReceiver();
    try {
      const webhook = await webhookTo(`${receiver.url}/round`);
      const ids = await queued(webhook.id, 30);
      const jobs = await jobsFor(webhook.id, ids);
      const settled: string[] = [];
      // Watches the rows while the round runs: none may pass through `dispatched` (their answers come at once).
      const seen = new Set<string>();
      let watching = true;
      const watch = (async () => {
        while (watching) {
          for (const r of await rowsOf(ids)) seen.add(r.status);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const results = await runDeliveryPipeline(env.db, boss, jobs, { settleEarly: (j) => settled.push(...j) });
      watching = false;
      await watch;
      expect(results.every((r) => r.status === "completed")).toBe(true);
      expect(receiver.received).toHaveLength(30);
      const rows = await rowsOf(ids);
      expect(rows.map((r) => [r.status, r.attempts, r.inHandBy.length, r.lastStatusCode])).toEqual(
        ids.map(() => ["success", 1, 0, 200]),
      );
      expect(seen.has("dispatched")).toBe(false);
      const attempts = await attemptsOf(ids);
      expect(attempts).toHaveLength(30);
      expect(new Set(attempts.map((a) => a.deliveryId))).toEqual(new Set(ids));
      expect(attempts.every((a) => a.attemptNumber === 1 && a.responseStatus === 200)).toBe(true);
      // Signed: every logged request carries its signature header (masked).
      expect(attempts.every((a) => "webhook-signature" in a.requestHeaders)).toBe(true);
      // Completed in pg-boss in the same transaction as their outcomes.
      expect(settled.sort()).toEqual(jobs.map((j) => j.id).sort());
      expect(await jobStates(jobs.map((j) => j.id))).toEqual(jobs.map(() => "completed"));
    } finally {
      await receiver.close();
    }
  });

  it("a failure between a wave's writes loses nothing: the outcomes roll back with the jobs' completion, and the retried jobs log each attempt once", async () => {
    const receiver = await startReceiver();
    try {
      const webhook = await webhookTo(`${receiver.url}/crash`);
      const ids = await queued(webhook.id, 5);
      const jobs = await jobsFor(webhook.id, ids);
      // As if the worker died after its outcome statement and before the completion: that statement fails.
      const failing = new Proxy(boss, {
        get(target, prop, receiver_) {
          if (prop === "complete") return () => Promise.reject(new Error("connection lost mid-wave"));
          const value = Reflect.get(target, prop, receiver_) as unknown;
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      const first = await runDeliveryPipeline(env.db, failing, jobs, { settleEarly: () => {} });
      expect(first.map((r) => r.status)).toEqual(jobs.map(() => "failed"));
      expect(receiver.received).toHaveLength(5);
      // Nothing of the wave was written: still queued, no attempts, jobs still active (pg-boss hands them back).
      expect((await rowsOf(ids)).map((r) => r.status)).toEqual(ids.map(() => "queued"));
      expect(await attemptsOf(ids)).toHaveLength(0);
      expect(await jobStates(jobs.map((j) => j.id))).toEqual(jobs.map(() => "active"));

      // Failed back to pg-boss, fetched again (retryCount 1) and run by a healthy worker: sent again (at least once),
      // marked in hand before sending (the job failed before), each attempt logged once.
      await boss.fail(
        deliverWebhook.name,
        jobs.map((j) => ({ id: j.id, retryCount: j.retryCount ?? 0 })),
      );
      await env.db.execute(
        sql`update pgboss.job set start_after = now() where name = ${deliverWebhook.name} and state = 'retry'`,
      );
      const again = await boss.fetch<JobInHand["data"]>(deliverWebhook.name, { batchSize: 5, groupConcurrency: 100 });
      expect(again.map((j) => j.retryCount)).toEqual(jobs.map(() => 1));
      const second = await runDeliveryPipeline(
        env.db,
        boss,
        again.map((j) => ({ id: j.id, retryCount: j.retryCount, data: j.data })),
        { settleEarly: () => {} },
      );
      expect(second.every((r) => r.status === "completed")).toBe(true);
      expect(receiver.received).toHaveLength(10);
      const rows = await rowsOf(ids);
      expect(rows.every((r) => r.status === "success" && r.attempts === 1 && r.inHandBy.length === 0)).toBe(true);
      expect(await attemptsOf(ids)).toHaveLength(5);
    } finally {
      await receiver.close();
    }
  });

  it("marks a slow request's delivery dispatched with this worker in hand, then writes its outcome", async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: "late", delayMs: DISPATCHED_AFTER_MS + 1500 }));
    try {
      const webhook = await webhookTo(`${receiver.url}/slow`);
      const [id] = await queued(webhook.id, 1);
      const jobs = await jobsFor(webhook.id, [id]);
      const started = Date.now();
      const run = runDeliveryPipeline(env.db, boss, jobs, { settleEarly: () => {} });
      const marked = await waitUntil(
        async () => (await rowsOf([id]))[0],
        (d) => d.status === "dispatched",
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(DISPATCHED_AFTER_MS - 50);
      expect(marked.inHandBy).toEqual([WORKER_INSTANCE]);
      expect(marked.attempts).toBe(1);
      expect((await run).map((r) => r.status)).toEqual(["completed"]);
      const [done] = await rowsOf([id]);
      expect([done.status, done.attempts, done.inHandBy]).toEqual(["success", 1, []]);
    } finally {
      await receiver.close();
    }
  });
});

describe("deaths in hand (poison pills)", () => {
  it("counts a job's unmarked first failure: set aside at the second death, sent after one", async () => {
    const receiver = await startReceiver();
    try {
      const webhook = await webhookTo(`${receiver.url}/poison`);
      // Died once unmarked (retryCount 1, nobody in hand): sent, and marked in hand before its request.
      const [once] = await queued(webhook.id, 1);
      // Died unmarked, then in the hands of a worker that marked it and died too (retryCount 2): set aside.
      const [twice] = await queued(webhook.id, 1, ["dead-worker-b"]);
      // Marked once by a slow request's worker that then died (retryCount 1): one death, sent.
      const [slowOnce] = await queued(webhook.id, 1, ["dead-worker-c"]);
      const job = (deliveryId: string, retryCount: number, n: number): JobInHand => ({
        id: `poison-${n}`,
        retryCount,
        data: { deliveryId, webhookId: webhook.id, companyId: company.companyId },
      });
      const results = await runDeliveryPipeline(env.db, boss, [job(once, 1, 1), job(twice, 2, 2), job(slowOnce, 1, 3)]);
      expect(results.every((r) => r.status === "completed")).toBe(true);
      const byId = new Map((await rowsOf([once, twice, slowOnce])).map((r) => [r.id, r]));
      expect(byId.get(twice)!.status).toBe("failed");
      expect(byId.get(twice)!.lastError).toMatch(/^crashed_worker: A delivery worker stopped unexpectedly 2 times/);
      expect(byId.get(once)!.status).toBe("success");
      expect(byId.get(slowOnce)!.status).toBe("success");
      expect(receiver.received).toHaveLength(2);
      const [setAside] = await env.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, twice));
      expect(setAside).toMatchObject({ errorKind: "crashed_worker", responseStatus: null });
    } finally {
      await receiver.close();
    }
  });
});
