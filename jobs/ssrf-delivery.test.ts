import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { deliveries, deliveryAttempts, events } from "@/db/schema";
import { closeSafeDispatchers } from "@/lib/delivery/http-client";
import { insertWebhook } from "@/lib/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { installLoopbackOnlyNet } from "@/tests/loopback-only";
import { startReceiver } from "@/tests/receiver";
import { deliverWebhook } from "./deliver-webhook";

/**
 * The SSRF guard through a real delivery: each target is a webhook, its delivery runs the real
 * deliver-webhook handler (build, safe send, attempt log) with private targets NOT allowed.
 * Deliveries are written directly (no pg-boss job) so no other test's worker can take them.
 */
const env = testEnvironment();

// Safety net: even if the guard broke, no connection may leave loopback.
const net = installLoopbackOnlyNet();
const connectCalls = net.connectCalls;
afterAll(async () => {
  net.restore();
  await closeSafeDispatchers();
  await env.close();
});

async function deliverOnce(companyId: string, userId: string | null, url: string, allowPrivate: boolean) {
  const { webhook } = await insertWebhook(env.db, companyId, userId, {
    name: url,
    active: true,
    eventType: "contact.created",
    url,
    retryPolicy: { type: "preset", preset: "none" },
  });
  const [event] = await env.db
    .insert(events)
    .values({
      companyId,
      externalId: `ssrf-${Math.random()}`,
      type: "contact.created",
      recordId: "c1",
      occurredAt: new Date(),
      data: { id: "c1" },
    })
    .returning();
  const [delivery] = await env.db
    .insert(deliveries)
    .values({ companyId, webhookId: webhook.id, eventId: event.id })
    .returning();
  const previous = process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS;
  process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = allowPrivate ? "1" : "0";
  try {
    await deliverWebhook(env.db, await env.deps.boss(), { deliveryId: delivery.id });
  } finally {
    process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = previous;
  }
  const [after] = await env.db.select().from(deliveries).where(eq(deliveries.id, delivery.id));
  const [attempt] = await env.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, delivery.id));
  return { delivery: after, attempt };
}

describe("SSRF guard through a real delivery", () => {
  let company: Awaited<ReturnType<typeof makeCompany>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    company = await makeCompany(env.deps, "SSRF Co");
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  const hosts = [
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "[::1]",
    "[0:0:0:0:0:ffff:127.0.0.1]",
    "[::ffff:a9fe:a9fe]",
    "169.254.169.254",
    "10.0.0.1",
    "192.168.1.1",
    "100.64.0.1",
    "localhost",
  ];

  it.each(hosts)("refuses %s and logs a blocked_address attempt", async (host) => {
    const port = new URL(receiver.url).port;
    const before = receiver.received.length;
    const { delivery, attempt } = await deliverOnce(
      company.companyId,
      company.owner.userId,
      `http://${host}:${port}/hook`,
      false,
    );
    expect(delivery.status).toBe("failed");
    expect(attempt).toMatchObject({ errorKind: "blocked_address", responseStatus: null });
    expect(receiver.received.length).toBe(before);
  });

  it("does not follow a redirect to a private address (a 3xx is a failed attempt)", async () => {
    const redirecting = await startReceiver(() => ({
      status: 302,
      headers: { location: "http://169.254.169.254/latest/meta-data/" },
    }));
    try {
      const { delivery, attempt } = await deliverOnce(
        company.companyId,
        company.owner.userId,
        `${redirecting.url}/hook`,
        true,
      );
      expect(delivery.status).toBe("failed");
      expect(attempt).toMatchObject({ responseStatus: 302, errorKind: "http_status" });
      expect(redirecting.received).toHaveLength(1);
      expect(connectCalls.some((h) => h.includes("169.254"))).toBe(false);
    } finally {
      await redirecting.close();
    }
  });
});
