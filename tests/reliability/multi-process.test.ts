import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from "@/db/embedded";
import { listWorkers } from "@/db/queries/workers";
import { generateSecretKey } from "@/lib/crypto";
import { startReceiver } from "@/tests/receiver";
import { processEnv, report, setUp, spawnWorker, statusCounts, waitFor, type WorkerProcess } from "./harness";

/**
 * Issue 17.2: the production mode with several processes. One PostgreSQL started on its own, `npm run
 * migrate` against it, then two web servers (`npm run start:web`) and two workers (`npm run
 * start:worker`) as production runs them. 10,000 events are posted across both web servers in batches,
 * above the company's rate limit; one web server and one worker are killed with SIGKILL mid-run. Every
 * event reaches the receiver and every delivery ends in success; both workers delivered some (their rows
 * in the workers table); and the rate limit, counted in PostgreSQL, held across the two web servers:
 * no second window accepted more than EVENTS_RATE_LIMIT events.
 */
const ROOT = path.resolve(import.meta.dirname, "..", "..");
const EVENTS = 10_000;
const BATCH = 50;
/** Events a second the company may post; the posting below offers several times that through both web servers. */
const RATE_LIMIT = 500;
/** Requests in flight at once, spread over the live web servers. */
const IN_FLIGHT = 8;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hookrelay-multi-"));
let pg: EmbeddedDatabase | null = null;
let ctx: Awaited<ReturnType<typeof setUp>> | null = null;
const workers: WorkerProcess[] = [];
const webs: WebProcess[] = [];

/** A web server as `npm run start:web` starts it (`node scripts/web.mjs --production`), on its own port. */
function spawnWeb(env: NodeJS.ProcessEnv, port: number, label: string) {
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, "scripts", "web.mjs"), "--production"], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (c) => (output += c));
  child.stderr?.on("data", (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  return {
    pid: child.pid!,
    label,
    url,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    async ready(timeoutMs = 120_000) {
      await waitFor(
        `${label} to answer /api/health`,
        async () => {
          if (child.exitCode !== null) throw new Error(`${label} exited early: ${output}`);
          return fetch(`${url}/api/health`)
            .then((r) => r.ok)
            .catch(() => false);
        },
        timeoutMs,
        250,
      );
    },
    kill9() {
      child.kill("SIGKILL");
      return exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await exited;
    },
  };
}
type WebProcess = ReturnType<typeof spawnWeb>;

/** Runs a command to its end (it exits by itself): its exit code and output. */
function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (c) => (output += c));
    child.stderr?.on("data", (c) => (output += c));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

beforeAll(async () => {
  // `npm test` builds the app before this suite runs; a machine that has not, builds it here.
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    const built = spawnSync(
      process.execPath,
      [path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), "build"],
      {
        cwd: ROOT,
        stdio: "inherit",
      },
    );
    if (built.status !== 0) throw new Error("next build failed");
  }
  // The database on its own, as an operator's PostgreSQL would be: nothing migrated yet.
  pg = await startEmbeddedPostgres({ dir: dataDir, database: "hookrelay_multi", persistent: false });
}, 900_000);

