import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { closeDb } from "@/db";
import { auditLog, deliveries, deliveryAttempts, events, memberships } from "@/db/schema";
import { createBoss, stopWebBoss } from "@/jobs/boss";
import { registerWorkers } from "@/jobs/worker";
import { createRole } from "@/lib/actions/roles";
import { insertWebhook } from "@/lib/webhooks";
import { apiClient, keyFor } from "@/tests/api";
import { addMember, makeCompany, testEnvironment } from "@/tests/helpers";
import { startReceiver, waitUntil } from "@/tests/receiver";
import { POST } from "./route";

process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
const env = testEnvironment();
const worker = createBoss(inject("databaseUrl"), { role: "worker" });
let receiver: Awaited<ReturnType<typeof startReceiver>>;

let a: Awaited<ReturnType<typeof makeCompany>>;
let admin: Awaited<ReturnType<typeof addMember>>;
let adminApi: ReturnType<typeof apiClient>;
let webhookId: string;
let eventId: string;
let otherCompanyDeliveryId: string;

beforeAll(async () => {
  receiver = await startReceiver();
  await worker.start();
  await registerWorkers(worker, env.db, { concurrency: 4 });
  a = await makeCompany(env.deps, "Resend Co");
  // The key of an Admin (who holds Manage Webhooks): resends run as that person.
  admin = await addMember(env.db, a.companyId, a.roles.Admin.id);
  adminApi = apiClient(await keyFor(env.deps, admin.caller));
  webhookId = (
    await insertWebhook(env.db, a.companyId, a.owner.userId, {
      name: "Resent",
      active: true,
      eventType: "deal.updated",
      url: `${receiver.url}/in`,
    })
  ).webhook.id;
  const [event] = await env.db
    .insert(events)
    .values({
      companyId: a.companyId,
      externalId: "evt_resend",
      type: "deal.updated",
      occurredAt: new Date(),
      data: { id: "d1", stage: "Won" },
    })
    .returning();
  eventId = event.id;

  const b = await makeCompany(env.deps, "Other Resend Co");
  const theirs = await insertWebhook(env.db, b.companyId, b.owner.userId, {
    name: "Theirs",
    active: true,
    eventType: "deal.updated",
    url: `${receiver.url}/theirs`,
  });
  const [theirEvent] = await env.db
    .insert(events)
    .values({
      companyId: b.companyId,
      externalId: "evt_theirs",
      type: "deal.updated",
      occurredAt: new Date(),
      data: { id: "x" },
    })
    .returning();
  [{ id: otherCompanyDeliveryId }] = await env.db
    .insert(deliveries)
    .values({
      companyId: b.companyId,
      webhookId: theirs.webhook.id,
      eventId: theirEvent.id,
      status: "failed",
      attempts: 1,
    })
    .returning();
});

afterAll(async () => {
  await receiver.close();
  await worker.stop({ graceful: false });
  await stopWebBoss();
  await closeDb();
  await env.close();
});

async function failedDelivery(status: "failed" | "dispatched" | "success" = "failed") {
  const [row] = await env.db
    .insert(deliveries)
    .values({
      companyId: a.companyId,
      webhookId,
      eventId,
      status,
      attempts: 1,
      completedAt: new Date(),
      lastStatusCode: 500,
    })
    .returning();
  return row.id;
}

const resend = (api: ReturnType<typeof apiClient>, id: string) =>
  api.call(POST, `/api/v1/deliveries/${id}/resend`, { method: "POST", params: { id } });

describe("POST /api/v1/deliveries/{id}/resend", () => {
  it("re-queues the delivery; a worker sends it again with the same webhook-id, logged as manual by the key's creator", async () => {
    const id = await failedDelivery();
    const res = await resend(adminApi, id);
    expect(res.status, res.text).toBe(202);
    expect(res.json).toEqual({ delivery: { id, status: "queued" } });
    const [job] = await env.db.execute(
      sql`select data from pgboss.job where name = 'deliver-webhook' and data->>'deliveryId' = ${id}`,
    );
    expect(job.data).toEqual({ deliveryId: id, manual: { userId: admin.user.id }, companyId: a.companyId });

    // Any worker on the test database may run the job (other files run theirs, one of them a
    // worker it kills mid-request): at least once, so allow a redelivery after a job expiry.
    const delivery = await waitUntil(
      async () => (await env.db.select().from(deliveries).where(eq(deliveries.id, id)))[0],
      (d) => d.status === "success",
      100_000,
    );
    expect(delivery).toMatchObject({ lastStatusCode: 200 });
    expect(delivery.attempts).toBeGreaterThanOrEqual(2);
    const got = receiver.received.filter((r) => r.headers["webhook-id"] === id);
    expect(got.length).toBeGreaterThanOrEqual(1);
    expect(got[0]).toMatchObject({ method: "POST", url: "/in" });
    expect(JSON.parse(got[0].body)).toMatchObject({ type: "deal.updated", data: { id: "d1" } });
    const attempts = await env.db
      .select()
      .from(deliveryAttempts)
      .where(eq(deliveryAttempts.deliveryId, id))
      .orderBy(deliveryAttempts.attemptNumber);
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    for (const attempt of attempts) expect(attempt).toMatchObject({ trigger: "manual", triggeredBy: admin.user.id });
    expect(attempts[attempts.length - 1]).toMatchObject({ attemptNumber: delivery.attempts, responseStatus: 200 });
    const [audit] = await env.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, id), eq(auditLog.action, "delivery.resent")));
    expect(audit).toMatchObject({ actorUserId: admin.user.id, details: { webhookId, previousStatus: "failed" } });
  }, 120_000);

  it("answers 409 while an attempt is in flight, 404 for another company's delivery or a non-UUID, 403 without Manage Webhooks", async () => {
    const inFlight = await failedDelivery("dispatched");
    const conflict = await resend(adminApi, inFlight);
    expect(conflict.status).toBe(409);
    expect(conflict.json.error.code).toBe("conflict");

    for (const id of [otherCompanyDeliveryId, "42"]) {
      const res = await resend(adminApi, id);
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe("not_found");
    }
    const [theirs] = await env.db.select().from(deliveries).where(eq(deliveries.id, otherCompanyDeliveryId));
    expect(theirs.status).toBe("failed");

    const viewerRole = await createRole.run(env.deps, a.owner, { name: "Viewer", permissions: ["webhooks.view"] });
    if (!viewerRole.ok) throw new Error(viewerRole.error);
    const viewer = await addMember(env.db, a.companyId, a.roles.Admin.id);
    const viewerApi = apiClient(await keyFor(env.deps, viewer.caller));
    await env.db
      .update(memberships)
      .set({ roleId: viewerRole.data.roleId })
      .where(eq(memberships.id, viewer.membershipId));
    const failed = await failedDelivery();
    const forbidden = await resend(viewerApi, failed);
    expect(forbidden.status).toBe(403);
    const [row] = await env.db.select().from(deliveries).where(eq(deliveries.id, failed));
    expect(row.status).toBe("failed");
  });
});
