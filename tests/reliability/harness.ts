import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { createDb, type Database } from "@/db";
import { startThrowawayDatabase } from "@/tests/test-db";
import { apiKeys, companies, deliveries } from "@/db/schema";
import { createBoss } from "@/jobs/boss";
import { generateApiKey } from "@/lib/api-auth";
import { generateSecretKey } from "@/lib/crypto";
import { insertWebhook } from "@/lib/webhooks";
import type { WebhookInput } from "@/lib/validations/webhook";
import { WORKER_NODE_FLAGS } from "@/scripts/worker-flags";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

/**
 * The reliability suite's own PostgreSQL (embedded, in a temporary folder), which a test may stop
 * and start again on the same port to simulate an outage. TEST_DATABASE_URL is not used here:
 * these tests kill and restart the server.
 */
export async function startOwnDatabase() {
  return startThrowawayDatabase({ label: "reliability", persistent: true });
}

export function processEnv(databaseUrl: string, secretKey: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    HOOKRELAY_SECRET_KEY: secretKey,
    AUTH_SECRET: "reliability-suite-auth-secret-0123456789",
    HOOKRELAY_ALLOW_PRIVATE_TARGETS: "1",
    NODE_ENV: "production",
  };
}

/**
 * A worker process as in production (`scripts/worker.ts`; with `["--production"]`, as `npm run start:worker`
 * starts it), which a test can kill -9 and restart.
 */
export function spawnWorker(env: NodeJS.ProcessEnv, label = "worker", args: string[] = []) {
  // `node --import tsx`, not the tsx CLI: the CLI runs the script in a child process, which a
  // SIGKILL of the CLI would leave running.
  const child: ChildProcess = spawn(
    process.execPath,
    [...WORKER_NODE_FLAGS, "--import", "tsx", path.join(ROOT, "scripts", "worker.ts"), ...args],
    {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (c) => (output += c));
  child.stderr?.on("data", (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    pid: child.pid!,
    label,
    output: () => output,
    /** Whether the process is still running (no exit, no signal). */
    alive: () => child.exitCode === null && child.signalCode === null,
    /** Resolves once the worker says it is running. */
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes("worker") || !output.includes("running")) {
        if (child.exitCode !== null) throw new Error(`${label} exited early: ${output}`);
        if (Date.now() > deadline) throw new Error(`${label} did not start: ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
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
    /** Resident memory in MB (Linux /proc), or null once it exited. */
    rssMb(): number | null {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
        return Number.isFinite(kb) ? kb / 1024 : null;
      } catch {
        return null;
      }
    },
  };
}
export type WorkerProcess = ReturnType<typeof spawnWorker>;

/** A company with an API key, a webhook per receiver, and this process's db + sender boss. */
export async function setUp(databaseUrl: string) {
  const secretKey = generateSecretKey();
  process.env.HOOKRELAY_SECRET_KEY = secretKey;
  process.env.DATABASE_URL = databaseUrl;
  const { client, db } = createDb(databaseUrl, 10);
  const boss: PgBoss = createBoss(databaseUrl, { role: "web" });
  boss.on("error", () => {});
  await boss.start();
  // No daily call limit in the way of the load tests.
  const [company] = await db
    .insert(companies)
    .values({ name: `Reliability ${Date.now()}`, dailyCallLimit: 100_000_000 })
    .returning();
  const key = generateApiKey();
  const [apiKey] = await db
    .insert(apiKeys)
    .values({ companyId: company.id, name: "reliability", prefix: key.prefix, hash: key.hash })
    .returning();
  return {
    db,
    boss,
    secretKey,
    companyId: company.id,
    apiKeyId: apiKey.id,
    apiKey: key.plaintext,
    async webhook(input: Partial<WebhookInput> & { url: string }) {
      const { webhook } = await insertWebhook(db, company.id, null, {
        name: "Reliability",
        eventType: "contact.created",
        active: true,
        ...input,
      });
      return webhook;
    },
    async close() {
      await boss.stop({ graceful: false }).catch(() => {});
      await client.end({ timeout: 5 }).catch(() => {});
    },
  };
}

export async function statusCounts(db: Database, companyId: string): Promise<Record<string, number>> {
  const rows = await db.execute<{ status: string; n: number }>(
    sql`select status, count(*)::int as n from ${deliveries} where company_id = ${companyId} group by status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Polls `check` until it returns a truthy value or the time is up (then throws with `what`). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Figures the suite prints at the end (and the closing note quotes). */
export function report(name: string, figures: Record<string, unknown>) {
  console.log(`[reliability] ${name}: ${JSON.stringify(figures)}`);
  const file = path.join(ROOT, "tests", "reliability", "results.json");
  const all = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  all[name] = { ...figures, at: new Date().toISOString() };
  fs.writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}
