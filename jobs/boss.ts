import { PgBoss } from "pg-boss";
import { env } from "@/lib/env";
import { JOBS } from "./definitions";
import { log } from "@/lib/log";

export interface BossOptions {
  /** Workers and maintenance run only in worker processes; the web process only sends. */
  role: "worker" | "web";
  /**
   * Whether a worker may install or migrate pg-boss's schema at start (default: yes). `npm run
   * start:worker` does not: `npm run migrate` did, and the worker only checks (pg-boss refuses to start
   * on a schema older than its own).
   */
  migrate?: boolean;
}

export function createBoss(url: string, { role, migrate = true }: BossOptions): PgBoss {
  const boss = new PgBoss({
    connectionString: url,
    application_name: `hookrelay-${role}`,
    // The delivery loop's fetches, heartbeats and settles, and the other queues' pollers.
    max: role === "worker" ? env.WORKER_CONCURRENCY + 6 : 4,
    connectionTimeoutMillis: 30_000,
    // Workers are woken by NOTIFY when a job is created instead of waiting for the next poll.
    useListenNotify: role === "worker",
    // pg-boss's own OpenTelemetry spans are off: a root span per poll of every queue buries the traces, and the
    // delivery's trace already crosses the queue in the job's traceparent (lib/tracing.ts).
    openTelemetry: { enabled: false },
    supervise: role === "worker",
    schedule: role === "worker",
    migrate: role === "worker" && migrate,
    // Expired jobs (a worker that died) are failed back to retry by the monitor pass: every 10 s,
    // not the default minute, so a crash delays deliveries by seconds.
    ...(role === "worker" ? { superviseIntervalSeconds: 10, monitorIntervalSeconds: 10 } : {}),
  });
  boss.on("error", (err: unknown) =>
    stopping
      ? log.debug({ component: `pg-boss:${role}` }, `while stopping: ${errorMessage(err)}`)
      : log.error({ component: `pg-boss:${role}` }, errorMessage(err)),
  );
  return boss;
}

let stopping = false;
/** This process is stopping: pg-boss's connection errors are expected now (Ctrl-C also stops a one-box PostgreSQL). */
export function quietBossErrors(): void {
  stopping = true;
}

/** An error's message; pg-boss also emits plain objects with one (never "[object Object]"). */
function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === "object" && "message" in err) return String((err as { message: unknown }).message);
  return typeof err === "object" ? JSON.stringify(err) : String(err);
}

/** How long pg-boss keeps a finished job (queue option `deleteAfterSeconds`). */
export const FINISHED_JOBS_KEPT_SECONDS = 86_400;

/**
 * Queues are created idempotently by the worker at start, from the job definitions
 * (jobs/definitions/); the web process only sends to them.
 */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  for (const job of JOBS) await boss.createQueue(job.name, job.queue);
  // pg-boss keeps finished jobs (completed, failed, cancelled) 7 days by default; outcomes live in our
  // own tables (deliveries, attempts, the outbox), so one day is enough for debugging. Set on every
  // queue, also on existing ones (createQueue leaves those unchanged); jobs sent from now on inherit it.
  for (const job of JOBS) await boss.updateQueue(job.name, { deleteAfterSeconds: FINISHED_JOBS_KEPT_SECONDS });
}

const globalForBoss = globalThis as unknown as { __hookrelayBoss?: Promise<PgBoss> };

/** The web process's sender instance, started once and cached (hot reload keeps it). */
export function getBoss(): Promise<PgBoss> {
  if (!globalForBoss.__hookrelayBoss) {
    const boss = createBoss(env.DATABASE_URL, { role: "web" });
    globalForBoss.__hookrelayBoss = boss.start().catch((err) => {
      globalForBoss.__hookrelayBoss = undefined;
      throw err;
    });
  }
  return globalForBoss.__hookrelayBoss;
}

export async function stopWebBoss(): Promise<void> {
  const pending = globalForBoss.__hookrelayBoss;
  globalForBoss.__hookrelayBoss = undefined;
  if (pending) await (await pending).stop({ graceful: false }).catch(() => {});
}

/** Installs or migrates pg-boss's schema and creates our queues; run at start-up with the drizzle migrations. */
export async function installJobs(url: string): Promise<void> {
  const boss = new PgBoss({
    connectionString: url,
    max: 2,
    supervise: false,
    schedule: false,
    migrate: true,
    openTelemetry: { enabled: false },
  });
  boss.on("error", (err: unknown) => log.error({ component: "pg-boss:install" }, errorMessage(err)));
  await boss.start();
  try {
    await ensureQueues(boss);
  } finally {
    await boss.stop({ graceful: false });
  }
}
