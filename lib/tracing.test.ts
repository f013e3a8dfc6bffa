import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eq, inArray } from "drizzle-orm";
import { deliveries, events } from "@/db/schema";
import { POST } from "@/app/api/v1/events/route";
import { createBoss } from "@/jobs/boss";
import { registerWorkers } from "@/jobs/worker";
import { createApiKey } from "@/lib/actions/api-keys";
import { insertWebhook } from "@/lib/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { startReceiver, waitUntil } from "@/tests/receiver";
import { flushTracing, startTracing, stopTracing, tracingOn } from "./tracing";

/**
 * Traces end to end: a small OTLP/HTTP JSON collector on 127.0.0.1, OTEL_EXPORTER_OTLP_ENDPOINT pointing at it, an
 * event posted to the route handler and delivered by the worker's own fetch loop: the intake's span, the job's and
 * the outgoing request's must be one trace, parent to child, with the ids as attributes and nothing secret.
 */

type Span = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number>;
  status?: { code?: number };
};

const spans: Span[] = [];
const bodies: string[] = [];
/** OTLP/JSON carries ids as hex (or base64 in older encoders) and 64-bit ints as strings. */
const hex = (v: string | undefined) =>
  !v ? "" : /^[0-9a-f]+$/i.test(v) ? v.toLowerCase() : Buffer.from(v, "base64").toString("hex");
function valueOf(v: Record<string, unknown>): string | number {
  if ("stringValue" in v) return String(v.stringValue);
  if ("intValue" in v) return Number(v.intValue);
  if ("doubleValue" in v) return Number(v.doubleValue);
  return JSON.stringify(v);
}

const collector = http.createServer((req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    if (req.url === "/v1/traces" && req.method === "POST") {
      expect(req.headers["content-type"]).toContain("application/json");
      bodies.push(body);
      const payload = JSON.parse(body);
      for (const rs of payload.resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? [])
            spans.push({
              ...s,
              traceId: hex(s.traceId),
              spanId: hex(s.spanId),
              parentSpanId: hex(s.parentSpanId),
              attributes: Object.fromEntries(
                (s.attributes ?? []).map((a: { key: string; value: Record<string, unknown> }) => [
                  a.key,
                  valueOf(a.value),
                ]),
              ),
            });
    }
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});

process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
const env = testEnvironment();
const worker = createBoss(inject("databaseUrl"), { role: "worker" });
let company: Awaited<ReturnType<typeof makeCompany>>;
let apiKey: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  expect(await startTracing("test")).toBe(true);
  await worker.start();
  await registerWorkers(worker, env.db, { concurrency: 4 });
  company = await makeCompany(env.deps, "Traced Co");
  const key = await createApiKey.run(env.deps, company.owner, { name: "ingest" });
  if (!key.ok) throw new Error(key.error);
  apiKey = key.data.key;
});
afterAll(async () => {
  await worker.stop({ graceful: false });
  await stopTracing();
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  collector.closeAllConnections();
  await new Promise<void>((resolve) => collector.close(() => resolve()));
  await env.close();
});

