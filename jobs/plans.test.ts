import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { and, eq } from "drizzle-orm";
import { companies, dailyUsage, dailyUserUsage, deliveries, webhooks } from "@/db/schema";
import { createPlan, utcDay } from "@/db/queries/plans";
import { createApiKey } from "@/lib/actions/api-keys";
import { insertWebhook } from "@/lib/webhooks";
import { usageOf } from "@/lib/plans";
import { randomToken } from "@/lib/crypto";
import { POST } from "@/app/api/v1/events/route";
import { createBoss } from "./boss";
import { registerWorkers } from "./worker";
import { addMember, makeCompany, testEnvironment } from "@/tests/helpers";
import { startReceiver, waitUntil } from "@/tests/receiver";

/**
 * Plans enforced where requests are sent (the real worker, the events API, a real receiver on 127.0.0.1): calls a
 * day per company, calls a day per user counted for the webhook's owner, and a plan without webhooks.
 */
process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
const env = testEnvironment();
const worker = createBoss(inject("databaseUrl"), { role: "worker" });

beforeAll(async () => {
  await worker.start();
  await registerWorkers(worker, env.db, { concurrency: 4 });
});
afterAll(async () => {
  await worker.stop({ graceful: false });
  await env.close();
});

/** A company on a new plan (plans are shared by the test files: each gets its own, never the default). */
async function companyOnPlan(limits: Parameters<typeof createPlan>[1] extends infer P ? Omit<P, "name"> : never) {
  const company = await makeCompany(env.deps, "Plan Co");
  const plan = await createPlan(env.db, { name: `Plan ${randomToken(6)}`, ...limits });
  await env.db.update(companies).set({ planId: plan.id }).where(eq(companies.id, company.companyId));
  const key = await createApiKey.run(env.deps, company.owner, { name: "ingest" });
  if (!key.ok) throw new Error(key.error);
  return { ...company, plan, key: key.data.key };
}

async function post(key: string, id: string) {
  const res = await POST(
    new Request("http://localhost/api/v1/events", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "lead.created", data: { id } }),
    }),
  );
  expect(res.status).toBe(202);
}

const deliveriesOf = (webhookId: string) => env.db.select().from(deliveries).where(eq(deliveries.webhookId, webhookId));

