import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { and, eq, inArray } from "drizzle-orm";
import { freePort } from "@/db/embedded";
import { companies, deliveries, deliveryAttempts } from "@/db/schema";
import { createApiKey } from "@/lib/actions/api-keys";
import { insertWebhook } from "@/lib/webhooks";
import { makeCompany } from "@/tests/helpers";
import { startReceiver } from "@/tests/receiver";
import { processEnv, report, setUp, spawnWorker, startOwnDatabase, waitFor, type WorkerProcess } from "./harness";

/**
 * Issue 12: one company plays the hostile tenant against the real web server (next start, under its
 * supervisor) and a real worker process. Company A saves template bombs through the API (refused,
 * 422 naming the field), has bombs delivered (templates saved before the check, and one that passes
 * the check on the sample record and explodes on the event's data), points three webhooks with max
 * concurrency 100 and a 30 s timeout at a receiver that never answers, and posts at its rate limit.
 * Company B posts 5 events/s to a fast receiver throughout. Asserts: the web server and the worker
 * never exit; every A delivery ends with a clear error kind; every B event is delivered; B's
 * first-delivery p95 stays within a few seconds (and is reported beside B alone).
 */
const ROOT = path.resolve(import.meta.dirname, "..", "..");
const RATE_LIMIT = 40;
const X = "x".repeat(100);
const capture = `{% capture a %}{% for i in (1..1000) %}${X}{% endfor %}{% endcapture %}{% capture b %}{% for i in (1..3000) %}{{a}}{% endfor %}{% endcapture %}`;
/** The crash template of the issue and variants of its class. */
const BOMBS: Record<string, string> = {
  replace: `${capture}{{ b | replace: "x", "y" | size }}`,
  split: `${capture}{{ b | split: "x" | size }}`,
  upcase: `${capture}{{ b | upcase | size }}`,
  printed: `${capture}{{ b }}`,
  nestedLoops: "{% for i in (1..5000) %}{% for j in (1..5000) %}{% endfor %}{% endfor %}done",
  hugeRange: "{% for i in (1..100000000) %}x{% endfor %}",
  doubling: '{% assign s = "xx" %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}',
  nestedCaptures: `{% capture c1 %}${X}${X}{% endcapture %}{% capture c2 %}{% for i in (1..2000) %}{{c1}}{% endfor %}{% endcapture %}{% capture c3 %}{% for i in (1..2000) %}{{c2}}{% endfor %}{% endcapture %}{% capture c4 %}{% for i in (1..2000) %}{{c3}}{% endfor %}{% endcapture %}{{ c4 | downcase | size }}`,
};
/** Passes the save check (the sample record has no `n`), explodes on an event that carries one. */
const DATA_BOMB = "{% for i in (1..data.n) %}{{ data.blob }}{% endfor %}";

let database: Awaited<ReturnType<typeof startOwnDatabase>>;
let ctx: Awaited<ReturnType<typeof setUp>>;
let worker: WorkerProcess | null = null;
let app: ChildProcess | null = null;
let appOutput = "";
let baseUrl = "";
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  database = await startOwnDatabase();
  ctx = await setUp(database.url);
  const env = { ...processEnv(database.url, ctx.secretKey), EVENTS_RATE_LIMIT: String(RATE_LIMIT) };
  worker = spawnWorker(env);
  await worker.ready();
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  // The production web server as `npm start` runs it (its supervisor, --no-workers: the worker above).
  app = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", "start.ts"), "--no-workers"], {
    cwd: ROOT,
    env: { ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  app.stdout?.on("data", (c) => (appOutput += c));
  app.stderr?.on("data", (c) => (appOutput += c));
  await waitFor(
    "the web server",
    async () => {
      try {
        return (await fetch(`${baseUrl}/api/health`)).ok;
      } catch {
        return false;
      }
    },
    240_000,
    250,
  );
}, 300_000);

afterAll(async () => {
  for (const close of closers) await close().catch(() => {});
  if (app && app.exitCode === null) {
    const exited = new Promise((resolve) => app!.once("exit", resolve));
    app.kill("SIGTERM");
    await exited;
  }
  await worker?.stop().catch(() => {});
  await ctx?.close();
  await database?.destroy();
});

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function api(key: string) {
  return async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: res.status,
      json: (await res.json().catch(() => null)) as Record<string, unknown> & {
        error?: { field?: string; message?: string };
      },
    };
  };
}

