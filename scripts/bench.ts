/**
 * `npm run bench` (`-- --quick` for a smaller, under-2-minute run once the app is built): measures
 * ingestion, delivery throughput, first-delivery latency, page speed and memory against baselines
 * taken in the same run, prints a table and writes bench/results/latest.json. See BENCHMARKS.md.
 *
 * Everything it starts it stops (children by PID, also on Ctrl-C or an error): its own PostgreSQL
 * (or BENCH_DATABASE_URL), the production app (scripts/start.ts --no-workers: builds when the build
 * is missing or stale, then next start), the delivery worker (scripts/worker.ts, as `npm run worker`
 * runs it) and a receiver process on 127.0.0.1.
 */
import type { ChildProcess } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { and, eq, sql } from "drizzle-orm";
import { PgBoss } from "pg-boss";
import { Pool, request } from "undici";
import { encode } from "next-auth/jwt";
import { chromium } from "@playwright/test";
import { freePort } from "@/db/embedded";
import { createDb } from "@/db";
import { companies, deliveries, deliveryAttempts, webhooks } from "@/db/schema";
import { deliveryOfAttempt } from "@/db/partitions";
import { purgeOldData } from "@/jobs/purge";
import { createBoss } from "@/jobs/boss";
import { deliverWebhook } from "@/jobs/definitions";
import { signUp } from "@/lib/actions/account";
import { createApiKey } from "@/lib/actions/api-keys";
import { generateSecretKey } from "@/lib/crypto";
import { ingestEvents } from "@/lib/events/ingest";
import { insertWebhook } from "@/lib/webhooks";
import {
  cleanupAll,
  commandOf,
  cpuMeter,
  descendants,
  forkTs,
  latencySummary,
  onCleanup,
  rssMb,
  RESULTS_DIR,
  ROOT,
  sleep,
  spawnTs,
  startBenchDatabase,
  stopChild,
  table,
  waitForLine,
  wallNow,
  type Row,
} from "@/bench/harness";
import { firstLoadJs } from "@/bench/first-load";
import { env as appEnv } from "@/lib/env";
import { WORKER_NODE_FLAGS } from "./worker-flags";

const quick = process.argv.includes("--quick");
const started = wallNow();
/** The worker's local concurrency (WORKER_CONCURRENCY, 20 by default), also the baselines' concurrency. */
const CONCURRENCY = Number(process.env.WORKER_CONCURRENCY ?? 20);
const SIZES = quick
  ? {
      raw: 5_000,
      bare: 3_000,
      throughput: 5_000,
      fanEvents: 500,
      ingestSeconds: 5,
      latencySeconds: 10,
      history: 100_000,
      pages: 50,
      deliveryTimeoutS: 40,
    }
  : {
      raw: 20_000,
      bare: 10_000,
      throughput: 20_000,
      fanEvents: 2_000,
      ingestSeconds: 10,
      latencySeconds: 30,
      history: 1_000_000,
      pages: 50,
      deliveryTimeoutS: 120,
    };
const FANOUT = 10;
/** BENCH_PHASES=1a,3 runs only those sections (for profiling one of them); all by default. */
const only = process.env.BENCH_PHASES?.split(",").map((p) => p.trim());
const phase = (name: string) => !only || only.includes(name);
const RATE = 200;
/** The worker's Node flags, as scripts/start.ts passes them; BENCH_WORKER_FLAGS="…" (or "none") to try others. */
const workerFlags =
  process.env.BENCH_WORKER_FLAGS === undefined
    ? WORKER_NODE_FLAGS
    : process.env.BENCH_WORKER_FLAGS.split(" ").filter((f) => f && f !== "none");

const log = (m: string) => console.log(`[bench ${((wallNow() - started) / 1000).toFixed(0).padStart(3)}s] ${m}`);
const rows: Row[] = [];
const extra: Record<string, unknown> = {};

function eventBody(id: string, i: number) {
  return {
    id,
    type: "deal.updated",
    data: { id: `d_${i}`, name: "Big deal", stage: "Won", amount: 48000, currency: "EUR", owner: "Grace Hopper" },
  };
}