async function post(body: unknown) {
  const res = await POST(
    new Request("http://localhost/api/v1/events", {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
  expect(res.status).toBe(202);
}

/** Flushes the SDK until the collector has every span `done` asks for. */
async function spansUntil(done: (all: Span[]) => boolean): Promise<Span[]> {
  return waitUntil(
    async () => {
      await flushTracing();
      return spans;
    },
    done,
    10_000,
  );
}

const eventId = (label: string) => `trace-${label}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

describe("traces (OTEL_EXPORTER_OTLP_ENDPOINT set)", () => {
  it("exports events route → deliver-webhook job → outgoing request as one trace, with the ids and no secrets", async () => {
    expect(tracingOn()).toBe(true);
    const receiver = await startReceiver(() => ({ status: 503, body: "busy" }));
    try {
      const { webhook } = await insertWebhook(env.db, company.companyId, company.owner.userId, {
        name: "Traced",
        active: true,
        eventType: "deal.updated",
        url: `${receiver.url}/hook?token=query-secret-123`,
        headers: [{ name: "X-Api-Token", value: "header-secret-456", secret: true }],
      });
      const id = eventId("one");
      await post({ id, type: "deal.updated", data: { id: "d_1", stage: "Won" } });
      const [event] = await env.db.select().from(events).where(eq(events.externalId, id));
      const [delivery] = await env.db.select().from(deliveries).where(eq(deliveries.eventId, event.id));
      // The worker's fetch loop takes the job and sends it (503: the attempt failed, a retry is queued).
      await receiver.waitFor(1);
      const all = await spansUntil((s) =>
        s.some((x) => x.name.startsWith("HTTP") && x.attributes["hookrelay.delivery.id"] === delivery.id),
      );

      const request = all.find((s) => s.name === "HTTP POST" && s.attributes["hookrelay.delivery.id"] === delivery.id)!;
      const job = all.find((s) => s.spanId === request.parentSpanId)!;
      const intake = all.find((s) => s.spanId === job?.parentSpanId)!;
      expect(job).toMatchObject({ name: "deliver-webhook", traceId: request.traceId });
      expect(intake).toMatchObject({ name: "POST /api/v1/events", traceId: request.traceId });
      expect(intake.parentSpanId).toBe("");
      // SpanKind: SERVER 2, CLIENT 3, CONSUMER 5.
      expect([intake.kind, job.kind, request.kind]).toEqual([2, 5, 3]);
      expect(intake.attributes).toMatchObject({
        "http.route": "/api/v1/events",
        "http.response.status_code": 202,
        "hookrelay.company.id": company.companyId,
        "hookrelay.events": 1,
        "hookrelay.deliveries": 1,
      });
      const ids = {
        "hookrelay.webhook.id": webhook.id,
        "hookrelay.delivery.id": delivery.id,
        "hookrelay.company.id": company.companyId,
        "hookrelay.event.id": id,
        "hookrelay.attempt": 1,
      };
      expect(job.attributes).toMatchObject({
        ...ids,
        "hookrelay.outcome": "queued",
        "http.response.status_code": 503,
        "error.type": "http_status",
      });
      expect(request.attributes).toMatchObject({
        ...ids,
        "http.request.method": "POST",
        "server.address": "127.0.0.1",
        "http.response.status_code": 503,
        "error.type": "http_status",
      });
      expect(job.status?.code).toBe(2); // ERROR
      // Nothing of the URL but its host, no header's value.
      const exported = bodies.join("\n");
      expect(exported).not.toContain("query-secret-123");
      expect(exported).not.toContain("header-secret-456");
      expect(exported).not.toContain("/hook");
    } finally {
      await receiver.close();
    }
  });

  it("a batch of events is one trace: every delivery's job span is a child of the request's span", async () => {
    const receiver = await startReceiver();
    try {
      const hooks = [];
      for (const name of ["Batch A", "Batch B"])
        hooks.push(
          (
            await insertWebhook(env.db, company.companyId, company.owner.userId, {
              name,
              active: true,
              eventType: "contact.created",
              url: `${receiver.url}/${name.replace(" ", "-")}`,
            })
          ).webhook.id,
        );
      const ids = [eventId("a"), eventId("b")];
      await post(ids.map((id, i) => ({ id, type: "contact.created", data: { id: `c_${i}` } })));
      const rows = await env.db
        .select({ id: deliveries.id })
        .from(deliveries)
        .where(inArray(deliveries.webhookId, hooks));
      expect(rows).toHaveLength(4);
      await waitUntil(
        async () => receiver.received.length,
        (n) => n === 4,
      );
      const wanted = new Set(rows.map((r) => r.id));
      const all = await spansUntil(
        (s) =>
          s.filter((x) => x.name === "deliver-webhook" && wanted.has(String(x.attributes["hookrelay.delivery.id"])))
            .length === 4,
      );
      const jobs = all.filter(
        (x) => x.name === "deliver-webhook" && wanted.has(String(x.attributes["hookrelay.delivery.id"])),
      );
      const parents = new Set(jobs.map((j) => j.parentSpanId));
      expect(parents.size).toBe(1);
      const intake = all.find((s) => s.spanId === [...parents][0])!;
      expect(intake).toMatchObject({
        name: "POST /api/v1/events",
        attributes: { "hookrelay.events": 2, "hookrelay.deliveries": 4 },
      });
      expect(new Set(jobs.map((j) => j.traceId))).toEqual(new Set([intake.traceId]));
      for (const j of jobs) expect(j.attributes["hookrelay.outcome"]).toBe("success");
    } finally {
      await receiver.close();
    }
  });
});