it("a hostile company crashes nothing and does not hold up another company's deliveries", async () => {
  const webPid = Number(/\[hookrelay\] web started \(pid (\d+)\)/.exec(appOutput)?.[1]);
  expect(webPid).toBeGreaterThan(0);
  const deps = { db: ctx.db, boss: async () => ctx.boss };
  const hostile = await makeCompany(deps, "Hostile Co");
  await ctx.db.update(companies).set({ dailyCallLimit: 100_000_000 }).where(eq(companies.id, hostile.companyId));
  const key = await createApiKey.run(deps, hostile.owner, { name: "hostile" });
  if (!key.ok) throw new Error(key.error);
  const asA = api(key.data.key);
  const asB = api(ctx.apiKey);

  const fast = await startReceiver(() => ({ status: 200, body: "ok" }));
  const hang = await startReceiver(() => "hang");
  const sink = await startReceiver(() => ({ status: 200, body: "ok" }));
  closers.push(
    () => fast.close(),
    () => hang.close(),
    () => sink.close(),
  );
  const none = { type: "preset" as const, preset: "none" as const };

  // 1. Saving the bombs through the API: each refused with the field named, the web server unharmed.
  for (const [name, template] of Object.entries(BOMBS)) {
    const res = await asA("POST", "/api/v1/webhooks", {
      name: `Bomb ${name}`,
      eventType: "deal.updated",
      url: `${sink.url}/${name}`,
      method: "POST",
      body: { mode: "template", encoding: "text", template },
    });
    expect(res.status, name).toBe(422);
    expect(res.json.error?.field, name).toBe("body.template");
    expect(res.json.error?.message, name).toMatch(
      /^body\.template: Template: The template (prints|builds|renders|uses|takes)|^body\.template: Template: .*limit/,
    );
  }
  const dataBomb = await asA("POST", "/api/v1/webhooks", {
    name: "Data bomb",
    active: true,
    eventType: "deal.updated",
    url: `${sink.url}/data`,
    method: "POST",
    body: { mode: "template", encoding: "text", template: DATA_BOMB },
    retryPolicy: none,
  });
  expect(dataBomb.status).toBe(201);
  // Bombs saved before the check existed, delivered as they are.
  const bombHooks: string[] = [(dataBomb.json.webhook as { id: string }).id];
  for (const [name, template] of Object.entries(BOMBS)) {
    const { webhook } = await insertWebhook(ctx.db, hostile.companyId, null, {
      name: `Old bomb ${name}`,
      active: true,
      eventType: "deal.updated",
      url: `${sink.url}/${name}`,
      method: "POST",
      body: { mode: "template", encoding: "text", template },
      retryPolicy: none,
    });
    bombHooks.push(webhook.id);
  }
  const hangHooks: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await asA("POST", "/api/v1/webhooks", {
      name: `Hang ${i}`,
      active: true,
      eventType: "contact.created",
      url: `${hang.url}/hang${i}`,
      maxConcurrency: 100,
      timeoutSeconds: 30,
      retryPolicy: none,
    });
    expect(res.status).toBe(201);
    hangHooks.push((res.json.webhook as { id: string }).id);
  }
  const bHook = await ctx.webhook({
    name: "B fast",
    eventType: "contact.created",
    url: `${fast.url}/b`,
    method: "POST",
    body: { mode: "template", encoding: "json", template: '{"id":"{{event.id}}","name":"{{data.name}}"}' },
  });

  // 2. B alone, then B beside A.
  const sentAt = new Map<string, number>();
  const latencyOf = (ids: string[]) => {
    const at = new Map(fast.received.map((r) => [JSON.parse(r.body).id as string, r.at]));
    return ids.map((id) => (at.get(id) ?? NaN) - sentAt.get(id)!);
  };
  async function postB(prefix: string, seconds: number): Promise<string[]> {
    const ids: string[] = [];
    const t0 = Date.now();
    for (let i = 0; i < seconds * 5; i++) {
      const wait = t0 + i * 200 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const id = `${prefix}-${i}`;
      sentAt.set(id, Date.now());
      const res = await asB("POST", "/api/v1/events", { id, type: "contact.created", data: { id, name: `B ${i}` } });
      expect(res.status).toBe(202);
      ids.push(id);
    }
    return ids;
  }
  const aloneIds = await postB("alone", 6);
  await fast.waitFor(aloneIds.length);

  let aAccepted = 0;
  let aRefused = 0;
  let aBombEvents = 0;
  async function postA(seconds: number) {
    // Past its rate limit (50/s against 40): requests of 10 every 200 ms, some refused with 429; the
    // first event of every fourth request triggers the bombs.
    const t0 = Date.now();
    for (let i = 0; i < seconds * 5; i++) {
      const wait = t0 + i * 200 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const batch = Array.from({ length: 10 }, (_, j) => ({
        id: `a-${i}-${j}`,
        type: "contact.created",
        data: { id: `a-${i}-${j}` },
      }));
      if (i % 4 === 0)
        batch[0] = {
          id: `a-bomb-${i}`,
          type: "deal.updated",
          data: { id: `a-bomb-${i}`, n: 100000, blob: "y".repeat(2000) },
        } as (typeof batch)[number];
      const res = await asA("POST", "/api/v1/events", batch);
      if (res.status === 202) {
        aAccepted += batch.length;
        if (i % 4 === 0) aBombEvents++;
      } else {
        expect(res.status).toBe(429);
        aRefused += batch.length;
      }
    }
  }
  const [hostileIds] = await Promise.all([postB("hostile", 15), postA(15)]);
  await waitFor(
    "every B event delivered",
    async () => fast.received.length >= aloneIds.length + hostileIds.length,
    120_000,
    100,
  );
  const alone = latencyOf(aloneIds);
  const beside = latencyOf(hostileIds);

  // 3. Every A delivery ends with a clear error kind. A's own hanging receivers hold A's share of the
  // worker (its bombs queue behind them, A's problem alone) until that receiver goes away.
  expect(hang.received.length).toBeGreaterThan(0);
  await hang.close();
  const outcomesOf = (hooks: string[]) =>
    ctx.db
      .select({ status: deliveries.status, errorKind: deliveryAttempts.errorKind })
      .from(deliveries)
      .leftJoin(deliveryAttempts, eq(deliveryAttempts.deliveryId, deliveries.id))
      .where(and(eq(deliveries.companyId, hostile.companyId), inArray(deliveries.webhookId, hooks)));
  const [bombOutcomes, hangOutcomes] = await waitFor(
    "every A delivery to end",
    async () => {
      const [bombs, hanging] = [await outcomesOf(bombHooks), await outcomesOf(hangHooks)];
      const done = (rows: { status: string }[], n: number) =>
        rows.length === n && rows.every((r) => r.status === "failed");
      return done(bombs, aBombEvents * bombHooks.length) && done(hanging, (aAccepted - aBombEvents) * hangHooks.length)
        ? [bombs, hanging]
        : null;
    },
    240_000,
    1000,
  );
  expect(new Set(bombOutcomes.map((r) => r.errorKind))).toEqual(new Set(["template_limit"]));
  for (const r of hangOutcomes) expect(["timeout", "connection_reset", "connection_refused"]).toContain(r.errorKind);

  // 4. Nothing exited: the same web server (no restart by its supervisor) and the same worker.
  expect(app!.exitCode).toBeNull();
  expect(() => process.kill(webPid, 0)).not.toThrow();
  expect(appOutput).not.toMatch(/restarting in/);
  expect(worker!.alive()).toBe(true);
  expect(worker!.output()).not.toMatch(/Fatal|FATAL|failed:/);
  const [bDelivered] = await ctx.db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(and(eq(deliveries.webhookId, bHook.id), eq(deliveries.status, "success")));
  expect(bDelivered).toBeTruthy();

  const figures = {
    bAloneP50Ms: percentile(alone, 50),
    bAloneP95Ms: percentile(alone, 95),
    bBesideHostileP50Ms: percentile(beside, 50),
    bBesideHostileP95Ms: percentile(beside, 95),
    bBesideHostileMaxMs: Math.max(...beside),
    aEventsAccepted: aAccepted,
    aEventsRefused429: aRefused,
    aBombDeliveries: bombOutcomes.length,
    aHangingDeliveries: hangOutcomes.length,
  };
  report("hostile-tenant", figures);
  expect(beside.every((ms) => Number.isFinite(ms))).toBe(true);
  // "Within a few seconds": B's p95 beside the hostile company.
  expect(figures.bBesideHostileP95Ms).toBeLessThan(5000);
}, 600_000);