async function main() {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  for (const f of ["web.log", "worker.log"]) fs.rmSync(path.join(RESULTS_DIR, f), { force: true });

  // ------------------------------------------------------------ database, app, receiver
  const database = await startBenchDatabase();
  log(`database ready (${database.embedded ? "embedded, temporary" : "BENCH_DATABASE_URL"})`);
  const secretKey = generateSecretKey();
  const authSecret = randomBytes(32).toString("base64url");
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    HOOKRELAY_SECRET_KEY: secretKey,
    AUTH_SECRET: authSecret,
    PORT: String(port),
    HOST: "127.0.0.1",
    APP_URL: base,
    HOOKRELAY_ALLOW_PRIVATE_TARGETS: "1",
    // The per-company intake limit (1,000 events/s by default) would cap the figure being measured.
    EVENTS_RATE_LIMIT: "1000000",
    NEXT_TELEMETRY_DISABLED: "1",
    BCRYPT_COST: "4",
  };
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    HOOKRELAY_SECRET_KEY: secretKey,
    AUTH_SECRET: authSecret,
    BCRYPT_COST: "4",
  });

  const receiver = forkTs("bench/receiver.ts", process.env);
  const receiverPort = await new Promise<number>((resolve, reject) => {
    receiver.once("message", (m: { type: string; port: number }) =>
      m.type === "ready" ? resolve(m.port) : reject(new Error("receiver")),
    );
    receiver.once("exit", () => reject(new Error("the receiver exited")));
  });
  const receiverUrl = `http://127.0.0.1:${receiverPort}`;
  let askSeq = 0;
  const answers = new Map<number, (m: any) => void>();
  receiver.on("message", (m: { seq?: number }) => {
    if (m.seq) answers.get(m.seq)?.(m);
  });
  const ask = <T>(cmd: "reset" | "count" | "dump"): Promise<T> =>
    new Promise((resolve) => {
      const seq = ++askSeq;
      answers.set(seq, (m) => {
        answers.delete(seq);
        resolve(m as T);
      });
      receiver.send({ cmd, seq });
    });
  log(`receiver on ${receiverUrl} (pid ${receiver.pid})`);

  log("starting the app (scripts/start.ts --no-workers; next build first when the build is missing or stale)");
  const web = spawnTs("scripts/start.ts", ["--no-workers"], env, "web");
  await waitForHealth(`${base}/api/health`, web, 900_000);
  const webPid = findWebServer(web.pid!);
  log(`app on ${base} (web server pid ${webPid}, idle RSS ${rssMb(webPid, "VmRSS")} MB)`);
  extra.webIdleRssMb = rssMb(webPid, "VmRSS");

  // ------------------------------------------------------------ fixtures
  const { db, client } = createDb(database.url, 6);
  onCleanup(async () => {
    await client.end({ timeout: 5 });
  });
  const deps = {
    db,
    boss: async (): Promise<PgBoss> => {
      throw new Error("not used");
    },
  };
  const signed = await signUp.run(
    deps,
    { userId: null },
    {
      name: "Bench Owner",
      email: `bench-${randomBytes(4).toString("hex")}@example.test`,
      password: "correct-horse-9",
      companyName: "Bench Co",
    },
  );
  if (!signed.ok) throw new Error(signed.error);
  const { userId, companyId } = signed.data;
  // The daily call limit (25,000 by default) would defer the later phases' deliveries to tomorrow.
  await db.update(companies).set({ dailyCallLimit: 1_000_000_000 }).where(eq(companies.id, companyId));
  const key = await createApiKey.run(deps, { userId, companyId }, { name: "bench" });
  if (!key.ok) throw new Error(key.error);
  const apiKey = key.data.key;
  const hook = async (name: string, url: string) =>
    (
      await insertWebhook(db, companyId, userId, {
        name,
        active: false,
        eventType: "deal.updated",
        url,
        maxConcurrency: 100,
      })
    ).webhook.id;
  const throughputHook = await hook("Throughput", `${receiverUrl}/throughput`);
  const fanHooks: string[] = [];
  for (let i = 0; i < FANOUT; i++) fanHooks.push(await hook(`Fan-out ${i + 1}`, `${receiverUrl}/fan/${i + 1}`));
  const historyHook = await hook("History", `${receiverUrl}/history`);
  /** Only these webhooks match deal.updated from now on. */
  const activate = async (ids: string[]) => {
    await db
      .update(webhooks)
      .set({ active: sql`${webhooks.id} in ${ids.length ? ids : ["00000000-0000-0000-0000-000000000000"]}` })
      .where(eq(webhooks.companyId, companyId));
  };
  const sender = createBoss(database.url, { role: "web" });
  await sender.start();
  onCleanup(() => sender.stop({ graceful: false }));
  /** Drops queued delivery jobs and the deliveries a phase left behind (ingestion phases run without a worker). */
  const purge = async () => {
    await sender.deleteQueuedJobs(deliverWebhook.name);
    // No foreign key from attempts to deliveries (the history is partitioned by day): both go.
    await db
      .delete(deliveryAttempts)
      .where(and(eq(deliveryAttempts.companyId, companyId), sql`${deliveryAttempts.webhookId} <> ${historyHook}`));
    await db
      .delete(deliveries)
      .where(and(eq(deliveries.companyId, companyId), sql`${deliveries.webhookId} <> ${historyHook}`));
    await tidy();
  };
  /** Fresh statistics and no dead rows before a measurement, so autovacuum does not start in the middle of one. */
  const tidy = async () => {
    await db.execute(sql`vacuum analyze events, deliveries, delivery_attempts, webhooks, daily_usage`);
    await db.execute(sql`vacuum analyze pgboss.job`);
  };

  const authHeaders = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
  let evSeq = 0;
  const nextId = (prefix: string) => `${prefix}-${++evSeq}`;

  // ------------------------------------------------------------ 1a. raw HTTP baseline
  if (phase("1a")) {
    const pool = new Pool(receiverUrl, { connections: CONCURRENCY, pipelining: 1 });
    const body = JSON.stringify({ ...eventBody("evt_raw", 1), occurredAt: new Date().toISOString(), previous: null });
    const sig = createHmac("sha256", randomBytes(24)).update(body).digest("base64");
    const headers = {
      "content-type": "application/json",
      "webhook-id": "msg_raw",
      "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
      "webhook-signature": `v1,${sig}`,
    };
    const send = async (n: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next++ < n) {
            const res = await pool.request({ path: "/raw", method: "POST", headers, body });
            await res.body.text();
          }
        }),
      );
    };
    await send(1000); // warm-up
    const t0 = wallNow();
    await send(SIZES.raw);
    const rate = (SIZES.raw / (wallNow() - t0)) * 1000;
    await pool.close();
    extra.rawHttpPerSecond = Math.round(rate);
    rows.push({ group: "1a", figure: `undici Pool → receiver, ${CONCURRENCY} at once`, value: rate, unit: "req/s" });
    log(`1a raw HTTP: ${Math.round(rate)} req/s`);
  }
  const rawRate = (extra.rawHttpPerSecond as number | undefined) ?? NaN;

  // ------------------------------------------------------------ 1b. bare pg-boss
  let bareLatency = latencySummary([]);
  if (phase("1b")) {
    const boss = new PgBoss({
      connectionString: database.url,
      max: CONCURRENCY + 4,
      supervise: false,
      schedule: false,
      migrate: false,
      useListenNotify: true,
    });
    boss.on("error", (e) => console.error("[bench pg-boss]", e instanceof Error ? e.message : e));
    await boss.start();
    const queue = "bench-bare";
    await boss.createQueue(queue, { notify: true });
    const throughput = async (n: number, options: { batchSize: number; localConcurrency: number }) => {
      for (let i = 0; i < n; i += 1000)
        await boss.insert(
          queue,
          Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ data: { i: i + j } })),
        );
      let done = 0;
      let finish!: () => void;
      const finished = new Promise<void>((r) => (finish = r));
      const t0 = wallNow();
      await boss.work(
        queue,
        {
          ...options,
          pollingIntervalSeconds: 0.5,
          notifyPollingIntervalSeconds: 0.5,
          burstWhenBatchFull: options.batchSize > 1,
        },
        async (jobs) => {
          done += jobs.length;
          if (done >= n) finish();
        },
      );
      await finished;
      await boss.offWork(queue, { wait: true });
      return (n / (wallNow() - t0)) * 1000;
    };
    // One job per fetch: after each fetch pg-boss waits the polling interval unless NOTIFY wakes it, so a
    // backlog goes at about pollers / interval (the delivery worker's shape before batching). Few jobs: it is slow.
    const one = await throughput(quick ? 100 : 200, { batchSize: 1, localConcurrency: CONCURRENCY });
    rows.push({
      group: "1b",
      figure: `pg-boss send→work→complete, batchSize 1 × ${CONCURRENCY} pollers, 0.5 s poll (backlog)`,
      value: one,
      unit: "jobs/s",
    });
    log(`1b bare pg-boss batchSize 1: ${Math.round(one)} jobs/s`);
    const ours = await throughput(SIZES.bare, { batchSize: 10, localConcurrency: CONCURRENCY });
    rows.push({
      group: "1b",
      figure: `pg-boss send→work→complete, batchSize 10 × ${CONCURRENCY} pollers, burst (the delivery worker's shape before its fetch loop)`,
      value: ours,
      unit: "jobs/s",
    });
    log(`1b bare pg-boss batchSize 10 × ${CONCURRENCY}: ${Math.round(ours)} jobs/s`);
    const batched = await throughput(SIZES.bare, { batchSize: 50, localConcurrency: 2 });
    rows.push({
      group: "1b",
      figure: "pg-boss send→work→complete, batchSize 50 × 2 pollers, burst (closest to its fetch loop's batches of 50)",
      value: batched,
      unit: "jobs/s",
    });
    log(`1b bare pg-boss batchSize 50 × 2: ${Math.round(batched)} jobs/s`);
    extra.bareJobsPerSecond = { batch1: Math.round(one), batch10: Math.round(ours), batch50: Math.round(batched) };

    // Latency: one job at a time at RATE/s, from send() resolving to the handler running.
    const sentAt = new Map<number, number>();
    const handledAt = new Map<number, number>();
    await boss.work<{ i: number }>(
      queue,
      { batchSize: 1, localConcurrency: 4, pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1 },
      async ([job]) => {
        handledAt.set(job.data.i, wallNow());
      },
    );
    const total = RATE * (quick ? 3 : 5);
    const t0 = wallNow();
    for (let i = 0; i < total; i++) {
      await sleep(Math.max(0, t0 + (i * 1000) / RATE - wallNow()));
      const id = i;
      void boss.send(queue, { i: id }).then(() => sentAt.set(id, wallNow()));
    }
    await sleep(1500);
    await boss.offWork(queue, { wait: true });
    await boss.stop({ graceful: false });
    const lat = [...sentAt].filter(([i]) => handledAt.has(i)).map(([i, s]) => handledAt.get(i)! - s);
    bareLatency = latencySummary(lat.map((v) => Math.max(0, v)));
    log(`1b bare pg-boss latency at ~${RATE}/s: p50 ${bareLatency.p50} ms, p99 ${bareLatency.p99} ms`);
    extra.bareLatencyMs = bareLatency;
  }

  // The combined bare baseline of a delivery: a raw request (1a) plus a bare job (1b, batches of 50, the
  // worker's fetch shape) one after the other, 1 / (1/1a + 1/1b) — what a worker doing nothing else could do.
  const bare50 = (extra.bareJobsPerSecond as { batch50?: number } | undefined)?.batch50 ?? NaN;
  const combinedRate = 1 / (1 / rawRate + 1 / bare50);
  if (Number.isFinite(combinedRate)) {
    extra.combinedBaselinePerSecond = Math.round(combinedRate);
    rows.push({
      group: "1",
      figure: "combined bare baseline of a delivery, 1 / (1/1a + 1/1b batches of 50)",
      value: combinedRate,
      unit: "deliveries/s",
    });
    log(`1 combined bare baseline: ${Math.round(combinedRate)} deliveries/s`);
  }

  // ------------------------------------------------------------ 3. ingestion (no worker running)
  let directRate = NaN;
  if (phase("3")) {
    await activate([throughputHook]);
    const health = await cannon({ url: `${base}/api/health`, connections: CONCURRENCY, duration: quick ? 3 : 5 });
    const healthRate = health.requests.average;
    log(`3 baseline GET /api/health: ${Math.round(healthRate)} req/s`);
    await cannon(singleEvents(base, authHeaders, nextId, 2, CONCURRENCY)); // warm-up
    const meter = cpuMeter({ web: webPid, receiver: receiver.pid });
    const single = await cannon(singleEvents(base, authHeaders, nextId, SIZES.ingestSeconds, CONCURRENCY));
    const cpu = meter();
    extra.singleIngestCpu = cpu.cpuPercent;
    const singleRate = single.requests.average;
    const non2xx = single.non2xx + single.errors;
    rows.push({
      group: "3",
      figure: `POST /api/v1/events, 1 event/request, ${CONCURRENCY} connections (max)`,
      value: singleRate,
      unit: "events/s",
      baseline: { label: "GET /api/health", value: healthRate },
      target: { text: "≥ 800", met: singleRate >= 800 },
      note: non2xx ? `${non2xx} errors` : undefined,
    });
    log(
      `3 single events: ${Math.round(singleRate)} events/s (p50 ${single.latency.p50} ms, p99 ${single.latency.p99} ms, ${non2xx} errors); CPU % of a core: ${JSON.stringify(cpu.cpuPercent)}`,
    );
    const steady = await paced(base, authHeaders, nextId, RATE, quick ? 5 : 10);
    rows.push({
      group: "3",
      figure: `POST /api/v1/events at a steady ${RATE}/s (open loop): p50`,
      value: steady.latency.p50,
      unit: "ms",
    });
    rows.push({
      group: "3",
      figure: `POST /api/v1/events at a steady ${RATE}/s (open loop): p99`,
      value: steady.latency.p99,
      unit: "ms",
      target: { text: "< 50", met: steady.latency.p99 < 50 && !steady.skipped },
      note: overload(steady),
    });
    log(
      `3 steady ${RATE}/s: p50 ${steady.latency.p50} ms, p99 ${steady.latency.p99} ms, max ${steady.latency.max} ms (${steady.errors} errors, ${steady.skipped} not sent: server behind)`,
    );
    await purge();

    // Direct ingestEvents() (no HTTP, no Next.js): the batched intake's baseline.
    {
      const n = quick ? 2_000 : 5_000;
      const t0 = wallNow();
      for (let i = 0; i < n; i += 100) {
        const batch = Array.from({ length: 100 }, (_, j) => eventBody(nextId("direct"), i + j));
        await ingestEvents(db, sender, companyId, null, batch);
      }
      directRate = (n / (wallNow() - t0)) * 1000;
      log(`3 baseline ingestEvents() in-process, 100/call: ${Math.round(directRate)} events/s`);
      await purge();
    }
  }

  // ------------------------------------------------------------ 2. delivery throughput
  const postBatches = async (prefix: string, total: number, parallel = 4) => {
    const pool = new Pool(base, { connections: parallel });
    let sent = 0;
    let failures = 0;
    const t0 = wallNow();
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (sent < total) {
          const start = sent;
          sent += 100;
          const batch = Array.from({ length: Math.min(100, total - start) }, (_, j) =>
            eventBody(nextId(prefix), start + j),
          );
          const res = await pool.request({
            path: "/api/v1/events",
            method: "POST",
            headers: authHeaders,
            body: JSON.stringify(batch),
          });
          await res.body.text();
          if (res.statusCode !== 202) failures++;
        }
      }),
    );
    await pool.close();
    if (failures) throw new Error(`${failures} batched intake requests were refused`);
    return (total / (wallNow() - t0)) * 1000;
  };

  // BENCH_PG_STATS=1: the statements PostgreSQL spent the delivery sections on (pg_stat_statements).
  const pgStats = Boolean(process.env.BENCH_PG_STATS);
  if (pgStats) await db.execute(sql`create extension if not exists pg_stat_statements`);
  const topStatements = async (label: string) => {
    const top = await db.execute<{ calls: number; total_ms: number; mean_ms: number; rows: number; query: string }>(sql`
      select calls::int, round(total_exec_time)::int as total_ms, round(mean_exec_time::numeric, 3)::float as mean_ms, rows::int,
             left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 160) as query
      from pg_stat_statements order by total_exec_time desc limit 15`);
    log(
      `pg_stat_statements, ${label}:\n${top.map((t) => `  ${String(t.total_ms).padStart(6)} ms ${String(t.calls).padStart(7)} calls ${String(t.mean_ms).padStart(8)} ms/call ${String(t.rows).padStart(7)} rows  ${t.query}`).join("\n")}`,
    );
    extra.pgStatements ??= {} as Record<string, unknown>;
    (extra.pgStatements as Record<string, unknown>)[label] = top;
  };

  const workerPeaks: number[] = [];
  const startWorker = async () => {
    const child = spawnTs("scripts/worker.ts", [], env, "worker", workerFlags);
    await waitForLine(child, /worker \d+ running/, 60_000);
    return child;
  };
  const stopWorker = async (child: ChildProcess) => {
    const peak = child.pid ? rssMb(child.pid) : null;
    if (peak !== null) workerPeaks.push(peak);
    await stopChild(child, 25_000);
  };

  /** Starts a worker on a backlog of `expected` accepted deliveries and times it until all are success. */
  const deliverBacklog = async (hookIds: string[], expected: number) => {
    await tidy();
    await ask("reset");
    if (pgStats) await db.execute(sql`select pg_stat_statements_reset()`);
    const worker = await startWorker();
    const meter = cpuMeter({ web: webPid, worker: worker.pid, receiver: receiver.pid });
    const t0 = wallNow();
    const deadline = t0 + SIZES.deliveryTimeoutS * 1000;
    let success = 0;
    let failed = 0;
    // Until the receiver has them all, ask it (over IPC) rather than count the deliveries every 100 ms:
    // that count reads the whole backlog and took ~12 % of a core from PostgreSQL at 20,000.
    while (wallNow() < deadline && (await ask<{ count: number }>("count")).count < expected) await sleep(50);
    while (wallNow() < deadline) {
      const counts = await db
        .select({ status: deliveries.status, n: sql<number>`count(*)::int` })
        .from(deliveries)
        .where(and(eq(deliveries.companyId, companyId), sql`${deliveries.webhookId} in ${hookIds}`))
        .groupBy(deliveries.status);
      success = counts.find((c) => c.status === "success")?.n ?? 0;
      failed = counts.find((c) => c.status === "failed")?.n ?? 0;
      if (success + failed >= expected) break;
      await sleep(20);
    }
    const elapsed = wallNow() - t0;
    const measured = meter();
    const cpu = measured.cpuPercent;
    const receipts = await ask<{ count: number; first: number; last: number }>("count");
    const [{ attempts }] = await db
      .select({ attempts: sql<number>`count(*)::int` })
      .from(deliveryAttempts)
      .innerJoin(deliveries, deliveryOfAttempt())
      .where(and(eq(deliveries.companyId, companyId), sql`${deliveries.webhookId} in ${hookIds}`));
    await stopWorker(worker);
    if (pgStats) await topStatements(`delivery ${hookIds.length} webhook(s)`);
    const complete = success >= expected;
    const perDelivery = (ms: number) => Math.round((ms / Math.max(1, success)) * 1000) / 1000;
    return {
      rate: (success / elapsed) * 1000,
      /** CPU ms per delivery over the section (from /proc/<pid>/stat utime + stime). */
      cpuMsPerDelivery: {
        worker: perDelivery(measured.cpuMs.worker),
        postgres: perDelivery(measured.cpuMs.postgres),
      },
      success,
      failed,
      attempts,
      receipts: receipts.count,
      elapsedS: Math.round(elapsed / 100) / 10,
      complete,
      cpuPercent: cpu,
    };
  };

  /** A delivery section's rows: the rate against the combined bare baseline (issue 17: ≥ 50 %), then its CPU per
   * delivery. */
  const deliveryRows = (label: string, figure: string, r: Awaited<ReturnType<typeof deliverBacklog>>) => {
    const baseline = Number.isFinite(combinedRate)
      ? { label: "1 combined bare baseline", value: combinedRate }
      : { label: "1a raw HTTP", value: rawRate };
    rows.push({
      group: "2",
      figure,
      value: r.rate,
      unit: "deliveries/s",
      baseline,
      target: { text: "≥ 50 % of combined", met: r.complete && r.rate >= 0.5 * combinedRate },
      note: r.complete ? undefined : `timed out after ${r.elapsedS}s`,
    });
    rows.push({
      group: "2",
      figure: `CPU per delivery, ${label}: worker / PostgreSQL`,
      value: r.cpuMsPerDelivery.worker * 1000,
      unit: "µs",
      note: `PostgreSQL ${Math.round(r.cpuMsPerDelivery.postgres * 1000)} µs`,
    });
  };

  if (phase("2")) {
    await activate([throughputHook]);
    const meter = cpuMeter({ web: webPid, receiver: receiver.pid });
    const batchedRate = await postBatches("tp", SIZES.throughput);
    const cpu = meter();
    extra.batchedIngestCpu = cpu.cpuPercent;
    const perEvent = (ms: number) => Math.round((ms / SIZES.throughput) * 1000) / 1000;
    const intakeCpu = { web: perEvent(cpu.cpuMs.web), postgres: perEvent(cpu.cpuMs.postgres) };
    extra.batchedIngestCpuMsPerEvent = intakeCpu;
    rows.push({
      group: "3",
      figure: "CPU per event of the batched intake: web / PostgreSQL",
      value: intakeCpu.web * 1000,
      unit: "µs",
      note: `PostgreSQL ${Math.round(intakeCpu.postgres * 1000)} µs`,
    });
    log(
      `3 batched intake: ${Math.round(batchedRate)} events/s (${SIZES.throughput} events, 100/request); CPU % of a core: ${JSON.stringify(cpu.cpuPercent)}`,
    );
    rows.push({
      group: "3",
      figure: "POST /api/v1/events, 100 events/request, 4 at once",
      value: batchedRate,
      unit: "events/s",
      baseline: { label: "ingestEvents() in-process", value: directRate },
      target: { text: "≥ 5,000", met: batchedRate >= 5000 },
    });
    const r = await deliverBacklog([throughputHook], SIZES.throughput);
    log(
      `2 delivery: ${Math.round(r.rate)} deliveries/s — ${r.success} success, ${r.failed} failed, ${r.attempts} attempts logged, ${r.receipts} received, ${r.elapsedS}s${r.complete ? "" : " (TIMED OUT)"}; CPU % of a core: ${JSON.stringify(r.cpuPercent)}; CPU ms per delivery: ${JSON.stringify(r.cpuMsPerDelivery)}`,
    );
    extra.delivery = r;
    deliveryRows("1 webhook", `${SIZES.throughput.toLocaleString("en-US")} accepted events → success, 1 webhook`, r);
    await purge();
  }
  if (phase("2")) {
    await activate(fanHooks);
    await postBatches("fan", SIZES.fanEvents, 2);
    const expected = SIZES.fanEvents * FANOUT;
    const r = await deliverBacklog(fanHooks, expected);
    log(
      `2 fan-out: ${Math.round(r.rate)} deliveries/s — ${r.success}/${expected} success, ${r.attempts} attempts, ${r.elapsedS}s${r.complete ? "" : " (TIMED OUT)"}; CPU % of a core: ${JSON.stringify(r.cpuPercent)}; CPU ms per delivery: ${JSON.stringify(r.cpuMsPerDelivery)}`,
    );
    extra.fanOut = r;
    deliveryRows(
      "fan-out",
      `fan-out ${SIZES.fanEvents.toLocaleString("en-US")} events × ${FANOUT} webhooks → success`,
      r,
    );
    await purge();
  }

  // ------------------------------------------------------------ 4. first-delivery latency
  if (phase("4")) {
    await activate([throughputHook]);
    const worker = await startWorker();
    await ask("reset");
    const meter = cpuMeter({ web: webPid, worker: worker.pid, receiver: receiver.pid });
    const steadyRun = await paced(base, authHeaders, nextId, RATE, SIZES.latencySeconds);
    const acceptedAt = steadyRun.accepted;
    const cpu = meter().cpuPercent;
    const deadline = wallNow() + 15_000;
    while (wallNow() < deadline && (await ask<{ count: number }>("count")).count < acceptedAt.size) await sleep(100);
    const dump = await ask<{ ids: string[]; times: number[] }>("dump");
    const lat: number[] = [];
    let negative = 0;
    dump.ids.forEach((id, i) => {
      const a = acceptedAt.get(id);
      if (a === undefined) return;
      const d = dump.times[i] - a;
      if (d < 0) negative++;
      lat.push(Math.max(0, d));
    });
    await stopWorker(worker);
    const s = latencySummary(lat);
    extra.firstDelivery = {
      ...s,
      accepted: acceptedAt.size,
      received: lat.length,
      beforeThe202: negative,
      apiLatency: steadyRun.latency,
      apiErrors: steadyRun.errors,
      notSent: steadyRun.skipped,
      cpuPercent: cpu,
    };
    log(
      `4 first delivery at ${RATE}/s for ${SIZES.latencySeconds}s: ${lat.length}/${acceptedAt.size} received; p50 ${s.p50} p95 ${s.p95} p99 ${s.p99} max ${s.max} ms (${negative} arrived before the 202)`,
    );
    rows.push({
      group: "4",
      figure: `API 202 → receipt at ${RATE}/s for ${SIZES.latencySeconds}s: p50`,
      value: s.p50,
      unit: "ms",
      baseline: { label: "1b bare job p50", value: bareLatency.p50 },
      target: { text: "< 50", met: s.p50 < 50 },
      note: overload(steadyRun),
    });
    rows.push({
      group: "4",
      figure: "… p95",
      value: s.p95,
      unit: "ms",
      baseline: { label: "1b bare job p95", value: bareLatency.p95 },
    });
    rows.push({
      group: "4",
      figure: "… p99",
      value: s.p99,
      unit: "ms",
      baseline: { label: "1b bare job p99", value: bareLatency.p99 },
      target: { text: "< 100", met: s.p99 < 100 },
    });
    rows.push({
      group: "4",
      figure: "… max",
      value: s.max,
      unit: "ms",
      baseline: { label: "1b bare job max", value: bareLatency.max },
      note: lat.length < acceptedAt.size ? `${acceptedAt.size - lat.length} not received` : undefined,
    });
    await purge();
  }

  // ------------------------------------------------------------ 7. noisy neighbour
  // B (the bench company) posts at NOISY_RATE/s to the fast receiver, first alone, then while another
  // company A is hostile as in tests/reliability/hostile-tenant.test.ts: three webhooks with max
  // concurrency 100 and a 30 s timeout at a receiver that never answers, template bombs (the crash
  // template of issue 12 and a CPU-bound loop), A posting ten times B's rate. Same worker, same run.
  if (phase("7")) {
    const NOISY_RATE = 20;
    const hang = await import("node:http").then((http) => http.createServer(() => {}));
    await new Promise<void>((resolve) => hang.listen(0, "127.0.0.1", resolve));
    const hangUrl = `http://127.0.0.1:${(hang.address() as { port: number }).port}`;
    const a = await signUp.run(
      deps,
      { userId: null },
      {
        name: "Hostile Owner",
        email: `hostile-${randomBytes(4).toString("hex")}@example.test`,
        password: "correct-horse-9",
        companyName: "Hostile Co",
      },
    );
    if (!a.ok) throw new Error(a.error);
    await db.update(companies).set({ dailyCallLimit: 1_000_000_000 }).where(eq(companies.id, a.data.companyId));
    const aKey = await createApiKey.run(
      deps,
      { userId: a.data.userId, companyId: a.data.companyId },
      { name: "hostile" },
    );
    if (!aKey.ok) throw new Error(aKey.error);
    const none = { type: "preset" as const, preset: "none" as const };
    const X = "x".repeat(100);
    const bombs = [
      `{% capture a %}{% for i in (1..1000) %}${X}{% endfor %}{% endcapture %}{% capture b %}{% for i in (1..3000) %}{{a}}{% endfor %}{% endcapture %}{{ b | replace: "x", "y" | size }}`,
      "{% for i in (1..5000) %}{% for j in (1..5000) %}{% endfor %}{% endfor %}done",
    ];
    const aHooks: string[] = [];
    for (let i = 0; i < 3; i++) {
      const input = {
        name: `Hang ${i}`,
        active: true,
        eventType: "contact.created",
        url: `${hangUrl}/hang${i}`,
        maxConcurrency: 100,
        timeoutSeconds: 30,
        retryPolicy: none,
      };
      aHooks.push((await insertWebhook(db, a.data.companyId, a.data.userId, input)).webhook.id);
    }
    for (const [i, template] of bombs.entries()) {
      const input = {
        name: `Bomb ${i}`,
        active: true,
        eventType: "lead.created",
        url: `${hangUrl}/bomb${i}`,
        method: "POST" as const,
        body: { mode: "template" as const, encoding: "text" as const, template },
        retryPolicy: none,
      };
      aHooks.push((await insertWebhook(db, a.data.companyId, a.data.userId, input)).webhook.id);
    }
    await activate([throughputHook]);
    const worker = await startWorker();
    const bRun = async (seconds = SIZES.latencySeconds) => {
      await ask("reset");
      const run = await paced(base, authHeaders, nextId, NOISY_RATE, seconds);
      const deadline = wallNow() + 60_000;
      while (wallNow() < deadline && (await ask<{ count: number }>("count")).count < run.accepted.size)
        await sleep(100);
      const dump = await ask<{ ids: string[]; times: number[] }>("dump");
      const lat = dump.ids.flatMap((id, i) =>
        run.accepted.has(id) ? [Math.max(0, dump.times[i] - run.accepted.get(id)!)] : [],
      );
      return { ...latencySummary(lat), missing: run.accepted.size - lat.length };
    };
    // A warm worker (its connections, the sandbox's processes) for both measurements.
    await bRun(2);
    const alone = await bRun();
    // A: batches of 20 every 100 ms (200 events/s); every fifth batch also sets off the bombs.
    let hostileOn = true;
    let aAccepted = 0;
    const aPool = new Pool(base, { connections: 4 });
    const aHeaders = { authorization: `Bearer ${aKey.data.key}`, "content-type": "application/json" };
    const flood = (async () => {
      for (let i = 0; hostileOn; i++) {
        const due = wallNow() + 100;
        const batch = Array.from({ length: 20 }, (_, j) => ({
          id: `hostile-${i}-${j}`,
          type: j === 0 && i % 5 === 0 ? "lead.created" : "contact.created",
          data: { id: `h${i}-${j}` },
        }));
        const res = await aPool
          .request({ path: "/api/v1/events", method: "POST", headers: aHeaders, body: JSON.stringify(batch) })
          .catch(() => null);
        if (res) {
          await res.body.text();
          if (res.statusCode === 202) aAccepted += batch.length;
        }
        const wait = due - wallNow();
        if (wait > 0) await sleep(wait);
      }
    })();
    // A's hanging requests fill A's share of the worker before B is measured.
    await sleep(3000);
    const beside = await bRun();
    hostileOn = false;
    await flood;
    await aPool.close();
    const [aCounts] = await db.execute<{ failed: number; template_limit: number; in_flight: number }>(sql`
      select count(*) filter (where d.status = 'failed')::int as failed,
             count(*) filter (where d.last_error like 'template_limit:%')::int as template_limit,
             count(*) filter (where d.status = 'dispatched')::int as in_flight
      from ${deliveries} d where d.company_id = ${a.data.companyId}`);
    await stopWorker(worker);
    hang.closeAllConnections();
    await new Promise<void>((resolve) => hang.close(() => resolve()));
    await db.update(webhooks).set({ active: false }).where(eq(webhooks.companyId, a.data.companyId));
    await sender.deleteQueuedJobs(deliverWebhook.name);
    await db.delete(deliveryAttempts).where(eq(deliveryAttempts.companyId, a.data.companyId));
    await db.delete(deliveries).where(eq(deliveries.companyId, a.data.companyId));
    extra.noisyNeighbour = {
      rate: NOISY_RATE,
      alone,
      beside,
      hostile: { accepted: aAccepted, ...aCounts, webhooks: aHooks.length },
    };
    log(
      `7 noisy neighbour: B alone p50 ${alone.p50} p99 ${alone.p99} ms; beside hostile A p50 ${beside.p50} p99 ${beside.p99} ms; A accepted ${aAccepted}, ${JSON.stringify(aCounts)}`,
    );
    const note = (r: typeof alone) => (r.missing ? `${r.missing} not received` : undefined);
    rows.push({
      group: "7",
      figure: `B's first delivery at ${NOISY_RATE}/s beside hostile A: p50`,
      value: beside.p50,
      unit: "ms",
      baseline: { label: "B alone p50", value: alone.p50 },
      note: note(beside),
    });
    rows.push({
      group: "7",
      figure: "… p99",
      value: beside.p99,
      unit: "ms",
      baseline: { label: "B alone p99", value: alone.p99 },
      target: { text: "≤ 2 × alone", met: beside.p99 <= 2 * alone.p99 && !beside.missing },
      note: note(alone),
    });
    await purge();
  }

  // ------------------------------------------------------------ 5. pages
  const cookieName = "authjs.session-token";
  /** A session as sign-in issues it: its own id and the user's session version (checked per request). */
  const sessionToken = () =>
    encode({
      token: { sub: userId, name: "Bench Owner", email: "bench@example.test", sid: randomUUID(), sv: 0 },
      secret: authSecret,
      salt: cookieName,
      maxAge: 3600,
    });
  if (phase("5")) {
    const cookie = `${cookieName}=${await sessionToken()}; hr_company=${companyId}`;
    const timePage = async (pathname: string, n: number) => {
      const times: number[] = [];
      for (let i = 0; i < n + 5; i++) {
        const t0 = performance.now();
        const res = await request(`${base}${pathname}`, { headers: { cookie } });
        const text = await res.body.text();
        const t = performance.now() - t0;
        if (res.statusCode !== 200) throw new Error(`${pathname} answered ${res.statusCode}: ${text.slice(0, 200)}`);
        if (i >= 5) times.push(t); // the first five warm up
      }
      return latencySummary(times);
    };
    const listing = "/webhooks";
    const history = `/webhooks/${historyHook}/history`;
    const before = { listing: await timePage(listing, SIZES.pages), history: await timePage(history, SIZES.pages) };
    log(`5 pages, empty history: listing p95 ${before.listing.p95} ms, history p95 ${before.history.p95} ms`);
    const t0 = wallNow();
    await seedHistory(db, companyId, historyHook, SIZES.history);
    log(`5 seeded ${SIZES.history.toLocaleString("en-US")} deliveries in ${((wallNow() - t0) / 1000).toFixed(1)}s`);
    const after = {
      listing: await timePage(listing, SIZES.pages),
      history: await timePage(history, SIZES.pages),
      historyAll: await timePage(`${history}?period=all`, SIZES.pages),
    };
    extra.pages = { before, after };
    const label = SIZES.history >= 1_000_000 ? "1M" : `${SIZES.history / 1000}k`;
    for (const [name, k, b] of [
      ["/webhooks listing", "listing", "listing"],
      ["history (24 h, default)", "history", "history"],
      ["history (all time)", "historyAll", "history"],
    ] as const) {
      const a = after[k];
      const was = before[b];
      rows.push({
        group: "5",
        figure: `${name} at ${label} deliveries: p50`,
        value: a.p50,
        unit: "ms",
        baseline: { label: "0 deliveries", value: was.p50 },
      });
      rows.push({
        group: "5",
        figure: `${name} at ${label} deliveries: p95`,
        value: a.p95,
        unit: "ms",
        baseline: { label: "0 deliveries", value: was.p95 },
        target: k === "historyAll" ? undefined : { text: "< 150", met: a.p95 < 150 },
      });
      log(`5 ${name}: p50 ${a.p50} ms, p95 ${a.p95} ms (empty: ${was.p95} ms)`);
    }
  }

  // ------------------------------------------------------------ 9. partitioned history at 10M (opt-in)
  // Not part of the default run (nor CI): BENCH_PHASES=9 (BENCH_PARTITION_DELIVERIES to change the 10,000,000).
  if (only?.includes("9")) {
    const cookie = `${cookieName}=${await sessionToken()}; hr_company=${companyId}`;
    const timePage = async (pathname: string, n: number) => {
      const times: number[] = [];
      for (let i = 0; i < n + 5; i++) {
        const t0 = performance.now();
        const res = await request(`${base}${pathname}`, { headers: { cookie } });
        const text = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`${pathname} answered ${res.statusCode}: ${text.slice(0, 200)}`);
        if (i >= 5) times.push(performance.now() - t0);
      }
      return latencySummary(times);
    };
    const total = Number(process.env.BENCH_PARTITION_DELIVERIES ?? 10_000_000);
    const hookId = await hook("Partitioned", `${receiverUrl}/partitioned`);
    const history = `/webhooks/${hookId}/history`;
    const pages = async () => ({
      listing: await timePage("/webhooks", SIZES.pages),
      history: await timePage(history, SIZES.pages),
      historyAll: await timePage(`${history}?period=all`, SIZES.pages),
    });
    const before = await pages();
    log(
      `9 empty: listing p95 ${before.listing.p95} ms, history 24 h ${before.history.p95}, all ${before.historyAll.p95}`,
    );
    const t0 = wallNow();
    const seeded = await seedPartitionedHistory(db, companyId, hookId, total, 30, (m) => log(`9 ${m}`));
    const seedS = (wallNow() - t0) / 1000;
    log(`9 seeded ${seeded.toLocaleString("en-US")} deliveries over 30 days in ${seedS.toFixed(0)} s`);
    const t1 = wallNow();
    await db.execute(sql`vacuum analyze events, deliveries, delivery_attempts`);
    log(`9 vacuum analyze in ${((wallNow() - t1) / 1000).toFixed(0)} s`);
    const after = await pages();
    const label = `${(seeded / 1_000_000).toFixed(seeded % 1_000_000 ? 1 : 0)}M`;
    for (const [name, k] of [
      ["/webhooks listing", "listing"],
      ["history (24 h, default)", "history"],
      ["history (all time)", "historyAll"],
    ] as const) {
      for (const q of ["p50", "p95"] as const)
        rows.push({
          group: "9",
          figure: `${name} at ${label} deliveries (partitioned): ${q}`,
          value: after[k][q],
          unit: "ms",
          baseline: { label: "0 deliveries", value: before[k][q] },
          target: q === "p95" ? { text: "< 150", met: after[k].p95 < 150 } : undefined,
        });
      log(`9 ${name}: p50 ${after[k].p50} ms, p95 ${after[k].p95} ms (empty: ${before[k].p95} ms)`);
    }

    // One day past the company's retention holding 1M deliveries (+ events, attempts for a tenth), then the purge.
    const [{ retention }] = await db.execute<{ retention: number }>(
      sql`select retention_days as retention from companies where id = ${companyId}::uuid`,
    );
    const dayStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()));
    const oldDay = new Date(dayStart.getTime() - (retention + 10) * 86_400_000);
    const dayCount = Math.min(1_000_000, total);
    await seedPartitionedHistory(db, companyId, hookId, dayCount, 1, (m) => log(`9 old day: ${m}`), oldDay);
    await db.execute(sql`vacuum analyze events, deliveries, delivery_attempts`);
    const sizes = async () => {
      await db.execute(sql`select pg_stat_force_next_flush()`);
      const [r] = await db.execute<{ bytes: string; dead: string; parts: number }>(sql`
        select sum(pg_total_relation_size(c.oid))::bigint::text as bytes,
               coalesce(sum(s.n_dead_tup), 0)::bigint::text as dead, count(*)::int as parts
        from pg_inherits i join pg_class c on c.oid = i.inhrelid
        left join pg_stat_user_tables s on s.relid = c.oid
        where i.inhparent in ('events'::regclass, 'deliveries'::regclass, 'delivery_attempts'::regclass)`);
      return { mb: Math.round(Number(r.bytes) / 1048576), deadRows: Number(r.dead), partitions: r.parts };
    };
    const sizeBefore = await sizes();
    const day = oldDay.toISOString().slice(0, 10);
    const t2 = performance.now();
    const purged = await purgeOldData(db, { days: [day], companyIds: [companyId] });
    const purgeMs = performance.now() - t2;
    const sizeAfter = await sizes();
    if (!purged.droppedDays.includes(day))
      throw new Error(`9: the day ${day} was not dropped: ${JSON.stringify(purged)}`);
    log(
      `9 purge of ${day} (${dayCount.toLocaleString("en-US")} deliveries): ${purgeMs.toFixed(0)} ms; ` +
        `${sizeBefore.mb} MB → ${sizeAfter.mb} MB, dead rows ${sizeBefore.deadRows} → ${sizeAfter.deadRows}`,
    );
    rows.push({
      group: "9",
      figure: `purge of one day of ${(dayCount / 1_000_000).toFixed(1)}M deliveries (drop)`,
      value: Math.round(purgeMs),
      unit: "ms",
      target: { text: "< 1000", met: purgeMs < 1000 },
    });
    extra.partitioned = {
      seeded,
      seedS,
      before,
      after,
      purge: { day, deliveries: dayCount, purgeMs, sizeBefore, sizeAfter },
    };
  }

  // ------------------------------------------------------------ 8. first load
  if (phase("8")) {
    const js = firstLoadJs(path.join(ROOT, ".next"));
    const signIn = js.pages.find((p) => p.route === "/sign-in");
    const cold = await coldLoads(base, [
      { path: "/sign-in" },
      { path: "/webhooks", cookies: { [cookieName]: await sessionToken(), hr_company: companyId } },
    ]);
    extra.firstLoad = { ...js, cold };
    rows.push({
      group: "8",
      figure: "first-load JS: framework alone (every page), raw",
      value: js.framework.rawKiB,
      unit: "KiB",
      note: `gzip ${js.framework.gzipKiB} KiB`,
    });
    for (const [name, v] of [
      ["sign-in page", signIn],
      ["app shell (signed-in layout, no page)", js.appShell],
    ] as const) {
      if (!v) continue;
      rows.push({
        group: "8",
        figure: `first-load JS: ${name}, raw`,
        value: v.rawKiB,
        unit: "KiB",
        baseline: { label: "framework", value: js.framework.rawKiB },
        note: `gzip ${v.gzipKiB} KiB; beyond the framework ${Math.round(v.rawKiB - js.framework.rawKiB)} KiB`,
      });
    }
    for (const p of js.pages) {
      rows.push({
        group: "8",
        figure: `first-load JS ${p.route}, raw`,
        value: p.rawKiB,
        unit: "KiB",
        note: `gzip ${p.gzipKiB} KiB`,
      });
    }
    for (const c of cold) {
      rows.push({
        group: "8",
        figure: `cold load ${c.path} (empty cache, to the load event): median of ${c.runs.length - 1}`,
        value: c.median,
        unit: "ms",
        baseline: { label: "first after start", value: c.first },
        note: `${c.scriptKiB} KiB of scripts transferred`,
      });
    }
    log(
      `8 first-load JS: sign-in ${signIn?.rawKiB} KiB (gzip ${signIn?.gzipKiB}), app shell ${js.appShell.rawKiB} KiB ` +
        `(gzip ${js.appShell.gzipKiB}); cold /sign-in ${cold[0]?.median} ms`,
    );
    log(`8 largest chunks: ${js.largestChunks.map((c) => `${c.file} ${c.rawKiB} KiB ×${c.pages}`).join(", ")}`);
  }

  // ------------------------------------------------------------ 6. memory
  {
    const webPeak = rssMb(webPid) ?? NaN;
    const workerPeak = workerPeaks.length ? Math.max(...workerPeaks) : NaN;
    rows.push({
      group: "6",
      figure: "worker process peak RSS (scripts/worker.ts)",
      value: workerPeak,
      unit: "MB",
      target: { text: "< 200", met: workerPeak < 200 },
    });
    rows.push({
      group: "6",
      figure: "web process peak RSS (scripts/web.mjs: Next.js)",
      value: webPeak,
      unit: "MB",
      baseline: { label: "idle after start", value: extra.webIdleRssMb as number },
    });
    extra.memory = { workerPeaksMb: workerPeaks, webPeakMb: webPeak };
  }

  await stopChild(web, 20_000);
  await stopChild(receiver, 5_000);

  const machine = {
    nproc: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
  const totalS = Math.round((wallNow() - started) / 1000);
  const result = {
    when: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    totalSeconds: totalS,
    machine,
    concurrency: CONCURRENCY,
    sizes: SIZES,
    rows,
    details: extra,
  };
  fs.writeFileSync(path.join(RESULTS_DIR, "latest.json"), JSON.stringify(result, null, 2) + "\n");
  fs.writeFileSync(path.join(RESULTS_DIR, quick ? "latest-quick.md" : "latest-full.md"), table(rows) + "\n");
  console.log(
    `\nHookrelay bench (${quick ? "quick" : "full"}), ${new Date().toISOString()}, ${machine.nproc} cores, ${machine.memoryGb} GB, node ${machine.node}, ${totalS}s\n`,
  );
  console.log(table(rows));
  console.log(`\nwritten: ${path.relative(process.cwd(), path.join(RESULTS_DIR, "latest.json"))}`);
}

