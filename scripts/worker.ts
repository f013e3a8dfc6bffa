/**
 * One worker process: every pg-boss job (deliveries, emails, schedules). `npm start` and
 * `npm run worker` run it under their supervisor (scripts/start.ts), which restarts it when it dies;
 * run it directly (`node --import tsx scripts/worker.ts`) under systemd or an orchestrator that does
 * the restarting. pg-boss workers share the queue through SKIP LOCKED, so any number can run at once.
 */
import { closeDb, getDb } from "@/db";
import { createBoss } from "@/jobs/boss";
import { registerWorkers } from "@/jobs/worker";
import { closeSafeDispatchers } from "@/lib/delivery/http-client";
import { closeRenderSandbox } from "@/lib/sandbox/render-pool";
import { env } from "@/lib/env";
import { serveWorkerMetrics } from "@/lib/metrics-server";
import { prepareRuntime } from "./runtime";

async function main() {
  // Under `npm start` / `npm run worker` (scripts/start.ts) the supervisor has applied the migrations.
  const runtime = await prepareRuntime({ migrate: env.HOOKRELAY_SUPERVISED !== "1" });
  const boss = createBoss(runtime.env.DATABASE_URL, { role: "worker" });
  await boss.start();
  await registerWorkers(boss, getDb());
  // HOOKRELAY_WORKER_METRICS_PORT: this worker's metrics for a scraper (and for npm start's web process).
  const metrics = await serveWorkerMetrics();
  console.log(`[hookrelay] worker ${process.pid} running${metrics ? `; metrics on ${metrics.url}/metrics` : ""}`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log("[hookrelay] worker stopping (finishing jobs in hand)…");
    await metrics?.close().catch(() => {});
    await boss.stop({ graceful: true, timeout: 20_000 }).catch(() => {});
    await closeSafeDispatchers().catch(() => {});
    await closeRenderSandbox().catch(() => {});
    await closeDb().catch(() => {});
    await runtime.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
}

main().catch((err) => {
  console.error("[hookrelay] worker failed:", err);
  process.exit(1);
});
