/**
 * `npm run worker`: delivery workers only, for more machines against one shared PostgreSQL.
 * pg-boss workers share the queue through SKIP LOCKED, so any number can run at once.
 */
import { closeDb, getDb } from "@/db";
import { createBoss } from "@/jobs/boss";
import { registerWorkers } from "@/jobs/worker";
import { closeSafeDispatchers } from "@/lib/delivery/http-client";
import { prepareRuntime } from "./runtime";

async function main() {
  const runtime = await prepareRuntime();
  const boss = createBoss(runtime.env.DATABASE_URL, { role: "worker" });
  await boss.start();
  await registerWorkers(boss, getDb());
  console.log(`[hookrelay] worker ${process.pid} running`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log("[hookrelay] worker stopping (finishing jobs in hand)…");
    await boss.stop({ graceful: true, timeout: 20_000 }).catch(() => {});
    await closeSafeDispatchers().catch(() => {});
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