describe("plans at delivery time", () => {
  it("calls a day: past the plan's limit deliveries wait, queued, for the next day with the reason; only sent calls count", async () => {
    const c = await companyOnPlan({ callsPerDay: 2 });
    const receiver = await startReceiver();
    try {
      const { webhook } = await insertWebhook(env.db, c.companyId, c.owner.userId, {
        name: "Leads",
        active: true,
        eventType: "lead.created",
        url: receiver.url,
      });
      // One at a time, so which one waits is certain.
      for (const id of ["l1", "l2", "l3"]) {
        await post(c.key, id);
        await waitUntil(
          () => deliveriesOf(webhook.id),
          (rows) => rows.every((d) => d.status === "success" || d.deferredReason !== null),
        );
      }
      const rows = await deliveriesOf(webhook.id);
      expect(rows.filter((d) => d.status === "success")).toHaveLength(2);
      const waiting = rows.filter((d) => d.status !== "success");
      expect(waiting).toHaveLength(1);
      expect(waiting[0].status).toBe("queued");
      expect(waiting[0].deferredReason).toBe(
        `Plan ${c.plan.name} allows 2 calls a day and the company reached it: deferred to the next day (00:00 UTC)`,
      );
      expect(waiting[0].nextAttemptAt!.toISOString()).toBe(
        `${utcDay(new Date(Date.now() + 86_400_000))}T00:00:00.000Z`,
      );
      expect(receiver.received).toHaveLength(2);
      const [usage] = await env.db
        .select()
        .from(dailyUsage)
        .where(and(eq(dailyUsage.companyId, c.companyId), eq(dailyUsage.day, utcDay(new Date()))));
      expect(usage.calls).toBe(2);
      expect((await usageOf(env.db, c.companyId)).calls).toEqual({ today: 2, limit: 2 });
    } finally {
      await receiver.close();
    }
  });

  it("calls per user: each call counts for the user who owns the webhook, and only their webhooks wait", async () => {
    const c = await companyOnPlan({ callsPerUserPerDay: 1 });
    const member = await addMember(env.db, c.companyId, c.roles.Admin.id);
    const receiver = await startReceiver();
    try {
      const mine = await insertWebhook(env.db, c.companyId, c.owner.userId, {
        name: "Owner's",
        active: true,
        eventType: "lead.created",
        url: `${receiver.url}/owner`,
      });
      const theirs = await insertWebhook(env.db, c.companyId, member.user.id, {
        name: "Member's",
        active: true,
        eventType: "lead.created",
        url: `${receiver.url}/member`,
      });
      for (const id of ["p1", "p2"]) {
        await post(c.key, id);
        for (const hook of [mine, theirs])
          await waitUntil(
            () => deliveriesOf(hook.webhook.id),
            (rows) => rows.every((d) => d.status === "success" || d.deferredReason !== null),
          );
      }
      for (const [hook, email] of [
        [mine, c.ownerEmail],
        [theirs, member.user.email],
      ] as const) {
        const rows = await deliveriesOf(hook.webhook.id);
        expect(rows.map((d) => d.status).sort()).toEqual(["queued", "success"]);
        expect(rows.find((d) => d.status === "queued")!.deferredReason).toBe(
          `Plan ${c.plan.name} allows 1 call a day per user and the webhook's owner (${email}) reached it: deferred to the next day (00:00 UTC)`,
        );
      }
      expect(receiver.received.map((r) => r.url).sort()).toEqual(["/member", "/owner"]);
      const perUser = await env.db
        .select({ userId: dailyUserUsage.userId, calls: dailyUserUsage.calls })
        .from(dailyUserUsage)
        .where(eq(dailyUserUsage.companyId, c.companyId));
      expect(perUser.sort((a, b) => (a.userId < b.userId ? -1 : 1))).toEqual(
        [
          { userId: c.owner.userId, calls: 1 },
          { userId: member.user.id, calls: 1 },
        ].sort((a, b) => (a.userId! < b.userId! ? -1 : 1)),
      );
      const usage = await usageOf(env.db, c.companyId);
      expect(usage.calls.today).toBe(2);
      expect(usage.users.map((u) => [u.email, u.calls, u.limit]).sort()).toEqual(
        [
          [c.ownerEmail, 1, 1],
          [member.user.email, 1, 1],
        ].sort(),
      );
    } finally {
      await receiver.close();
    }
  });

  it("a plan without webhooks: the event is accepted, its delivery skipped with the reason, nothing sent", async () => {
    const c = await companyOnPlan({ webhooksEnabled: false });
    const receiver = await startReceiver();
    try {
      // Switched on before the company's plan changed.
      const { webhook } = await insertWebhook(env.db, c.companyId, c.owner.userId, {
        name: "Was on",
        active: true,
        eventType: "lead.created",
        url: receiver.url,
      });
      await post(c.key, "x1");
      const [skipped] = await waitUntil(
        () => deliveriesOf(webhook.id),
        (rows) => rows.length === 1 && rows[0].status === "skipped",
      );
      expect(skipped.deferredReason).toBe(
        `Webhooks are not included in the company's plan (${c.plan.name}): the event was recorded, the request not sent`,
      );
      expect(skipped.attempts).toBe(0);
      expect(receiver.received).toHaveLength(0);
      const [w] = await env.db.select().from(webhooks).where(eq(webhooks.id, webhook.id));
      expect(w.active).toBe(true);
      expect((await usageOf(env.db, c.companyId)).calls.today).toBe(0);
    } finally {
      await receiver.close();
    }
  });
});
