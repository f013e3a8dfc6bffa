import { afterAll, beforeAll, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { deliveries, deliveryAttempts } from "@/db/schema";
import { ingestEvents } from "@/lib/events/ingest";
import { startReceiver } from "@/tests/receiver";
import { processEnv, report, setUp, spawnWorker, startOwnDatabase, waitFor, type WorkerProcess } from "./harness";

/**
 * Issue 7.3: receivers that fail half the time, hang, answer slowly, drop the connection, send a
 * huge body or redirect. Every delivery ends in success within its policy or failed with the right
 * error kind; bodies are capped; and a fast receiver's deliveries are not held up by the bad ones.
 */
let database: Awaited<ReturnType<typeof startOwnDatabase>>;
let ctx: Awaited<ReturnType<typeof setUp>>;
let worker: WorkerProcess | null = null;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  database = await startOwnDatabase();
  ctx = await setUp(database.url);
  worker = spawnWorker(processEnv(database.url, ctx.secretKey));
  await worker.ready();
}, 120_000);

afterAll(async () => {
  for (const close of closers) await close().catch(() => {});
  await worker?.stop().catch(() => {});
  await ctx?.close();
  await database?.destroy();
});

async function receiver(respond: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(respond);
  closers.push(() => r.close());
  return r;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function outcomes(webhookId: string) {
  return ctx.db
    .select({
      status: deliveries.status,
      attempts: deliveries.attempts,
      errorKind: deliveryAttempts.errorKind,
      responseStatus: deliveryAttempts.responseStatus,
      bodyLength: deliveryAttempts.responseBody,
    })
    .from(deliveries)
    .leftJoin(deliveryAttempts, eq(deliveryAttempts.deliveryId, deliveries.id))
    .where(and(eq(deliveries.webhookId, webhookId), eq(deliveries.companyId, ctx.companyId)));
}

it("ends every delivery right, caps bodies, and keeps a fast receiver fast among bad ones", async () => {
  const sentAt = new Map<string, number>();
  const fast = await receiver(() => ({ status: 200, body: "ok" }));
  const fastWebhook = await ctx.webhook({ name: "fast", eventType: "contact.created", url: `${fast.url}/fast` });
  const latency = () => fast.received.map((r) => r.at - (sentAt.get(JSON.parse(r.body).id as string) ?? r.at));

  async function send(prefix: string, n: number) {
    for (let i = 0; i < n; i++) {
      const id = `${prefix}-${i}`;
      sentAt.set(id, Date.now());
      await ingestEvents(ctx.db, ctx.boss, ctx.companyId, ctx.apiKeyId, [
        { id, type: "contact.created", data: { id } },
      ]);
    }
  }

  // Alone: the fast receiver's latency from accepted to received.
  await send("alone", 20);
  await fast.waitFor(20);
  const alone = latency();

  // The bad receivers: each event from now on fans out to all of them and to the fast one.
  const flaky = await receiver(() =>
    Math.random() < 0.5 ? { status: 500, body: "flaky" } : { status: 200, body: "ok" },
  );
  const hang = await receiver(() => "hang");
  const slow = await receiver(() => ({ status: 200, body: "slow", delayMs: 2000 }));
  const drop = await receiver(() => "destroy");
  const huge = await receiver(() => ({ status: 200, body: "x".repeat(5 * 1024 * 1024) }));
  const target = await receiver(() => ({ status: 200, body: "redirect target" }));
  const redirect = await receiver(() => ({ status: 302, headers: { location: `${target.url}/elsewhere` } }));
  const none = { type: "preset" as const, preset: "none" as const };
  const hooks = {
    flaky: await ctx.webhook({
      name: "flaky",
      url: `${flaky.url}/f`,
      retryPolicy: { type: "custom", delays: Array.from({ length: 15 }, () => 1) },
    }),
    hang: await ctx.webhook({ name: "hang", url: `${hang.url}/h`, timeoutSeconds: 2, retryPolicy: none }),
    slow: await ctx.webhook({ name: "slow", url: `${slow.url}/s`, timeoutSeconds: 5, retryPolicy: none }),
    drop: await ctx.webhook({ name: "drop", url: `${drop.url}/d`, retryPolicy: none }),
    huge: await ctx.webhook({ name: "huge", url: `${huge.url}/x`, retryPolicy: none }),
    redirect: await ctx.webhook({ name: "redirect", url: `${redirect.url}/r`, retryPolicy: none }),
  };

  await send("mixed", 20);
  await fast.waitFor(40);
  const mixed = latency().slice(20);

  let lastState: Record<string, string> = {};
  const progress = setInterval(
    () => console.log(`[faulty-receivers] ${JSON.stringify(lastState)} fast ${fast.received.length}`),
    5000,
  );
  await waitFor(
    "every delivery to end",
    async () => {
      const state: Record<string, string> = {};
      for (const [name, hook] of Object.entries(hooks)) {
        const rows = await ctx.db
          .select({ status: deliveries.status })
          .from(deliveries)
          .where(eq(deliveries.webhookId, hook.id));
        state[name] =
          `${rows.length}:${rows.filter((r) => r.status === "queued" || r.status === "dispatched").length} open`;
      }
      lastState = state;
      return Object.values(state).every((v) => v === "20:0 open");
    },
    180_000,
    500,
  ).finally(() => clearInterval(progress));

  const flakyRows = await ctx.db
    .select({ status: deliveries.status, attempts: deliveries.attempts })
    .from(deliveries)
    .where(eq(deliveries.webhookId, hooks.flaky.id));
  expect(flakyRows.every((r) => r.status === "success")).toBe(true);
  const kinds = async (hook: { id: string }) => [
    ...new Set((await outcomes(hook.id)).map((o) => `${o.status}:${o.errorKind ?? o.responseStatus}`)),
  ];
  expect(await kinds(hooks.hang)).toEqual(["failed:timeout"]);
  expect(await kinds(hooks.slow)).toEqual(["success:200"]);
  expect(await kinds(hooks.drop)).toEqual(["failed:connection_reset"]);
  expect(await kinds(hooks.redirect)).toEqual(["failed:http_status"]);
  expect((await outcomes(hooks.redirect.id)).every((o) => o.responseStatus === 302)).toBe(true);
  expect(target.received).toHaveLength(0);
  const hugeRows = await outcomes(hooks.huge.id);
  expect(hugeRows.every((o) => o.status === "success" && (o.bodyLength?.length ?? 0) <= 64 * 1024)).toBe(true);

  // The fast receiver did not wait behind the slow (2 s) or hanging (2 s timeout) ones.
  const figures = {
    fastAloneP50Ms: percentile(alone, 50),
    fastAloneMaxMs: Math.max(...alone),
    fastAmongBadP50Ms: percentile(mixed, 50),
    fastAmongBadP95Ms: percentile(mixed, 95),
    fastAmongBadMaxMs: Math.max(...mixed),
    flakyAttemptsPerDelivery: Math.round((flakyRows.reduce((a, r) => a + r.attempts, 0) / flakyRows.length) * 10) / 10,
  };
  report("faulty-receivers", figures);
  expect(figures.fastAmongBadP95Ms).toBeLessThan(2000);
  expect(
    (
      await ctx.db
        .select({ status: deliveries.status })
        .from(deliveries)
        .where(eq(deliveries.webhookId, fastWebhook.id))
    ).every((r) => r.status === "success"),
  ).toBe(true);
}, 300_000);
