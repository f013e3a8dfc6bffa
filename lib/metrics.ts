import { createHash, timingSafeEqual } from "node:crypto";
import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  type MetricValueWithName,
} from "prom-client";
import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { appPoolCounts, queueStats, type QueueStats } from "@/db/queries/metrics";
import { env } from "./env";

/**
 * Prometheus metrics (prom-client): one registry per process, kept on globalThis so Next's hot reload in
 * development does not register every metric twice. The hot paths only bump counters and observe
 * histograms (no I/O); what needs the database (queue depth, the connection pool) is read at scrape time.
 *
 * The web process serves them at GET /api/metrics (app/api/metrics/route.ts), the worker on its own listener
 * (lib/metrics-server.ts, HOOKRELAY_WORKER_METRICS_PORT); both behind `Authorization: Bearer
 * $HOOKRELAY_METRICS_TOKEN`. README "Metrics" lists every metric and what to alert on.
 */

/** Seconds: from a fast local receiver (5 ms) to a timeout (30 s). */
const ATTEMPT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds from an event's intake to its first attempt's answer: queued behind others, or deferred by a limit. */
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600];

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sources: { jobsInHand: (() => { inHand: number; capacity: number }) | null; pools: PoolSource[] } = {
    jobsInHand: null,
    pools: [],
  };
  return {
    registry,
    sources,
    eventRequests: new Counter({
      name: "hookrelay_event_requests_total",
      help: "Requests to POST /api/v1/events by HTTP status code (202 accepted; 4xx refused; 5xx failed)",
      labelNames: ["code"] as const,
      registers: [registry],
    }),
    eventsAccepted: new Counter({
      name: "hookrelay_events_accepted_total",
      help: "Events accepted by POST /api/v1/events, by request kind (single: one event; batch: an array)",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: "hookrelay_deliveries_total",
      help: "Delivery outcomes written by this worker (success; retry: failed, tried again later; failed: for good; skipped: webhook or plan off; deferred: a daily limit) by the attempt's error kind",
      labelNames: ["outcome", "error_kind"] as const,
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: "hookrelay_delivery_attempt_duration_seconds",
      help: "Duration of each request to a webhook (one per attempt, a batch window's call counts once), by outcome",
      labelNames: ["outcome"] as const,
      buckets: ATTEMPT_BUCKETS,
      registers: [registry],
    }),
    firstDeliveryLatency: new Histogram({
      name: "hookrelay_first_delivery_latency_seconds",
      help: "From an event's intake to its delivery's first attempt's answer (automatic deliveries)",
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    sandboxKills: new Counter({
      name: "hookrelay_render_sandbox_kills_total",
      help: "Template sandbox processes killed or lost mid-render (deadline, memory cap, crash)",
      registers: [registry],
    }),
    jobsInHand: new Gauge({
      name: "hookrelay_worker_jobs_in_hand",
      help: "Delivery jobs this worker has in hand (requests in flight)",
      registers: [registry],
      collect() {
        this.set(sources.jobsInHand?.().inHand ?? 0);
      },
    }),
    jobsCapacity: new Gauge({
      name: "hookrelay_worker_jobs_capacity",
      help: "Delivery jobs this worker may have in hand at once (DELIVERY_MAX_REQUESTS)",
      registers: [registry],
      collect() {
        this.set(sources.jobsInHand?.().capacity ?? 0);
      },
    }),
    pool: new Gauge({
      name: "hookrelay_db_pool_connections",
      help: "Database connections of this process by pool (app: drizzle/postgres.js; pgboss: pg-boss's) and state (busy, idle, waiting: callers waiting for a connection)",
      labelNames: ["pool", "state"] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const source of sources.pools) {
          const counts = await source.counts().catch(() => null);
          if (!counts) continue;
          for (const state of ["busy", "idle", "waiting"] as const)
            if (counts[state] !== undefined) this.set({ pool: source.name, state }, counts[state]);
        }
      },
    }),
    poolMax: new Gauge({
      name: "hookrelay_db_pool_max",
      help: "Most connections each of this process's pools may open",
      labelNames: ["pool"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const source of sources.pools) this.set({ pool: source.name }, source.max());
      },
    }),
    queueJobs: new Gauge({
      name: "hookrelay_queue_jobs",
      help: "pg-boss jobs per queue by state (due: waiting to be fetched; scheduled: a retry or deferral not yet due; active: in a worker's hands)",
      labelNames: ["queue", "state"] as const,
      registers: [registry],
    }),
    queueOldest: new Gauge({
      name: "hookrelay_queue_oldest_due_job_age_seconds",
      help: "How long the oldest due job of each queue has waited to be fetched (0: none waiting)",
      labelNames: ["queue"] as const,
      registers: [registry],
    }),
  };
}

