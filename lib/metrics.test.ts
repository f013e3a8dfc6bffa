import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { eq } from "drizzle-orm";
import { closeDb } from "@/db";
import { deliveries } from "@/db/schema";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { createBoss, stopWebBoss } from "@/jobs/boss";
import { registerWorkers } from "@/jobs/worker";
import { createApiKey } from "@/lib/actions/api-keys";
import { randomToken } from "@/lib/crypto";
import { insertWebhook } from "@/lib/webhooks";
import { renderMetrics, type MetricFamilies } from "./metrics";
import { serveWorkerMetrics } from "./metrics-server";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { startReceiver, waitUntil } from "@/tests/receiver";

/**
 * Issue 17 item 3: a delivery through the real worker path (the events route, pg-boss, the worker's dispatcher and
 * pipeline, a real receiver), then both scrape targets — the worker's own listener and the web's GET /api/metrics,
 * which merges the local worker's — read back as Prometheus text and checked value by value.
 */
process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
const env = testEnvironment();
const worker = createBoss(inject("databaseUrl"), { role: "worker" });
const TOKEN = `metrics-${randomToken(24)}`;
const PROBE_QUEUE = `metrics-probe-${randomToken(6)
  .toLowerCase()
  .replace(/[^a-z0-9]/g, "x")}`;

let listener: NonNullable<Awaited<ReturnType<typeof serveWorkerMetrics>>>;

beforeAll(async () => {
  process.env.HOOKRELAY_METRICS_TOKEN = TOKEN;
  await worker.start();
  await registerWorkers(worker, env.db, { concurrency: 4 });
  listener = (await serveWorkerMetrics(0, "127.0.0.1"))!;
  process.env.HOOKRELAY_WORKER_METRICS_PORT = new URL(listener.url).port;
});
afterAll(async () => {
  delete process.env.HOOKRELAY_METRICS_TOKEN;
  delete process.env.HOOKRELAY_WORKER_METRICS_PORT;
  await listener?.close();
  await worker.stop({ graceful: false });
  await stopWebBoss();
  await closeDb();
  await env.close();
});

