import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eq } from "drizzle-orm";
import { deliveries, events } from "@/db/schema";
import { POST } from "@/app/api/v1/events/route";
import { createApiKey } from "@/lib/actions/api-keys";
import { captureLogLines, log } from "@/lib/log";
import { acceptableRequestId, prettyLine, runWithLogContext } from "@/lib/log-core.mjs";
import { startTracing, tracingOn } from "@/lib/tracing";
import { insertWebhook } from "@/lib/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { startReceiver } from "@/tests/receiver";
import { createBoss } from "./boss";
import { deliverWebhook } from "./deliver-webhook";

/**
 * The worker's log lines (lib/log.ts): a failing delivery of a webhook with a secret header and a bearer token is
 * logged with its ids — and neither secret, although the receiver echoes both back.
 */

process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
const env = testEnvironment();
const worker = createBoss(inject("databaseUrl"), { role: "worker" });
let company: Awaited<ReturnType<typeof makeCompany>>;
let apiKey: string;

beforeAll(async () => {
  await worker.start();
  company = await makeCompany(env.deps, "Logged Co");
  const key = await createApiKey.run(env.deps, company.owner, { name: "ingest" });
  if (!key.ok) throw new Error(key.error);
  apiKey = key.data.key;
});
afterAll(async () => {
  await worker.stop({ graceful: false });
  await env.close();
});

describe("structured logs", () => {
  it("a failing delivery is logged with its ids and without its secrets", async () => {
    const HEADER_SECRET = "hdr-secret-7f3a9c";
    const BEARER = "bearer-secret-2b8e41";
    // The receiver fails and echoes the request's headers back, in its headers and its body.
    const receiver = await startReceiver((req) => ({
      status: 500,
      headers: { "x-echo": String(req.headers["x-api-token"]) },
      body: JSON.stringify(req.headers),
    }));
    const lines: string[] = [];
    const stop = captureLogLines(lines);
    try {
      const { webhook } = await insertWebhook(env.db, company.companyId, company.owner.userId, {
        name: "Logged",
        active: true,
        eventType: "deal.updated",
        url: `${receiver.url}/in`,
        headers: [{ name: "X-Api-Token", value: HEADER_SECRET, secret: true }],
        auth: { type: "bearer", token: BEARER },
      });
      const externalId = `log-${Date.now()}`;
      const res = await POST(
        new Request("http://localhost/api/v1/events", {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
          body: JSON.stringify({ id: externalId, type: "deal.updated", data: { id: "d_9", stage: "Won" } }),
        }),
      );
      expect(res.status).toBe(202);
      const [event] = await env.db.select().from(events).where(eq(events.externalId, externalId));
      const [delivery] = await env.db.select().from(deliveries).where(eq(deliveries.eventId, event.id));
      // The worker's path: the delivery pipeline, as the fetch loop runs it.
      await deliverWebhook(env.db, worker, { deliveryId: delivery.id, companyId: company.companyId });
      expect(receiver.received[0].headers["x-api-token"]).toBe(HEADER_SECRET);
      expect(receiver.received[0].headers.authorization).toBe(`Bearer ${BEARER}`);

      const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const about = parsed.filter((l) => l.deliveryId === delivery.id);
      expect(about).toContainEqual(
        expect.objectContaining({
          msg: "delivery attempt failed",
          level: 30,
          deliveryId: delivery.id,
          webhookId: webhook.id,
          companyId: company.companyId,
          eventId: externalId,
          attempt: 1,
          status: 500,
          errorKind: "http_status",
          outcome: "queued",
        }),
      );
      // Every line is one JSON object; no secret anywhere, nor the URL's path.
      const all = lines.join("");
      expect(all).not.toContain(HEADER_SECRET);
      expect(all).not.toContain(BEARER);
    } finally {
      stop();
      await receiver.close();
    }
  });

  it("a request's id (scripts/web.mjs) is on every line written while it is handled", () => {
    const lines: string[] = [];
    const stop = captureLogLines(lines);
    try {
      runWithLogContext({ requestId: "req-123" }, () => log.child({ companyId: "c1" }).warn("something odd"));
      log.info("outside any request");
    } finally {
      stop();
    }
    const [inside, outside] = lines.map((l) => JSON.parse(l));
    expect(inside).toMatchObject({ requestId: "req-123", companyId: "c1", msg: "something odd", level: 40 });
    expect(outside.requestId).toBeUndefined();
    // A client's X-Request-Id is kept only when it is a plain token (no log injection).
    expect(acceptableRequestId("abc-123_x.y:z")).toBe("abc-123_x.y:z");
    expect(acceptableRequestId('x"\n{"level":60}')).toBeNull();
    expect(acceptableRequestId("a".repeat(129))).toBeNull();
  });

  it("pretty lines for a terminal: the message, then the fields", () => {
    const line = prettyLine(
      JSON.stringify({
        level: 40,
        time: "t",
        pid: 1,
        proc: "worker",
        msg: "delivery attempt failed",
        deliveryId: "d1",
      }),
    );
    expect(line).toBe("[hookrelay] WARN delivery attempt failed (deliveryId=d1)\n");
  });

  it("without OTEL_EXPORTER_OTLP_ENDPOINT no SDK is loaded: no tracer provider is registered", async () => {
    expect(await startTracing("test")).toBe(false);
    expect(tracingOn()).toBe(false);
    const registry = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[
      Symbol.for("opentelemetry.js.api.1")
    ];
    expect(registry?.trace).toBeUndefined();
  });
});