afterAll(async () => {
  for (const p of [...webs, ...workers]) await p.stop().catch(() => {});
  await ctx?.close();
  await pg?.stop().catch(() => {});
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it("refuses to start without DATABASE_URL or on a schema that is behind; npm run migrate brings it up", async () => {
  const env = processEnv(pg!.url, generateSecretKey());
  const noDatabase = { ...env };
  delete noDatabase.DATABASE_URL;
  const web = await run(process.execPath, [path.join(ROOT, "scripts", "web.mjs"), "--production"], noDatabase);
  expect(web.code).toBe(1);
  expect(web.output).toContain("DATABASE_URL is unset");
  expect(web.output).toContain("npm run migrate");

  const worker = await run(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "scripts", "worker.ts"), "--production"],
    env,
  );
  expect(worker.code).toBe(1);
  expect(worker.output).toMatch(/the database schema is behind this release \(migrations not applied: 0000_/);
  expect(worker.output).toContain("run npm run migrate");

  const migrated = await run("npm", ["run", "--silent", "migrate"], env);
  expect(migrated.output).toContain("database migrations applied");
  expect(migrated.code).toBe(0);
}, 180_000);

it("2 web servers and 2 workers share 10,000 events; one of each killed; the rate limit holds across them", async () => {
  ctx = await setUp(pg!.url);
  const receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
  try {
    await ctx.webhook({ url: `${receiver.url}/crm`, maxConcurrency: 50 });
    const env = { ...processEnv(pg!.url, ctx.secretKey), EVENTS_RATE_LIMIT: String(RATE_LIMIT) };
    for (const label of ["worker-a", "worker-b"]) workers.push(spawnWorker(env, label, ["--production"]));
    for (const label of ["web-a", "web-b"]) webs.push(spawnWeb(env, await freePort(), label));
    await Promise.all([...workers, ...webs].map((p) => p.ready()));

    const seen = new Set<string>();
    const idsAtReceiver = () => {
      for (let i = seen.size; i < receiver.received.length; i++) seen.add(JSON.parse(receiver.received[i].body).id);
      return seen.size;
    };
    // Every accepted request: when it was sent and answered, how many events, through which server.
    const accepted: { sent: number; done: number; n: number; web: string }[] = [];
    const refused: Record<string, number> = {};
    let acceptedEvents = 0;
    const post = async (batch: object[], turn: number): Promise<void> => {
      for (let attempt = 0; ; attempt++) {
        const live = webs.filter((w) => w.alive());
        const web = live[(turn + attempt) % live.length];
        const sent = Date.now();
        const res = await fetch(`${web.url}/api/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${ctx!.apiKey}`, "content-type": "application/json" },
          body: JSON.stringify(batch),
        }).catch(() => null);
        // The server died with the request in hand: the same ids again elsewhere (a repeat is a duplicate).
        if (!res) continue;
        if (res.status === 202) {
          await res.arrayBuffer();
          accepted.push({ sent, done: Date.now(), n: batch.length, web: web.label });
          acceptedEvents += batch.length;
          return;
        }
        expect(res.status, await res.text()).toBe(429);
        refused[web.label] = (refused[web.label] ?? 0) + 1;
        // Retry-After: 1 — the next second's window.
        await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
      }
    };
    const batches = Array.from({ length: EVENTS / BATCH }, (_, b) =>
      Array.from({ length: BATCH }, (_, j) => ({
        id: `multi-${b * BATCH + j}`,
        type: "contact.created",
        data: { id: `c_${b * BATCH + j}` },
      })),
    );
    const t0 = Date.now();
    let next = 0;
    const posting = Promise.all(
      Array.from({ length: IN_FLIGHT }, async (_, lane) => {
        while (next < batches.length) {
          const b = next++;
          await post(batches[b], b + lane);
        }
      }),
    );

    // Mid-run: both workers have delivered some (their rows say so), 40 % of the events accepted, the rest to come.
    const rows = await waitFor(
      "both workers to deliver",
      async () => {
        const list = await listWorkers(ctx!.db);
        const mid = acceptedEvents >= EVENTS * 0.4;
        return mid && list.length === 2 && list.every((w) => w.deliveryJobs > 0) ? list : null;
      },
      120_000,
      250,
    );
    expect(acceptedEvents).toBeLessThan(EVENTS);
    const killedAt = { accepted: acceptedEvents, atReceiver: idsAtReceiver(), s: (Date.now() - t0) / 1000 };
    await Promise.all([webs[1].kill9(), workers[1].kill9()]);
    await posting;
    const postedIn = (Date.now() - t0) / 1000;

    await waitFor(
      "every event at the receiver and every delivery a success",
      async () => {
        if (idsAtReceiver() < EVENTS) return null;
        const counts = await statusCounts(ctx!.db, ctx!.companyId);
        return counts.success === EVENTS ? counts : null;
      },
      240_000,
      500,
    );
    expect(await statusCounts(ctx.db, ctx.companyId)).toEqual({ success: EVENTS });
    expect(idsAtReceiver()).toBe(EVENTS);
    for (let i = 0; i < EVENTS; i++) expect(seen.has(`multi-${i}`)).toBe(true);

    // The work was shared: each worker's row counts deliveries of its own.
    const final = await listWorkers(ctx.db);
    const byPid = new Map(final.map((w) => [w.pid, w]));
    for (const w of workers) expect(byPid.get(w.pid)?.deliveryJobs, w.label).toBeGreaterThan(0);
    expect(rows.map((r) => r.pid).sort()).toEqual(workers.map((w) => w.pid).sort());

    // Both web servers took events, and both were refused some: the offer was above the limit.
    expect(new Set(accepted.map((a) => a.web))).toEqual(new Set(["web-a", "web-b"]));
    expect(Object.keys(refused).sort()).toEqual(["web-a", "web-b"]);
    // The limit held across both: a request answered within one second was counted in that second's
    // window; none took more than the limit. Requests straddling a second are counted over the run.
    const windows = new Map<number, number>();
    for (const a of accepted) {
      const second = Math.floor(a.sent / 1000);
      if (Math.floor(a.done / 1000) === second) windows.set(second, (windows.get(second) ?? 0) + a.n);
    }
    const busiest = Math.max(...windows.values());
    expect(busiest).toBeLessThanOrEqual(RATE_LIMIT);
    const seconds = Math.floor(accepted.at(-1)!.done / 1000) - Math.floor(accepted[0].sent / 1000) + 1;
    expect(acceptedEvents).toBeLessThanOrEqual(RATE_LIMIT * seconds);
    expect(acceptedEvents).toBe(EVENTS);

    // SIGTERM stops the survivors cleanly: the worker marks its row stopped on its way out.
    await Promise.all([webs[0].stop(), workers[0].stop()]);
    expect(webs[0].alive() || workers[0].alive()).toBe(false);
    const after = new Map((await listWorkers(ctx.db)).map((w) => [w.pid, w]));
    expect(after.get(workers[0].pid)?.stoppedAt, workers[0].output()).not.toBeNull();
    // The one killed never said goodbye; its count is as of its last beat.
    expect(after.get(workers[1].pid)?.stoppedAt).toBeNull();

    report("multi-process", {
      events: EVENTS,
      rateLimit: RATE_LIMIT,
      busiestSecond: busiest,
      postedInSeconds: Math.round(postedIn * 10) / 10,
      refusedRequests: refused,
      acceptedRequests: Object.fromEntries(
        ["web-a", "web-b"].map((w) => [w, accepted.filter((a) => a.web === w).length]),
      ),
      killedAt,
      deliveryJobsByWorker: Object.fromEntries(workers.map((w) => [w.label, after.get(w.pid)?.deliveryJobs ?? 0])),
      requestsReceived: receiver.received.length,
      duplicates: receiver.received.length - EVENTS,
      secondsToAllDelivered: Math.round((Date.now() - t0) / 100) / 10,
    });
  } finally {
    await receiver.close();
  }
}, 420_000);
