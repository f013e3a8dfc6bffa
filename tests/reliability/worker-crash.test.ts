import { afterAll, beforeAll, expect, it } from "vitest";
import { ingestEvents } from "@/lib/events/ingest";
import { startReceiver } from "@/tests/receiver";
import {
  processEnv,
  report,
  setUp,
  spawnWorker,
  startOwnDatabase,
  statusCounts,
  waitFor,
  type WorkerProcess,
} from "./harness";

/**
 * Issue 7.1: 10,000 events; the worker is killed with SIGKILL twice while delivering and
 * restarted. Every webhook-id reaches the receiver (duplicates allowed and counted), and no
 * delivery is left dispatched: the dead worker's jobs expire and run again within a minute.
 */
const EVENTS = 10_000;

let database: Awaited<ReturnType<typeof startOwnDatabase>>;
let ctx: Awaited<ReturnType<typeof setUp>>;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  database = await startOwnDatabase();
  ctx = await setUp(database.url);
}, 120_000);

afterAll(async () => {
  for (const w of workers) await w.stop().catch(() => {});
  await ctx?.close();
  await database?.destroy();
});

it("delivers every event despite two kill -9 of the worker", async () => {
  const receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
  try {
    await ctx.webhook({ url: `${receiver.url}/crm`, maxConcurrency: 50 });
    const env = processEnv(database.url, ctx.secretKey);
    const start = () => {
      const w = spawnWorker(env, `worker-${workers.length + 1}`);
      workers.push(w);
      return w;
    };
    let worker = start();
    await worker.ready();
    const t0 = Date.now();

    for (let i = 0; i < EVENTS; i += 100) {
      const batch = Array.from({ length: Math.min(100, EVENTS - i) }, (_, j) => ({
        id: `crash-${i + j}`,
        type: "contact.created",
        data: { id: `c_${i + j}` },
      }));
      await ingestEvents(ctx.db, ctx.boss, ctx.companyId, ctx.apiKeyId, batch);
    }
    const unique = () => new Set(receiver.received.map((r) => r.headers["webhook-id"])).size;
    const progress = setInterval(async () => {
      console.log(
        `[worker-crash] ${((Date.now() - t0) / 1000).toFixed(0)}s received ${receiver.received.length} unique ${unique()} ${JSON.stringify(await statusCounts(ctx.db, ctx.companyId).catch(() => ({})))}`,
      );
    }, 5000);

    const kills: { at: number; received: number }[] = [];
    for (const threshold of [2_000, 6_000]) {
      await waitFor(`${threshold} deliveries`, async () => unique() >= threshold, 120_000, 20);
      kills.push({ at: Date.now(), received: unique() });
      await worker.kill9();
      worker = start();
      await worker.ready();
    }
    const restartedAt = Date.now();
    await waitFor(
      "all deliveries to succeed",
      async () => {
        const counts = await statusCounts(ctx.db, ctx.companyId);
        return unique() === EVENTS && counts.success === EVENTS ? counts : null;
      },
      240_000,
      500,
    );
    clearInterval(progress);
    const counts = await statusCounts(ctx.db, ctx.companyId);
    expect(counts).toEqual({ success: EVENTS });
    const ids = new Set(receiver.received.map((r) => r.headers["webhook-id"]));
    expect(ids.size).toBe(EVENTS);
    const duplicates = receiver.received.length - EVENTS;
    report("worker-crash", {
      events: EVENTS,
      kills: kills.map((k) => k.received),
      requestsReceived: receiver.received.length,
      duplicates,
      secondsFromLastRestartToAllDelivered: Math.round((Date.now() - restartedAt) / 100) / 10,
    });
  } finally {
    await receiver.close();
  }
}, 420_000);
