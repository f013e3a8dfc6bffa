import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { eq, sql } from "drizzle-orm";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { companies, deliveries, deliveryAttempts, events, oauthCredentials, webhooks } from "@/db/schema";
import { createApiKey } from "@/lib/actions/api-keys";
import { insertWebhook } from "@/lib/webhooks";
import type { WebhookInput } from "@/lib/validations/webhook";
import { POST } from "@/app/api/v1/events/route";
import { createBoss } from "./boss";
import { registerWorkers } from "./worker";
import { Slots } from "./deliver-webhook";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { startReceiver, waitUntil } from "@/tests/receiver";

process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
const env = testEnvironment();
const worker = createBoss(inject("databaseUrl"), { role: "worker" });

let company: Awaited<ReturnType<typeof makeCompany>>;
let dispatcher: Awaited<ReturnType<typeof registerWorkers>>;
let apiKey: string;

beforeAll(async () => {
  await worker.start();
  dispatcher = await registerWorkers(worker, env.db, { concurrency: 8 });
  company = await makeCompany(env.deps, "Delivery Co");
  const key = await createApiKey.run(env.deps, company.owner, { name: "ingest" });
  if (!key.ok) throw new Error(key.error);
  apiKey = key.data.key;
});
afterAll(async () => {
  await worker.stop({ graceful: false });
  await env.close();
});

async function hook(input: Partial<WebhookInput> & { url: string }) {
  return insertWebhook(env.db, company.companyId, company.owner.userId, {
    name: "Test hook",
    active: true,
    eventType: "deal.updated",
    ...input,
  });
}

let seq = 0;
async function postEvent(body: Record<string, unknown>) {
  const res = await POST(
    new Request("http://localhost/api/v1/events", {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        id: `ev-${Date.now()}-${seq++}`,
        type: "deal.updated",
        data: { id: "d_1", name: "Big deal", stage: "Won", amount: 48000 },
        ...body,
      }),
    }),
  );
  expect(res.status).toBe(202);
  return (await res.json()).events[0] as { id: string; deliveries: number };
}

async function deliveryOf(webhookId: string) {
  const rows = await env.db.select().from(deliveries).where(eq(deliveries.webhookId, webhookId));
  return rows[0];
}

async function attemptsOf(deliveryId: string) {
  return env.db
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.deliveryId, deliveryId))
    .orderBy(deliveryAttempts.attemptNumber);
}