/** The value of the sample `name` whose labels include `labels` (exactly one must match), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => {
      const m = /^([^\s{]+)(?:\{(.*)\})? (\S+)$/.exec(line)!;
      const own = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
      return { own, value: Number(m[3]) };
    })
    .filter(({ own }) => Object.entries(labels).every(([k, v]) => own[k] === v));
  expect(found.length, `${name} ${JSON.stringify(labels)}: ${found.length} samples`).toBeLessThanOrEqual(1);
  return found[0]?.value;
}

async function scrapeWorker(token: string | null = TOKEN, path = "/metrics") {
  const res = await fetch(`${listener.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

async function scrapeWeb(token: string | null = TOKEN) {
  const res = await metricsRoute(
    new Request("http://localhost/api/metrics", { headers: token ? { authorization: `Bearer ${token}` } : {} }),
  );
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

describe("metrics after a delivery", () => {
  let webhookId: string;

  beforeAll(async () => {
    const receiver = await startReceiver();
    try {
      const company = await makeCompany(env.deps, "Metrics Co");
      const key = await createApiKey.run(env.deps, company.owner, { name: "ingest" });
      if (!key.ok) throw new Error(key.error);
      const { webhook } = await insertWebhook(env.db, company.companyId, company.owner.userId, {
        name: "Metered",
        active: true,
        eventType: "deal.updated",
        url: `${receiver.url}/hook`,
      });
      webhookId = webhook.id;
      const post = (authorization: string) =>
        postEvents(
          new Request("http://localhost/api/v1/events", {
            method: "POST",
            headers: { authorization, "content-type": "application/json" },
            body: JSON.stringify({ id: "ev-metrics-1", type: "deal.updated", data: { id: "d_1" } }),
          }),
        );
      expect((await post(`Bearer ${key.data.key}`)).status).toBe(202);
      expect((await post("Bearer hr_live_not-a-key")).status).toBe(401);
      await receiver.waitFor(1);
      await waitUntil(
        async () => (await env.db.select().from(deliveries).where(eq(deliveries.webhookId, webhookId)))[0],
        (d) => d?.status === "success",
      );
    } finally {
      await receiver.close();
    }
    // A queue nobody works: two jobs waiting (one due for a minute already), one not due for an hour.
    await worker.createQueue(PROBE_QUEUE);
    await worker.send(PROBE_QUEUE, { n: 1 }, { startAfter: new Date(Date.now() - 60_000) });
    await worker.send(PROBE_QUEUE, { n: 2 });
    await worker.send(PROBE_QUEUE, { n: 3 }, { startAfter: 3600 });
  });

  it("the worker's listener: the delivery's outcome, its attempt's duration and first-delivery latency, the worker's gauges", async () => {
    const { status, type, text } = await scrapeWorker();
    expect(status, text).toBe(200);
    expect(type).toContain("text/plain");
    // Written by the pipeline after the outcome: it may trail the delivery row by a moment.
    const after = await waitUntil(
      async () => (await scrapeWorker()).text,
      (t) => sample(t, "hookrelay_deliveries_total", { outcome: "success" }) === 1,
    );
    expect(sample(after, "hookrelay_deliveries_total", { outcome: "success", error_kind: "" })).toBe(1);
    expect(sample(after, "hookrelay_deliveries_total", { outcome: "failed" })).toBeUndefined();
    expect(sample(after, "hookrelay_delivery_attempt_duration_seconds_count", { outcome: "success" })).toBe(1);
    expect(
      sample(after, "hookrelay_delivery_attempt_duration_seconds_bucket", { outcome: "success", le: "+Inf" }),
    ).toBe(1);
    expect(sample(after, "hookrelay_first_delivery_latency_seconds_count")).toBe(1);
    expect(sample(after, "hookrelay_first_delivery_latency_seconds_sum")).toBeGreaterThan(0);
    expect(sample(after, "hookrelay_worker_jobs_in_hand")).toBe(0);
    expect(sample(after, "hookrelay_worker_jobs_capacity")).toBe(20);
    expect(sample(after, "hookrelay_render_sandbox_kills_total")).toBe(0);
    expect(sample(after, "hookrelay_db_pool_max", { pool: "app" })).toBe(10);
    expect(sample(after, "hookrelay_db_pool_max", { pool: "pgboss" })).toBe(20 + 6);
    expect(sample(after, "hookrelay_db_pool_connections", { pool: "pgboss", state: "idle" })).toBeGreaterThanOrEqual(0);
    expect(sample(after, "hookrelay_db_pool_connections", { pool: "app", state: "busy" })).toBeGreaterThanOrEqual(0);
    // prom-client's process metrics.
    expect(sample(after, "process_resident_memory_bytes")).toBeGreaterThan(10_000_000);
    expect(sample(after, "nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
  });

  it("GET /api/metrics: the events route's counts, every queue's depth, and the local worker's metrics labelled", async () => {
    const { status, type, text } = await scrapeWeb();
    expect(status, text).toBe(200);
    expect(type).toContain("text/plain; version=0.0.4");
    expect(sample(text, "hookrelay_event_requests_total", { code: "202", process: "web" })).toBe(1);
    expect(sample(text, "hookrelay_event_requests_total", { code: "401", process: "web" })).toBe(1);
    expect(sample(text, "hookrelay_events_accepted_total", { kind: "single", process: "web" })).toBe(1);
    expect(sample(text, "hookrelay_queue_jobs", { queue: PROBE_QUEUE, state: "due", process: "web" })).toBe(2);
    expect(sample(text, "hookrelay_queue_jobs", { queue: PROBE_QUEUE, state: "scheduled", process: "web" })).toBe(1);
    expect(sample(text, "hookrelay_queue_jobs", { queue: PROBE_QUEUE, state: "active", process: "web" })).toBe(0);
    const oldest = { queue: PROBE_QUEUE, process: "web" };
    expect(sample(text, "hookrelay_queue_oldest_due_job_age_seconds", oldest)).toBeGreaterThanOrEqual(59);
    expect(
      sample(text, "hookrelay_queue_jobs", { queue: "deliver-webhook", state: "due", process: "web" }),
    ).toBeGreaterThanOrEqual(0);
    // The worker's, fetched from its listener and labelled.
    expect(sample(text, "hookrelay_local_worker_up")).toBe(1);
    expect(sample(text, "hookrelay_deliveries_total", { outcome: "success", process: "worker" })).toBe(1);
    expect(
      sample(text, "hookrelay_delivery_attempt_duration_seconds_count", { outcome: "success", process: "worker" }),
    ).toBe(1);
    expect(sample(text, "process_resident_memory_bytes", { process: "worker" })).toBeGreaterThan(0);
    expect(sample(text, "process_resident_memory_bytes", { process: "web" })).toBeGreaterThan(0);
    // One HELP and TYPE per metric, however many processes it has samples from.
    expect(text.match(/^# TYPE process_resident_memory_bytes /gm)).toHaveLength(1);
  });
});

describe("the token", () => {
  it("is 401 for a missing or wrong token, on both targets", async () => {
    for (const token of [null, "wrong-token-wrong-token", `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      expect((await scrapeWorker(token)).status).toBe(401);
      expect((await scrapeWorker(token, "/metrics.json")).status).toBe(401);
      const web = await scrapeWeb(token);
      expect(web.status).toBe(401);
      expect(JSON.parse(web.text).error.message).toContain("HOOKRELAY_METRICS_TOKEN");
    }
  });

  it("is 404 on both while HOOKRELAY_METRICS_TOKEN is unset, and the web reports a silent worker as down", async () => {
    delete process.env.HOOKRELAY_METRICS_TOKEN;
    try {
      expect((await scrapeWorker()).status).toBe(404);
      const web = await scrapeWeb();
      expect(web.status).toBe(404);
      expect(JSON.parse(web.text).error.message).toContain("HOOKRELAY_METRICS_TOKEN");
    } finally {
      process.env.HOOKRELAY_METRICS_TOKEN = TOKEN;
    }
    const port = process.env.HOOKRELAY_WORKER_METRICS_PORT;
    process.env.HOOKRELAY_WORKER_METRICS_PORT = "1";
    try {
      const web = await scrapeWeb();
      expect(web.status).toBe(200);
      expect(sample(web.text, "hookrelay_local_worker_up")).toBe(0);
      expect(sample(web.text, "hookrelay_deliveries_total", { process: "worker" })).toBeUndefined();
    } finally {
      process.env.HOOKRELAY_WORKER_METRICS_PORT = port;
    }
  });
});

describe("renderMetrics", () => {
  it("merges processes under one HELP/TYPE and escapes label values", () => {
    const family = (process: string, value: number) => ({
      name: "x_total",
      help: "a help\nwith a line",
      type: "counter",
      aggregator: "sum",
      values: [{ value, labels: { why: 'a "quoted"\\path', process } }],
    });
    const text = renderMetrics(
      [family("web", 1)] as unknown as MetricFamilies,
      [family("worker", 2)] as unknown as MetricFamilies,
    );
    expect(text).toBe(
      [
        "# HELP x_total a help\\nwith a line",
        "# TYPE x_total counter",
        'x_total{why="a \\"quoted\\"\\\\path",process="web"} 1',
        'x_total{why="a \\"quoted\\"\\\\path",process="worker"} 2',
        "",
      ].join("\n"),
    );
  });
});
