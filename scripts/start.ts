/**
 * `npm start` / `npm run dev`: the whole app in one command. Starts (or connects to) PostgreSQL,
 * applies migrations, runs the pg-boss workers in this process, builds the Next.js app when the
 * build is missing or older than the sources, and serves it. Ctrl-C stops everything cleanly.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { closeDb, getDb } from "@/db";
import { createBoss } from "@/jobs/boss";
import { registerWorkers } from "@/jobs/worker";
import { closeSafeDispatchers } from "@/lib/delivery/http-client";
import { prepareRuntime, ROOT } from "./runtime";

const dev = process.argv.includes("--dev");
const noWorkers = process.argv.includes("--no-workers");
const nextBin = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");

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
  const sources = ["app", "components", "lib", "db", "jobs"].map((d) => path.join(ROOT, d)).filter((d) => fs.existsSync(d));
  const configs = ["next.config.mjs", "package.json", "postcss.config.mjs", "tsconfig.json", "tsconfig.build.json"].map((f) => path.join(ROOT, f));
  const newest = Math.max(...sources.map(newestSourceMtime), ...configs.filter((f) => fs.existsSync(f)).map((f) => fs.statSync(f).mtimeMs));
  return newest > built;
}

async function main() {
  const runtime = await prepareRuntime();
  const { env } = runtime;
  const port = env.PORT;
  const host = process.env.HOST ?? "127.0.0.1";

  if (!dev && (process.env.HOOKRELAY_SKIP_BUILD !== "1" && buildIsStale())) {
    console.log("[hookrelay] building the app (next build) — first start only, or after the sources changed");
    const result = spawnSync(process.execPath, [nextBin, "build"], { cwd: ROOT, stdio: "inherit", env: process.env });
    if (result.status !== 0) {
      console.error("[hookrelay] next build failed");
      await runtime.stop().catch(() => {});
      process.exit(1);
    }
  }

  // Workers start after the build, which would otherwise starve them of CPU on a small machine.
  const db = getDb();
  const boss = createBoss(env.DATABASE_URL, { role: "worker" });
  await boss.start();
  if (!noWorkers) {
    await registerWorkers(boss, db);
    console.log("[hookrelay] workers running");
  }

  const child: ChildProcess = spawn(process.execPath, [nextBin, dev ? "dev" : "start", "-p", String(port), "-H", host], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, PORT: String(port) },
  });
  console.log(`[hookrelay] serving on http://localhost:${port}`);

  let stopping = false;
  async function shutdown(code: number) {
    if (stopping) return;
    stopping = true;
    console.log("[hookrelay] stopping…");
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          resolve();
        }, 10_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    // stop() returns before pg-boss has closed its pool; wait for "stopped" so PostgreSQL is not
    // shut down under open connections.
    const stopped = new Promise<void>((resolve) => {
      boss.once("stopped", () => resolve());
      setTimeout(resolve, 15_000).unref();
    });
    await boss.stop({ graceful: true, timeout: 10_000 }).catch(() => {});
    await stopped;
    await closeSafeDispatchers().catch(() => {});
    await closeDb().catch(() => {});
    await runtime.stop().catch((err) => console.error("[hookrelay] could not stop PostgreSQL:", err));
    console.log("[hookrelay] stopped");
    process.exit(code);
  }

  child.on("exit", (code) => {
    if (!stopping) {
      console.error(`[hookrelay] the web server exited (${code ?? "signal"})`);
      void shutdown(code ?? 1);
    }
  });
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
}

main().catch((err) => {
  console.error("[hookrelay] failed to start:", err);
  process.exit(1);
});