describe("deliver-webhook", () => {
  it("delivers with the method, headers, auth and a signature standardwebhooks verifies", async () => {
    const receiver = await startReceiver();
    try {
      const { webhook, signingSecret } = await hook({
        url: `${receiver.url}/deals/{{data.id}}`,
        method: "PUT",
        headers: [{ name: "X-Source", value: "hookrelay {{event.type}}  " }],
        auth: { type: "basic", username: "crm", password: "p@ss-w0rd" },
      });
      await postEvent({});
      await receiver.waitFor(1);
      const req = receiver.received[0];
      expect(req.method).toBe("PUT");
      expect(req.url).toBe("/deals/d_1");
      expect(req.headers["x-source"]).toBe("hookrelay deal.updated");
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from("crm:p@ss-w0rd").toString("base64")}`);
      expect(req.headers["content-type"]).toContain("application/json");
      const payload = new StandardWebhook(signingSecret).verify(req.body, {
        "webhook-id": String(req.headers["webhook-id"]),
        "webhook-timestamp": String(req.headers["webhook-timestamp"]),
        "webhook-signature": String(req.headers["webhook-signature"]),
      }) as { type: string; data: { id: string } };
      expect(payload).toMatchObject({ type: "deal.updated", data: { id: "d_1" } });

      const delivery = await waitUntil(
        () => deliveryOf(webhook.id),
        (d) => d?.status === "success",
      );
      expect(req.headers["webhook-id"]).toBe(delivery.id);
      const attempts = await attemptsOf(delivery.id);
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({ responseStatus: 200, responseBody: "ok", errorKind: null });
      expect(JSON.stringify(attempts[0].requestHeaders)).not.toContain(Buffer.from("crm:p@ss-w0rd").toString("base64"));
      const [w] = await env.db.select().from(webhooks).where(eq(webhooks.id, webhook.id));
      expect(w).toMatchObject({ lastStatus: "success", lastStatusCode: 200 });
    } finally {
      await receiver.close();
    }
  });

  it("logs a response body with NUL bytes (which PostgreSQL text cannot hold) with U+FFFD in their place", async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: "ok\u0000done" }));
    try {
      const { webhook } = await hook({ url: receiver.url, eventType: "lead.deleted" });
      await postEvent({ type: "lead.deleted", data: { id: "l_0" } });
      const delivery = await waitUntil(
        () => deliveryOf(webhook.id),
        (d) => d?.status === "success",
      );
      expect((await attemptsOf(delivery.id)).map((a) => a.responseBody)).toEqual(["ok\uFFFDdone"]);
    } finally {
      await receiver.close();
    }
  });

  it("retries a receiver that fails twice, keeps the webhook-id, and ends in success with three attempts", async () => {
    const receiver = await startReceiver((_, i) => (i < 2 ? { status: 503, body: "busy" } : { status: 204 }));
    try {
      const { webhook } = await hook({ url: receiver.url, retryPolicy: { type: "custom", delays: [1, 1, 1] } });
      await postEvent({});
      const delivery = await waitUntil(
        () => deliveryOf(webhook.id),
        (d) => d?.status === "success",
      );
      const attempts = await attemptsOf(delivery.id);
      expect(attempts.map((a) => a.responseStatus)).toEqual([503, 503, 204]);
      expect(new Set(receiver.received.map((r) => r.headers["webhook-id"]))).toEqual(new Set([delivery.id]));
      expect(delivery.attempts).toBe(3);
    } finally {
      await receiver.close();
    }
  });

  it("ends in failed after the policy's attempts", async () => {
    const receiver = await startReceiver(() => ({ status: 500, body: "boom" }));
    try {
      const { webhook } = await hook({ url: receiver.url, retryPolicy: { type: "custom", delays: [1] } });
      await postEvent({});
      const delivery = await waitUntil(
        () => deliveryOf(webhook.id),
        (d) => d?.status === "failed",
      );
      expect(delivery).toMatchObject({ attempts: 2, lastStatusCode: 500 });
      expect((await attemptsOf(delivery.id)).map((a) => a.errorKind)).toEqual(["http_status", "http_status"]);
    } finally {
      await receiver.close();
    }
  });

  it("waits for the execution delay before sending", async () => {
    const receiver = await startReceiver();
    try {
      const { webhook } = await hook({ url: receiver.url, delaySeconds: 2 });
      const posted = Date.now();
      await postEvent({});
      await receiver.waitFor(1);
      expect(receiver.received[0].at - posted).toBeGreaterThanOrEqual(1900);
      await waitUntil(
        () => deliveryOf(webhook.id),
        (d) => d?.status === "success",
      );
    } finally {
      await receiver.close();
    }
  });

  it("switches the webhook off on 410 Gone, with the reason, and skips what arrives afterwards", async () => {
    const receiver = await startReceiver(() => ({ status: 410, body: "gone" }));
    try {
      const { webhook } = await hook({ url: receiver.url, eventType: "task.created" });
      await postEvent({ type: "task.created", data: { id: "t1" } });
      const delivery = await waitUntil(
        () => deliveryOf(webhook.id),
        (d) => d?.status === "failed",
      );
      expect(delivery.attempts).toBe(1);
      const [w] = await env.db.select().from(webhooks).where(eq(webhooks.id, webhook.id));
      expect(w.active).toBe(false);
      expect(w.disabledReason).toContain("410");
    } finally {
      await receiver.close();
    }
  });

  it("defers over the company's daily call limit instead of dropping", async () => {
    const other = await makeCompany(env.deps, "Limited Co");
    await env.db.update(companies).set({ dailyCallLimit: 1 }).where(eq(companies.id, other.companyId));
    const key = await createApiKey.run(env.deps, other.owner, { name: "k" });
    if (!key.ok) throw new Error(key.error);
    const receiver = await startReceiver();
    try {
      const { webhook } = await insertWebhook(env.db, other.companyId, other.owner.userId, {
        name: "Limited",
        active: true,
        eventType: "lead.created",
        url: receiver.url,
      });
      for (const id of ["l1", "l2"]) {
        const res = await POST(
          new Request("http://localhost/api/v1/events", {
            method: "POST",
            headers: { authorization: `Bearer ${key.data.key}`, "content-type": "application/json" },
            body: JSON.stringify({ type: "lead.created", data: { id } }),
          }),
        );
        expect(res.status).toBe(202);
      }
      const rows = await waitUntil(
        () => env.db.select().from(deliveries).where(eq(deliveries.webhookId, webhook.id)),
        (r) => r.some((d) => d.status === "success") && r.some((d) => d.deferredReason !== null),
      );
      const deferred = rows.find((d) => d.deferredReason)!;
      expect(deferred.status).toBe("queued");
      expect(deferred.deferredReason).toContain("Daily call limit");
      expect(deferred.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it("records connection failures with their kind", async () => {
    const receiver = await startReceiver(() => "destroy");
    try {
      const { webhook } = await hook({
        url: receiver.url,
        eventType: "product.created",
        retryPolicy: { type: "preset", preset: "none" },
      });
      await postEvent({ type: "product.created", data: { id: "p1" } });
      const delivery = await waitUntil(
        () => deliveryOf(webhook.id),
        (d) => d?.status === "failed",
      );
      const [attempt] = await attemptsOf(delivery.id);
      expect(attempt.responseStatus).toBeNull();
      expect(attempt.errorKind).toMatch(/connection_reset|other/);
      const [event] = await env.db.select().from(events).where(eq(events.id, delivery.eventId));
      expect(event.type).toBe("product.created");
    } finally {
      await receiver.close();
    }
  });
});

describe("OAuth reconnect needed", () => {
  it("fails the attempt with error kind oauth_reconnect_needed, sending nothing and asking no provider", async () => {
    const receiver = await startReceiver();
    try {
      const [cred] = await env.db
        .insert(oauthCredentials)
        .values({
          companyId: company.companyId,
          name: "Partner CRM",
          grantType: "authorization_code",
          tokenUrl: `${receiver.url}/token`,
          authorizeUrl: `${receiver.url}/authorize`,
          clientId: "hookrelay",
          connectedAt: new Date(),
          needsReconnectAt: new Date(),
          needsReconnectReason: "the provider refused the refresh token: invalid_grant",
        })
        .returning();
      const { webhook } = await hook({
        url: `${receiver.url}/hook`,
        eventType: "product.updated",
        auth: { type: "oauth", credentialId: cred.id },
        retryPolicy: { type: "preset", preset: "none" },
      });
      await postEvent({ type: "product.updated", data: { id: "p2" } });
      const delivery = await waitUntil(
        () => deliveryOf(webhook.id),
        (d) => d?.status === "failed",
      );
      const [attempt] = await attemptsOf(delivery.id);
      expect(attempt).toMatchObject({ errorKind: "oauth_reconnect_needed", responseStatus: null });
      expect(attempt.errorMessage).toMatch(
        /Partner CRM needs to be reconnected \(the provider refused the refresh token/,
      );
      expect(receiver.received).toHaveLength(0); // neither the receiver nor the "token endpoint" was called
    } finally {
      await receiver.close();
    }
  });
});

describe("poison pills", () => {
  it("sets aside a delivery that was in hand at two worker deaths (failed, crashed_worker); one death is retried as usual", async () => {
    const receiver = await startReceiver();
    try {
      const twice = await hook({
        url: `${receiver.url}/twice`,
        eventType: "lead.created",
        delaySeconds: 2,
        batchWindowSeconds: 0,
      });
      const once = await hook({ url: `${receiver.url}/once`, eventType: "lead.created", delaySeconds: 2 });
      const windowed = await hook({
        url: `${receiver.url}/window`,
        eventType: "lead.created",
        delaySeconds: 2,
        batchWindowSeconds: 1,
      });
      await postEvent({ type: "lead.created", data: { id: "l_1" } });
      // As if two worker processes had died with the first in hand, and one with the second.
      await env.db
        .update(deliveries)
        .set({ inHandBy: ["dead-worker-1", "dead-worker-2"], attempts: 2 })
        .where(eq(deliveries.webhookId, twice.webhook.id));
      await env.db
        .update(deliveries)
        .set({ inHandBy: ["dead-worker-1"], attempts: 1 })
        .where(eq(deliveries.webhookId, once.webhook.id));
      await env.db
        .update(deliveries)
        .set({ inHandBy: ["dead-worker-1", "dead-worker-2"], attempts: 2 })
        .where(eq(deliveries.webhookId, windowed.webhook.id));
      for (const { webhook } of [twice, windowed]) {
        const failed = await waitUntil(
          () => deliveryOf(webhook.id),
          (d) => d?.status === "failed",
        );
        expect(failed.lastError).toMatch(/^crashed_worker: A delivery worker stopped unexpectedly 2 times/);
        expect(failed.inHandBy).toEqual([]);
        const [attempt] = await attemptsOf(failed.id);
        expect(attempt).toMatchObject({ errorKind: "crashed_worker", responseStatus: null });
      }
      const delivered = await waitUntil(
        () => deliveryOf(once.webhook.id),
        (d) => d?.status === "success",
      );
      expect(delivered.inHandBy).toEqual([]);
      // Only the one-death delivery reached the receiver.
      expect(receiver.received.map((r) => r.url)).toEqual(["/once"]);
    } finally {
      await receiver.close();
    }
  });
});

describe("at-least-once", () => {
  it("delivers again, with the same webhook-id, after the worker is killed mid-delivery", async () => {
    const { spawn } = await import("node:child_process");
    const path = await import("node:path");
    // Only the child worker may take the job: this file's in-process worker stops first.
    await dispatcher.stop();
    let first = true;
    const receiver = await startReceiver(() => {
      if (first) {
        first = false;
        return "hang";
      }
      return { status: 200, body: "ok" };
    });
    const startChild = () =>
      spawn(process.execPath, ["--import", "tsx", path.resolve("scripts/worker.ts")], {
        env: {
          ...process.env,
          DATABASE_URL: inject("databaseUrl"),
          HOOKRELAY_SECRET_KEY: inject("secretKey"),
          AUTH_SECRET: "test-auth-secret-0123456789",
          HOOKRELAY_ALLOW_PRIVATE_TARGETS: "1",
          WORKER_CONCURRENCY: "2",
        },
        stdio: "ignore",
      });
    const child = startChild();
    let second: ReturnType<typeof startChild> | null = null;
    try {
      const { webhook } = await hook({ url: receiver.url, eventType: "user.created", timeoutSeconds: 2 });
      const started = Date.now();
      await postEvent({ type: "user.created", data: { id: "u1" } });
      await receiver.waitFor(1);
      // Unanswered past DISPATCHED_AFTER_MS, the delivery is marked dispatched (being sent) with its worker in hand.
      const inFlight = await waitUntil(
        () => deliveryOf(webhook.id),
        (d) => d?.status === "dispatched",
      );
      expect(inFlight.inHandBy).toHaveLength(1);
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;

      second = startChild();
      const delivery = await waitUntil(
        () => deliveryOf(webhook.id),
        (d) => d?.status === "success",
        90_000,
      );
      const ids = receiver.received.map((r) => r.headers["webhook-id"]);
      expect(ids.length).toBeGreaterThanOrEqual(2);
      expect(new Set(ids)).toEqual(new Set([delivery.id]));
      console.log(
        `[at-least-once] delivered ${((Date.now() - started) / 1000).toFixed(1)} s after the event, ${ids.length} requests for one delivery`,
      );
    } finally {
      child.kill("SIGKILL");
      if (second) {
        const done = new Promise((resolve) => second!.once("exit", resolve));
        second.kill("SIGTERM");
        await done;
      }
      await receiver.close();
      dispatcher = await registerWorkers(worker, env.db, { concurrency: 8 });
    }
  }, 120_000);
});

describe("batch window and concurrency", () => {
  it("sends the events of one batch window together as one JSON array", async () => {
    const receiver = await startReceiver();
    try {
      const { webhook } = await hook({ url: receiver.url, eventType: "activity.created", batchWindowSeconds: 2 });
      for (const id of ["a1", "a2", "a3"]) await postEvent({ type: "activity.created", data: { id } });
      const rows = await waitUntil(
        () => env.db.select().from(deliveries).where(eq(deliveries.webhookId, webhook.id)),
        (r) => r.length === 3 && r.every((d) => d.status === "success"),
      );
      // The three may straddle a window boundary: then two requests, never three.
      const ids = receiver.received.flatMap((r) =>
        (JSON.parse(r.body) as { data: { id: string } }[]).map((e) => e.data.id),
      );
      expect(ids.sort()).toEqual(["a1", "a2", "a3"]);
      expect(receiver.received.length).toBeLessThanOrEqual(2);
      expect(new Set(rows.map((d) => d.batchKey)).size).toBe(receiver.received.length);
    } finally {
      await receiver.close();
    }
  });

  it("never sends more requests at once to a webhook than its maximum concurrency", async () => {
    let inFlight = 0;
    const peaks: Record<string, number> = {};
    const http = await import("node:http");
    const server = http.createServer((req, res) => {
      const key = req.url ?? "";
      inFlight++;
      peaks[key] = Math.max(peaks[key] ?? 0, inFlight);
      // The receiver answers slowly so that requests would overlap without the limit.
      setTimeout(() => {
        inFlight--;
        res.end("ok");
      }, 300);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const limited = await hook({
        url: `http://127.0.0.1:${port}/limited`,
        eventType: "form.submitted",
        maxConcurrency: 1,
      });
      const batch = Array.from({ length: 4 }, (_, i) => ({
        id: `fl-${Date.now()}-${i}`,
        type: "form.submitted",
        data: { id: `f${i}` },
      }));
      const res = await POST(
        new Request("http://localhost/api/v1/events", {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
          body: JSON.stringify(batch),
        }),
      );
      expect(res.status).toBe(202);
      await waitUntil(
        () => env.db.select().from(deliveries).where(eq(deliveries.webhookId, limited.webhook.id)),
        (r) => r.length === 4 && r.every((d) => d.status === "success"),
      );
      expect(peaks["/limited"]).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("a slow receiver among fast ones", () => {
  it("writes the fast delivery's outcome and completes its job while the slow request is still out", async () => {
    const held: import("node:http").ServerResponse[] = [];
    const http = await import("node:http");
    const slowServer = http.createServer((_req, res) => void held.push(res));
    await new Promise<void>((r) => slowServer.listen(0, "127.0.0.1", r));
    const fast = await startReceiver();
    try {
      const slowHook = await hook({
        url: `http://127.0.0.1:${(slowServer.address() as { port: number }).port}/slow`,
        eventType: "account.updated",
        timeoutSeconds: 30,
      });
      const fastHook = await hook({ url: `${fast.url}/fast`, eventType: "account.updated" });
      await postEvent({ type: "account.updated", data: { id: "acc_1" } });
      // Both requests go out in one batch (one event, two webhooks); the slow one is not answered yet.
      await waitUntil(
        async () => held.length,
        (n) => n === 1,
      );
      const fastDelivery = await waitUntil(
        () => deliveryOf(fastHook.webhook.id),
        (d) => d?.status === "success",
      );
      const jobState = async (deliveryId: string) => {
        const rows = await env.db.execute<{ state: string }>(
          sql`select state from pgboss.job where name = 'deliver-webhook' and data->>'deliveryId' = ${deliveryId}`,
        );
        return rows.map((r) => r.state);
      };
      // The fast delivery's job is completed at once: its webhook's group counts only what is in flight.
      expect(
        await waitUntil(
          () => jobState(fastDelivery.id),
          (s) => s.length === 1 && s[0] === "completed",
        ),
      ).toEqual(["completed"]);
      const slowDelivery = await waitUntil(
        () => deliveryOf(slowHook.webhook.id),
        (d) => d?.status === "dispatched",
      );
      expect(fastDelivery.attempts).toBe(1);
      expect(await jobState(slowDelivery.id)).toEqual(["active"]);
      held[0].end("late but fine");
      await waitUntil(
        () => deliveryOf(slowHook.webhook.id),
        (d) => d?.status === "success",
      );
      expect(
        await waitUntil(
          () => jobState(slowDelivery.id),
          (s) => s[0] === "completed",
        ),
      ).toEqual(["completed"]);
      expect((await attemptsOf(slowDelivery.id)).map((a) => a.responseStatus)).toEqual([200]);
    } finally {
      held.forEach((r) => r.destroy());
      slowServer.closeAllConnections();
      await new Promise<void>((r) => slowServer.close(() => r()));
      await fast.close();
    }
  });
});

describe("Slots", () => {
  it("caps requests in flight per process and per webhook", async () => {
    const slots = new Slots(3);
    let inFlight = 0;
    let peak = 0;
    const perHook: Record<string, { now: number; peak: number }> = { a: { now: 0, peak: 0 }, b: { now: 0, peak: 0 } };
    const releases: (() => void)[] = [];
    const request = (hookId: "a" | "b", limit: number) =>
      slots.run(
        () =>
          new Promise<void>((resolve) => {
            inFlight++;
            peak = Math.max(peak, inFlight);
            perHook[hookId].now++;
            perHook[hookId].peak = Math.max(perHook[hookId].peak, perHook[hookId].now);
            releases.push(() => {
              inFlight--;
              perHook[hookId].now--;
              resolve();
            });
          }),
        { id: hookId, limit },
      );
    const all = Promise.all([
      ...Array.from({ length: 4 }, () => request("a", 1)),
      ...Array.from({ length: 4 }, () => request("b", 5)),
    ]);
    // Answer the requests one at a time as they start, until all eight have run.
    for (let answered = 0; answered < 8; answered++) {
      await waitUntil(
        async () => releases.length,
        (n) => n > 0,
        2_000,
      );
      releases.shift()!();
    }
    await all;
    expect(perHook.a.peak).toBe(1);
    expect(perHook.b.peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(3);
  });
});

describe("failure emails", () => {
  it("emails the admins and the record's owner once, naming the callback URL, even when ten deliveries fail", async () => {
    const { notifications } = await import("@/db/schema");
    const { and: andOp, eq: eqOp, sql: sqlOp } = await import("drizzle-orm");
    const receiver = await startReceiver(() => ({ status: 500, body: "down" }));
    try {
      const { webhook } = await hook({
        url: `${receiver.url}/invoices`,
        eventType: "task.completed",
        retryPolicy: { type: "preset", preset: "none" },
      });
      // The record's owner is mailed only at one of the company's notification domains (or as a member).
      await env.db
        .update(companies)
        .set({ notificationDomains: "example.com" })
        .where(eq(companies.id, company.companyId));
      for (let i = 0; i < 10; i++)
        await postEvent({
          type: "task.completed",
          data: { id: `t${i}` },
          owner: { email: "record.owner@example.com" },
        });
      await waitUntil(
        () => env.db.select().from(deliveries).where(eq(deliveries.webhookId, webhook.id)),
        (r) => r.length === 10 && r.every((d) => d.status === "failed"),
      );
      const emails = await waitUntil(
        () =>
          env.db
            .select()
            .from(notifications)
            .where(andOp(eqOp(notifications.kind, "delivery_failed"), eqOp(notifications.refId, webhook.id))),
        (r) => r.length >= 2,
      );
      // Every notify job of this webhook has run or waits for the next hour: none is left to send now.
      await waitUntil(
        () =>
          env.db.execute(
            sqlOp`select count(*)::int as n from pgboss.job where name = 'notify-failure' and data->>'webhookId' = ${webhook.id} and (state in ('active','retry') or (state = 'created' and start_after <= now()))`,
          ),
        (r) => r[0].n === 0,
      );
      const final = await env.db
        .select()
        .from(notifications)
        .where(andOp(eqOp(notifications.kind, "delivery_failed"), eqOp(notifications.refId, webhook.id)));
      expect(final.map((n) => n.toEmail).sort()).toEqual([company.ownerEmail, "record.owner@example.com"].sort());
      expect(final[0].text).toContain(`${receiver.url}/invoices`);
      expect(final[0].text).toContain("Status: 500 Internal server error");
      expect(final[0].text).toContain(`/webhooks/${webhook.id}/history/`);
      expect(emails.length).toBe(final.length);
    } finally {
      await receiver.close();
    }
  }, 60_000);
});

/** A receiver that answers nothing until the test ends a held response. */
async function holdingReceiver() {
  const held: import("node:http").ServerResponse[] = [];
  const http = await import("node:http");
  const server = http.createServer((_req, res) => void held.push(res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    held,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    async close() {
      held.forEach((r) => r.destroy());
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe("the delivery fetch loop", () => {
  it("keeps at most its capacity of jobs in hand, fetches as room frees, and finishes them on a graceful stop", async () => {
    const { DeliveryDispatcher, listenForDeliveryJobs } = await import("./delivery-dispatcher");
    const { held, url: heldUrl, close: closeHeld } = await holdingReceiver();
    // Only the loop under test takes jobs.
    await dispatcher.stop();
    const small = new DeliveryDispatcher(worker, env.db, {
      capacity: 2,
      batchSize: 2,
      groupConcurrency: { default: 10, tiers: {} },
      slots: new Slots(2),
    });
    let webhookId: string | null = null;
    try {
      const { webhook } = await hook({ url: `${heldUrl}/held`, eventType: "task.reminder", timeoutSeconds: 30 });
      const batch = Array.from({ length: 5 }, (_, i) => ({
        id: `cap-${Date.now()}-${i}`,
        type: "task.reminder",
        data: { id: `t${i}` },
      }));
      const res = await POST(
        new Request("http://localhost/api/v1/events", {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
          body: JSON.stringify(batch),
        }),
      );
      expect(res.status).toBe(202);
      webhookId = webhook.id;
      await small.start(listenForDeliveryJobs(env.db));
      await waitUntil(
        async () => held.length,
        (n) => n === 2,
      );
      expect(small.size).toBe(2);
      const statuses = async () =>
        (await env.db.select().from(deliveries).where(eq(deliveries.webhookId, webhook.id)))
          .map((d) => d.status)
          .sort();
      // The two requests out are marked dispatched once they are slow to answer (DISPATCHED_AFTER_MS).
      expect(await waitUntil(statuses, (s) => s.includes("dispatched"))).toEqual([
        "dispatched",
        "dispatched",
        "queued",
        "queued",
        "queued",
      ]);
      // Answering one frees room for exactly one more.
      held[0].end("ok");
      await waitUntil(
        async () => held.length,
        (n) => n === 3,
      );
      // (The third request is marked dispatched once it is slow to answer.)
      expect(
        await waitUntil(
          statuses,
          (s) => s.filter((x) => x === "success").length === 1 && s.filter((x) => x === "dispatched").length === 2,
        ),
      ).toEqual(["dispatched", "dispatched", "queued", "queued", "success"]);
      // A graceful stop takes no new jobs and waits for the ones in hand.
      const stopped = small.stop({ graceful: true, timeoutMs: 10_000 });
      held[1].end("ok");
      held[2].end("ok");
      await stopped;
      expect(small.size).toBe(0);
      expect(await statuses()).toEqual(["queued", "queued", "success", "success", "success"]);
      expect(held).toHaveLength(3);
    } finally {
      await small.stop({ graceful: false });
      await closeHeld();
      // The two left queued are skipped by the file's own worker, not sent to a closed port.
      if (webhookId) await env.db.update(webhooks).set({ active: false }).where(eq(webhooks.id, webhookId));
      dispatcher = await registerWorkers(worker, env.db, { concurrency: 8 });
    }
  });
});

describe("room for other webhooks", () => {
  it("gives one webhook at most half of the fetch loop's room, whatever its max concurrency, so a hanging receiver cannot take it all", async () => {
    const { DeliveryDispatcher, listenForDeliveryJobs } = await import("./delivery-dispatcher");
    const { webhookConcurrencyTiers } = await import("./worker");
    const { held, url: heldUrl, close: closeHeld } = await holdingReceiver();
    const fast = await startReceiver();
    await dispatcher.stop();
    const small = new DeliveryDispatcher(worker, env.db, {
      capacity: 4,
      batchSize: 4,
      groupConcurrency: webhookConcurrencyTiers(4),
      slots: new Slots(4),
    });
    const hooks: string[] = [];
    try {
      const hanging = await hook({
        url: `${heldUrl}/hang`,
        eventType: "user.deactivated",
        maxConcurrency: 100,
        timeoutSeconds: 30,
      });
      hooks.push(hanging.webhook.id);
      const batch = Array.from({ length: 6 }, (_, i) => ({
        id: `room-${Date.now()}-${i}`,
        type: "user.deactivated",
        data: { id: `u${i}` },
      }));
      const res = await POST(
        new Request("http://localhost/api/v1/events", {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
          body: JSON.stringify(batch),
        }),
      );
      expect(res.status).toBe(202);
      await small.start(listenForDeliveryJobs(env.db));
      await waitUntil(
        async () => held.length,
        (n) => n === 2,
      );
      // Another webhook's event goes out while the hanging one holds its two places.
      const other = await hook({ url: `${fast.url}/other`, eventType: "user.activated" });
      hooks.push(other.webhook.id);
      await postEvent({ type: "user.activated", data: { id: "u_other" } });
      expect(
        (
          await waitUntil(
            () => deliveryOf(other.webhook.id),
            (d) => d?.status === "success",
          )
        ).status,
      ).toBe("success");
      expect(held).toHaveLength(2);
    } finally {
      await small.stop({ graceful: false });
      await closeHeld();
      await fast.close();
      for (const id of hooks) await env.db.update(webhooks).set({ active: false }).where(eq(webhooks.id, id));
      dispatcher = await registerWorkers(worker, env.db, { concurrency: 8 });
    }
  });
});

describe("fair shares between companies", () => {
  it("beside another company, one whose receivers hang holds at most the room less a share; the other's event goes out meanwhile", async () => {
    const { DeliveryDispatcher, listenForDeliveryJobs } = await import("./delivery-dispatcher");
    const { webhookConcurrencyTiers } = await import("./worker");
    const { held, url: heldUrl, close: closeHeld } = await holdingReceiver();
    const fast = await startReceiver();
    await dispatcher.stop();
    // Room for 8: each webhook may take 4 (half), each company's share is 2, and 2 stay free.
    const small = new DeliveryDispatcher(worker, env.db, {
      capacity: 8,
      batchSize: 8,
      groupConcurrency: webhookConcurrencyTiers(8),
      slots: new Slots(8),
    });
    const hooks: string[] = [];
    const other = await makeCompany(env.deps, "Fair Share Co");
    const otherKey = await createApiKey.run(env.deps, other.owner, { name: "ingest" });
    if (!otherKey.ok) throw new Error(otherKey.error);
    try {
      // Three hanging webhooks at max concurrency 100 would take 12 places: all of the room.
      for (let i = 0; i < 3; i++) {
        const { webhook } = await insertWebhook(env.db, company.companyId, company.owner.userId, {
          name: `Hang ${i}`,
          active: true,
          eventType: "account.updated",
          url: `${heldUrl}/hang${i}`,
          maxConcurrency: 100,
          timeoutSeconds: 30,
        });
        hooks.push(webhook.id);
      }
      const { webhook: fair } = await insertWebhook(env.db, other.companyId, other.owner.userId, {
        name: "Fair",
        active: true,
        eventType: "account.updated",
        url: `${fast.url}/fair`,
      });
      hooks.push(fair.id);
      const postFair = async (id: string) => {
        const posted = await POST(
          new Request("http://localhost/api/v1/events", {
            method: "POST",
            headers: { authorization: `Bearer ${otherKey.data.key}`, "content-type": "application/json" },
            body: JSON.stringify({ id, type: "account.updated", data: { id } }),
          }),
        );
        expect(posted.status).toBe(202);
      };
      // The other company has had work in this worker (it is "around").
      await small.start(listenForDeliveryJobs(env.db));
      await postFair(`fair-1-${Date.now()}`);
      await fast.waitFor(1);

      const batch = Array.from({ length: 30 }, (_, i) => ({
        id: `share-${Date.now()}-${i}`,
        type: "account.updated",
        data: { id: `t${i}` },
      }));
      const res = await POST(
        new Request("http://localhost/api/v1/events", {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
          body: JSON.stringify(batch),
        }),
      );
      expect(res.status).toBe(202);
      await waitUntil(
        async () => held.length,
        (n) => n === 6,
      );
      expect(small.size).toBe(6);

      await postFair(`fair-2-${Date.now()}`);
      await fast.waitFor(2);
      // Still six of the hostile company's requests out: it never took the room kept for others.
      expect(held).toHaveLength(6);
    } finally {
      await small.stop({ graceful: false });
      await closeHeld();
      await fast.close();
      for (const id of hooks) await env.db.update(webhooks).set({ active: false }).where(eq(webhooks.id, id));
      dispatcher = await registerWorkers(worker, env.db, { concurrency: 8 });
    }
  });
});

describe("payloads their definition refuses", () => {
  it("fails a job whose payload does not match its schema, saying why, instead of running it (the fetch loop's and work()'s)", async () => {
    // Sent raw, past enqueue's own check (an old or foreign sender).
    const delivery = (await worker.send("deliver-webhook", { deliveryId: 42 }))!;
    const reset = (await worker.send("password-reset", { address: "someone@example.test" }))!;
    try {
      const settled = (name: string, id: string) =>
        waitUntil(
          () => worker.getJobById(name, id),
          (job) => job?.state === "retry" || job?.state === "failed",
        );
      const [d, r] = await Promise.all([settled("deliver-webhook", delivery), settled("password-reset", reset)]);
      expect(JSON.stringify(d!.output)).toContain(
        "deliver-webhook: the payload does not match its schema (jobs/definitions/deliver-webhook.ts)",
      );
      expect(JSON.stringify(d!.output)).toContain("deliveryId");
      expect(JSON.stringify(r!.output)).toContain("password-reset: the payload does not match its schema");
      expect(JSON.stringify(r!.output)).toContain("email");
    } finally {
      await worker.deleteJob("deliver-webhook", delivery);
      await worker.deleteJob("password-reset", reset);
    }
  });
});
