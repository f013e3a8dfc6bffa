import { afterAll, beforeAll, expect, it } from "vitest";
import { POST } from "@/app/api/v1/events/route";
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
 * Issue 7.2: PostgreSQL stops in the middle of a run and comes back. The events API (its route
 * handler, with the web process's pool) answers 503 with a JSON error while it is down — never a
 * stack trace — and both it and the worker process reconnect by themselves; every event accepted
 * before or after is delivered.
 */
let database: Awaited<ReturnType<typeof startOwnDatabase>>;
let ctx: Awaited<ReturnType<typeof setUp>>;
let worker: WorkerProcess | null = null;

beforeAll(async () => {
  database = await startOwnDatabase();
  ctx = await setUp(database.url);
}, 120_000);

afterAll(async () => {
  await worker?.stop().catch(() => {});
  await ctx?.close();
  await database?.destroy();
});

function post(events: unknown) {
  return POST(
    new Request("http://127.0.0.1/api/v1/events", {
      method: "POST",
      headers: { authorization: `Bearer ${ctx.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(events),
    }),
  );
}

const batch = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    type: "contact.created",
    data: { id: `${prefix}_${i}` },
  }));

it("answers 503 during an outage, reconnects, and delivers everything accepted", async () => {
  const receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
  try {
    await ctx.webhook({ url: `${receiver.url}/outage` });
    worker = spawnWorker(processEnv(database.url, ctx.secretKey));
    await worker.ready();

    const before = await post(batch("before", 50));
    expect(before.status).toBe(202);
    await receiver.waitFor(50);

    await database.stopServer();
    const downAt = Date.now();
    const during = await post(batch("during", 10));
    const body = await during.text();
    expect(during.status).toBe(503);
    expect(JSON.parse(body)).toMatchObject({ error: { code: "unavailable" } });
    expect(during.headers.get("retry-after")).toBeTruthy();
    expect(body).not.toMatch(/\bat \S+ \(|node_modules|Error:/);

    // Accepted while the database was down? Nothing: it was refused, and the sender retries later.
    await database.startServer();
    const upAt = Date.now();
    const webBack = await waitFor(
      "the events API to accept again",
      async () => {
        const r = await post(batch(`after-${Date.now()}`, 1));
        return r.status === 202 ? Date.now() : null;
      },
      60_000,
      250,
    );
    const after = await post(batch("after", 50));
    expect(after.status).toBe(202);

    // The worker process reconnects by itself: everything accepted is delivered.
    await waitFor(
      "all accepted events to be delivered",
      async () => {
        const counts = await statusCounts(ctx.db, ctx.companyId).catch(() => null);
        return counts && counts.success === 101 && Object.keys(counts).length === 1 ? counts : null;
      },
      120_000,
      500,
    );
    const deliveredAt = Date.now();
    const ids = new Set(receiver.received.map((r) => JSON.parse(r.body).id as string));
    for (const e of [...batch("before", 50), ...batch("after", 50)]) expect(ids.has(e.id)).toBe(true);
    expect(ids.has("during-0")).toBe(false);
    report("database-outage", {
      outageSeconds: Math.round((upAt - downAt) / 100) / 10,
      apiBackSecondsAfterRestart: Math.round((webBack - upAt) / 100) / 10,
      allDeliveredSecondsAfterRestart: Math.round((deliveredAt - upAt) / 100) / 10,
      duplicates: receiver.received.length - 101,
    });
  } finally {
    await receiver.close();
  }
}, 300_000);