export type PoolCounts = { busy: number; idle: number; waiting?: number };
type PoolSource = { name: string; max: () => number; counts: () => Promise<PoolCounts | null> };
type Metrics = ReturnType<typeof createMetrics>;

const globalForMetrics = globalThis as unknown as { __hookrelayMetrics?: Metrics };

export function metrics(): Metrics {
  return (globalForMetrics.__hookrelayMetrics ??= createMetrics());
}

// ---------------------------------------------------------------------------------------------
// The hooks: one call per place (the events route, the delivery pipeline, the sandbox, the worker).

/** The events route answered (any status): counted, and handed back. */
export function countEventRequest(response: Response): Response {
  metrics().eventRequests.inc({ code: String(response.status) });
  return response;
}

/** The events route accepted `count` events (batch: the body was an array). */
export function countEventsAccepted(count: number, batch: boolean): void {
  metrics().eventsAccepted.inc({ kind: batch ? "batch" : "single" }, count);
}

/** What one attempt's request means (the pipeline's `Answered`, structurally). */
export interface AttemptForMetrics {
  status: "success" | "queued" | "failed";
  manual: unknown;
  outcome: { durationMs: number; error?: { kind: string } | null };
  rows: { delivery: { attempts: number }; event: { createdAt: Date } }[];
}

const OUTCOME = { success: "success", queued: "retry", failed: "failed" } as const;

/** A wave of answered attempts was written: outcomes, durations and, for first attempts, the latency since intake. */
export function recordAttempts(wave: AttemptForMetrics[], answeredAt = Date.now()): void {
  const m = metrics();
  for (const a of wave) {
    const outcome = OUTCOME[a.status];
    m.attemptDuration.observe({ outcome }, a.outcome.durationMs / 1000);
    m.deliveries.inc({ outcome, error_kind: a.outcome.error?.kind ?? "" }, a.rows.length);
    if (a.manual) continue;
    for (const { delivery, event } of a.rows)
      if (delivery.attempts === 0)
        m.firstDeliveryLatency.observe(Math.max(0, answeredAt - event.createdAt.getTime()) / 1000);
  }
}

/** Deliveries settled without a request: switched off (skipped) or past a daily limit (deferred). */
export function countDeliveries(outcome: "skipped" | "deferred", count: number): void {
  if (count > 0) metrics().deliveries.inc({ outcome, error_kind: "" }, count);
}

/** A template sandbox process was killed or died mid-render. */
export function countSandboxKill(): void {
  metrics().sandboxKills.inc();
}

/** The worker's delivery dispatcher: its jobs in hand, read at scrape time. */
export function watchJobsInHand(read: () => { inHand: number; capacity: number }): void {
  metrics().sources.jobsInHand = read;
}

/** A connection pool of this process, read at scrape time (replaces one of the same name). */
export function watchPool(name: string, max: () => number, counts: () => Promise<PoolCounts | null>): void {
  const { sources } = metrics();
  sources.pools = [...sources.pools.filter((p) => p.name !== name), { name, max, counts }];
}

