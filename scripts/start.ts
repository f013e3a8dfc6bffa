/**
 * `npm start` / `npm run dev`: the whole app in one command. Starts (or connects to) PostgreSQL,
 * applies migrations, builds the Next.js app when the build is missing or older than the sources,
 * then supervises two children — the web server (scripts/web.mjs: Next.js) and the worker (scripts/worker.ts) —
 * restarting either when it dies. Ctrl-C stops everything cleanly. `npm run worker` is this with
 * `--worker-only`; `--no-workers` serves without a worker (the bench runs its own).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freePort, leaveSignalsToCaller } from "@/db/embedded";
import { prepareRuntime, ROOT } from "./runtime";
import { Supervisor } from "./supervisor";
import { WORKER_NODE_FLAGS } from "./worker-flags";

const dev = process.argv.includes("--dev");
const noWorkers = process.argv.includes("--no-workers");
/** `npm run worker`: a supervised worker and no web server. */
const workerOnly = process.argv.includes("--worker-only");
const nextBin = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
const tsxLoader = path.join(ROOT, "node_modules", "tsx", "dist", "loader.mjs");

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
    else newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function buildIsStale(): boolean {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return true;
  const built = fs.statSync(buildId).mtimeMs;
  const sources = ["app", "components", "lib", "db", "jobs"]
    .map((d) => path.join(ROOT, d))
    .filter((d) => fs.existsSync(d));
  const configs = ["next.config.mjs", "package.json", "postcss.config.mjs", "tsconfig.json", "tsconfig.build.json"].map(
    (f) => path.join(ROOT, f),
  );
  const newest = Math.max(
    ...sources.map(newestSourceMtime),
    ...configs.filter((f) => fs.existsSync(f)).map((f) => fs.statSync(f).mtimeMs),
  );
  return newest > built;
}

async function main() {
  const runtime = await prepareRuntime();
  // This process stops PostgreSQL itself, after its children (shutdown below).
  leaveSignalsToCaller();
  const { env } = runtime;
  const port = env.PORT;
  const host = env.HOST;

  if (!workerOnly && !dev && env.HOOKRELAY_SKIP_BUILD !== "1" && buildIsStale()) {
    console.log("[hookrelay] building the app (next build) — first start only, or after the sources changed");
    const result = spawnSync(process.execPath, [nextBin, "build"], { cwd: ROOT, stdio: "inherit", env: process.env });
    if (result.status !== 0) {
      console.error("[hookrelay] next build failed");
      await runtime.stop().catch(() => {});
      process.exit(1);
    }
  }

  // This process keeps the database and supervises the others: a child that dies (a crash, an OOM
  // kill, kill -9) is started again with backoff, and nothing else goes down with it.
  const supervisor = new Supervisor();
  // With a metrics token, the worker serves its metrics on a local port the web's /api/metrics reads them from.
  const metricsEnv =
    env.HOOKRELAY_METRICS_TOKEN && !noWorkers && !workerOnly && env.HOOKRELAY_WORKER_METRICS_PORT === undefined
      ? { HOOKRELAY_WORKER_METRICS_PORT: String(await freePort()) }
      : {};
  // One box, read by a person: the children write readable lines unless LOG_FORMAT says json (lib/log.ts).
  const oneBoxLogs = { LOG_FORMAT: env.LOG_FORMAT ?? "pretty" };
  // Workers start after the build, which would otherwise starve them of CPU on a small machine.
  if (!noWorkers) {
    supervisor.start({
      name: "worker",
      command: process.execPath,
      args: [...WORKER_NODE_FLAGS, "--import", tsxLoader, path.join(ROOT, "scripts", "worker.ts")],
      // Migrations are applied already (above).
      options: {
        cwd: ROOT,
        stdio: "inherit",
        env: { ...process.env, ...metricsEnv, ...oneBoxLogs, HOOKRELAY_SUPERVISED: "1" },
      },
    });
  }
  if (!workerOnly) {
    supervisor.start({
      name: "web",
      command: process.execPath,
      // Next.js behind our own HTTP server, which tells the app the caller's real address.
      args: [path.join(ROOT, "scripts", "web.mjs"), "--port", String(port), "--host", host, ...(dev ? ["--dev"] : [])],
      options: {
        cwd: ROOT,
        stdio: "inherit",
        env: { ...process.env, ...metricsEnv, ...oneBoxLogs, PORT: String(port) },
      },
    });
    console.log(`[hookrelay] serving on http://localhost:${port}`);
  }

  let stopping = false;
  async function shutdown() {
    if (stopping) return;
    stopping = true;
    console.log("[hookrelay] stopping…");
    // The worker finishes the jobs in hand (up to 20 s) before the database goes.
    await supervisor.stop();
    await runtime.stop().catch((err) => console.error("[hookrelay] could not stop PostgreSQL:", err));
    console.log("[hookrelay] stopped");
    process.exit(0);
  }
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
}

main().catch((err) => {
  console.error("[hookrelay] failed to start:", err);
  process.exit(1);
});