// ---------------------------------------------------------------- helpers

/**
 * Each page loaded COLD_LOADS times in Debian's Chromium, each time in a new browser context (empty
 * cache, no service worker): the time from navigation start to the end of the load event, and the
 * script bytes the browser received. The first load after the app started is reported apart (the
 * server compiles nothing, but its caches are empty).
 */
async function coldLoads(base: string, pages: { path: string; cookies?: Record<string, string> }[]) {
  const runs = quick ? 6 : 12;
  const browser = await chromium.launch({
    executablePath: appEnv.CHROMIUM_PATH,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  try {
    const out: { path: string; first: number; median: number; runs: number[]; scriptKiB: number }[] = [];
    for (const p of pages) {
      const times: number[] = [];
      let scriptBytes = 0;
      for (let i = 0; i <= runs; i++) {
        const context = await browser.newContext();
        if (p.cookies)
          await context.addCookies(
            Object.entries(p.cookies).map(([name, value]) => ({ name, value, url: base, httpOnly: true })),
          );
        const page = await context.newPage();
        const res = await page.goto(`${base}${p.path}`, { waitUntil: "load" });
        if (!res?.ok() || new URL(page.url()).pathname !== p.path)
          throw new Error(`${p.path}: answered ${res?.status()} at ${page.url()}`);
        const m = await page.evaluate(() => {
          const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
          const scripts = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).filter(
            (r) => r.initiatorType === "script",
          );
          return { load: nav.loadEventEnd - nav.startTime, bytes: scripts.reduce((n, r) => n + r.transferSize, 0) };
        });
        times.push(Math.round(m.load * 10) / 10);
        scriptBytes = m.bytes;
        await context.close();
      }
      const [first, ...rest] = times;
      out.push({
        path: p.path,
        first: first!,
        median: latencySummary(rest).p50,
        runs: times,
        scriptKiB: Math.round(scriptBytes / 102.4) / 10,
      });
    }
    return out;
  } finally {
    await browser.close();
  }
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = wallNow() + timeoutMs;
  while (wallNow() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited early (${child.exitCode}); see bench/results/web.log`);
    try {
      const res = await request(url);
      await res.body.text();
      if (res.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`the app did not answer ${url} within ${timeoutMs / 1000}s`);
}

/** The process that serves HTTP: the deepest `next` process below scripts/start.ts. */
function findWebServer(startPid: number): number {
  const below = descendants(startPid).filter((p) => /next|web\.mjs/.test(commandOf(p)));
  return below[below.length - 1] ?? startPid;
}

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** A note for a steady-rate figure whose server could not keep up. */
function overload(run: { errors: number; skipped: number }): string | undefined {
  const parts = [
    run.errors ? `${run.errors} errors` : "",
    run.skipped ? `${run.skipped} not sent (the server was 2 s behind)` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : undefined;
}

/**
 * Single-event POSTs at a fixed rate, open loop: request i leaves at t0 + i/rate whatever the
 * earlier ones are doing, so a slow server cannot slow the load down (autocannon's overallRate
 * did not hold 200/s here). Latency counts from the scheduled send; `accepted` maps each 202's
 * event id to when the 202 arrived.
 */
async function paced(
  base: string,
  headers: Record<string, string>,
  nextId: (p: string) => string,
  rate: number,
  seconds: number,
) {
  const pool = new Pool(base, { connections: 64, pipelining: 1 });
  const latencies: number[] = [];
  const accepted = new Map<string, number>();
  let errors = 0;
  let active = 0;
  let skipped = 0;
  const inflight: Promise<void>[] = [];
  const total = Math.round(rate * seconds);
  const t0 = wallNow() + 20;
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - wallNow();
    if (wait > 1) await sleep(wait);
    // A server two seconds behind is over capacity: what it cannot take is not sent (and counted),
    // so the section still ends on time.
    if (active > rate * 2) {
      skipped++;
      continue;
    }
    active++;
    const id = nextId("steady");
    inflight.push(
      pool
        .request({ path: "/api/v1/events", method: "POST", headers, body: JSON.stringify(eventBody(id, i)) })
        .then(async (res) => {
          await res.body.text();
          const end = wallNow();
          latencies.push(end - due);
          if (res.statusCode === 202) accepted.set(id, end);
          else errors++;
        })
        .catch(() => {
          errors++;
        })
        .finally(() => active--),
    );
  }
  await Promise.all(inflight);
  await pool.close();
  return { latency: latencySummary(latencies), accepted, errors, skipped };
}

/** autocannon options for single-event POSTs, each with a new event id. */
function singleEvents(
  base: string,
  headers: Record<string, string>,
  nextId: (p: string) => string,
  duration: number,
  connections: number,
): autocannon.Options {
  let i = 0;
  return {
    url: `${base}/api/v1/events`,
    connections,
    duration,
    requests: [
      {
        method: "POST",
        headers,
        setupRequest: (req) => ({ ...req, body: JSON.stringify(eventBody(nextId("single"), ++i)) }),
      },
    ],
  };
}

/** `n` events and one delivery each for one webhook, spread over the last 30 days, in bulk SQL (chunks of 100k). */
async function seedHistory(db: ReturnType<typeof createDb>["db"], companyId: string, webhookId: string, n: number) {
  const chunk = 100_000;
  const spanMs = 30 * 86_400_000;
  // The days' partitions first (a fresh database has today onwards): rows of a day without one would wait in DEFAULT.
  await db.execute(
    sql`select hookrelay_ensure_partitions((now() at time zone 'UTC')::date - 31, (now() at time zone 'UTC')::date)`,
  );
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk) - 1;
    await db.execute(sql`
      with e as (
        insert into events (id, company_id, external_id, type, record_id, occurred_at, data, created_at)
        select hookrelay_uuid_v7(t), ${companyId}::uuid, 'seed-' || g, 'deal.updated', 'd_' || g, t,
               jsonb_build_object('id', 'd_' || g, 'name', 'Deal ' || g, 'stage', 'Won', 'amount', g % 100000), t
        from generate_series(${from}::int, ${to}::int) g,
          lateral (select now() - (g * ${spanMs / n}::float8 * interval '1 millisecond') as t) ts
        returning id, created_at
      )
      insert into deliveries (id, company_id, webhook_id, event_id, status, attempts, last_status_code, last_duration_ms, last_error, completed_at, created_at)
      select hookrelay_uuid_v7(e.created_at), ${companyId}::uuid, ${webhookId}::uuid, e.id,
             case when r < 0.9 then 'success' when r < 0.97 then 'failed' else 'skipped' end,
             case when r < 0.9 then 1 else 9 end,
             case when r < 0.9 then 200 when r < 0.97 then 500 else null end,
             12 + (r * 200)::int,
             case when r >= 0.9 and r < 0.97 then 'http_status: The receiver answered HTTP 500' else null end,
             e.created_at + interval '40 milliseconds', e.created_at
      from (select e.*, random() as r from e) e`);
  }
  await db.execute(sql`analyze events`);
  await db.execute(sql`analyze deliveries`);
}

/**
 * `n` deliveries for one webhook spread evenly over `days` UTC days ending today (or the one day `day`), each with
 * its event, a tenth of them with an attempt, in bulk SQL: one INSERT … SELECT generate_series per chunk of a day,
 * ids made by hookrelay_uuid_v7 from each row's created_at. Returns how many it made.
 */
async function seedPartitionedHistory(
  db: ReturnType<typeof createDb>["db"],
  companyId: string,
  webhookId: string,
  n: number,
  days: number,
  progress: (m: string) => void,
  day?: Date,
) {
  const DAY = 86_400_000;
  const today = new Date();
  const first =
    day ?? new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - (days - 1) * DAY);
  await db.execute(
    sql`select hookrelay_ensure_partitions(${first.toISOString()}::date, ${new Date(first.getTime() + (days - 1) * DAY).toISOString()}::date)`,
  );
  const perDay = Math.ceil(n / days);
  const chunk = 250_000;
  let made = 0;
  for (let d = 0; d < days && made < n; d++) {
    const start = first.getTime() + d * DAY;
    // Today only up to now (nothing in the future).
    const span = Math.min(DAY, today.getTime() - start - 60_000);
    const count = Math.min(perDay, n - made);
    for (let from = 0; from < count; from += chunk) {
      const to = Math.min(count, from + chunk) - 1;
      await db.execute(sql`
        with e as (
          insert into events (id, company_id, external_id, type, record_id, occurred_at, data, created_at)
          select hookrelay_uuid_v7(ts.t), ${companyId}::uuid, 'p' || ${d} || '-' || g, 'deal.updated', 'd_' || g, ts.t,
                 jsonb_build_object('id', 'd_' || g, 'name', 'Deal ' || g, 'stage', 'Won', 'amount', g % 100000), ts.t
          from generate_series(${from}::int, ${to}::int) g,
            lateral (select ${new Date(start).toISOString()}::timestamptz + (g * ${span / count}::float8 * interval '1 millisecond') as t) ts
          returning id, created_at
        ), d as (
          insert into deliveries (id, company_id, webhook_id, event_id, status, attempts, last_status_code, last_duration_ms, last_error, completed_at, created_at)
          select hookrelay_uuid_v7(e.created_at), ${companyId}::uuid, ${webhookId}::uuid, e.id,
                 case when r < 0.9 then 'success' when r < 0.97 then 'failed' else 'skipped' end,
                 case when r < 0.9 then 1 else 9 end,
                 case when r < 0.9 then 200 when r < 0.97 then 500 else null end,
                 12 + (r * 200)::int,
                 case when r >= 0.9 and r < 0.97 then 'http_status: The receiver answered HTTP 500' else null end,
                 e.created_at + interval '40 milliseconds', e.created_at
          from (select e.*, random() as r from e) e
          returning id, created_at, status
        )
        insert into delivery_attempts (delivery_id, delivery_created_at, company_id, webhook_id, attempt_number, request_method,
          request_url, request_headers, request_body, response_status, duration_ms, error_kind, error_message, created_at)
        select d.id, d.created_at, ${companyId}::uuid, ${webhookId}::uuid, 1, 'POST', 'http://127.0.0.1/partitioned',
               '{"content-type": "application/json"}'::jsonb, '{"id": "d"}', 500, 30, 'http_status', 'The receiver answered HTTP 500',
               d.created_at + interval '30 milliseconds'
        from d where d.status = 'failed' or random() < 0.03`);
      made += to - from + 1;
    }
    if (d % 5 === 4 || d === days - 1) progress(`${made.toLocaleString("en-US")} deliveries seeded`);
  }
  return made;
}

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n[bench] ${signal}: stopping everything it started…`);
    void cleanupAll().then(() => process.exit(130));
  });
}

main()
  .then(async () => {
    await cleanupAll();
    process.exit(0);
  })
  .catch(async (err) => {
    console.error("[bench] failed:", err);
    await cleanupAll();
    process.exit(1);
  });