export function setQueueStats(stats: QueueStats[]): void {
  const m = metrics();
  m.queueJobs.reset();
  m.queueOldest.reset();
  for (const s of stats) {
    m.queueJobs.set({ queue: s.queue, state: "due" }, s.due);
    m.queueJobs.set({ queue: s.queue, state: "scheduled" }, s.scheduled);
    m.queueJobs.set({ queue: s.queue, state: "active" }, s.active);
    m.queueOldest.set({ queue: s.queue }, s.oldestDueSeconds);
  }
}

/** This process's app pool (postgres.js), read at scrape time from pg_stat_activity. */
export function watchAppPool(db: Database): void {
  watchPool(
    "app",
    () => env.DATABASE_POOL_MAX,
    () => appPoolCounts(db),
  );
}

/** A pg-boss instance's pool (pg's counts), read at scrape time. */
export function watchBossPool(boss: PgBoss): void {
  const db = boss.getDb();
  watchPool(
    "pgboss",
    () => db.poolCounts?.()?.max ?? 0,
    async () => {
      const now = db.poolCounts?.();
      return now ? { busy: now.total - now.idle, idle: now.idle, waiting: now.waiting } : null;
    },
  );
}

/** What the web process reads from the database at scrape time: every queue's depth and oldest due job. */
export async function refreshQueueStats(db: Database): Promise<void> {
  setQueueStats(await queueStats(db));
}

// ---------------------------------------------------------------------------------------------
// Serving them.

/**
 * Checks `Authorization: Bearer $HOOKRELAY_METRICS_TOKEN` in constant time (as digests: the lengths never leak).
 * "unset": the server has no token, so metrics are off (404); "refused": missing or wrong (401).
 */
export function checkMetricsToken(authorization: string | null | undefined): "ok" | "unset" | "refused" {
  const token = env.HOOKRELAY_METRICS_TOKEN;
  if (!token) return "unset";
  const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (!presented || presented.length > 1000) return "refused";
  const digest = (v: string) => createHash("sha256").update(v).digest();
  return timingSafeEqual(digest(presented), digest(token)) ? "ok" : "refused";
}

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type MetricFamilies = MetricObjectWithValues<MetricValueWithName<string>>[];

/** Every sample of `families` labelled `process` (web, worker), to tell them apart once merged. */
export function withProcess(families: MetricFamilies, processLabel: string): MetricFamilies {
  return families.map((f) => ({
    ...f,
    values: f.values.map((v) => ({ ...v, labels: { ...v.labels, process: processLabel } })),
  }));
}

/** This process's metrics as prom-client's JSON, every sample labelled `process` when one is given. */
export async function metricsJson(processLabel?: string): Promise<MetricFamilies> {
  const families = (await metrics().registry.getMetricsAsJSON()) as MetricFamilies;
  return processLabel ? withProcess(families, processLabel) : families;
}

function escapeLabel(value: unknown): string {
  return String(value).replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/**
 * Prometheus text format from several processes' JSON: one HELP/TYPE per metric, the samples of every process
 * under it (told apart by their `process` label).
 */
export function renderMetrics(...sets: MetricFamilies[]): string {
  const families = new Map<string, MetricFamilies[number]>();
  for (const set of sets)
    for (const f of set) {
      const known = families.get(f.name);
      if (known) known.values = [...known.values, ...f.values];
      else families.set(f.name, { ...f, values: [...f.values] });
    }
  const lines: string[] = [];
  for (const f of families.values()) {
    lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${f.name} ${f.type}`);
    for (const v of f.values as { value: number; labels: Record<string, unknown>; metricName?: string }[]) {
      const labels = Object.entries(v.labels ?? {})
        .filter(([, value]) => value !== undefined)
        .map(([k, value]) => `${k}="${escapeLabel(k === "le" ? formatValue(Number(value)) : value)}"`);
      lines.push(`${v.metricName ?? f.name}${labels.length ? `{${labels.join(",")}}` : ""} ${formatValue(v.value)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
