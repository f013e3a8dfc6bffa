import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { freePort } from "@/db/embedded";
import { waitFor } from "./harness";

/**
 * Issue 12.5: `npm start` is a supervisor, not a domino. The app as a newcomer starts it (embedded
 * PostgreSQL in its own data folder, no DATABASE_URL); the web child and the worker child are killed
 * with SIGKILL; both come back, PostgreSQL (the same postmaster) never stops, /api/health answers
 * again, and SIGTERM still stops everything, PostgreSQL last.
 */
const ROOT = path.resolve(import.meta.dirname, "..", "..");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "hookrelay-supervisor-"));
let app: ChildProcess | null = null;
let output = "";

afterAll(async () => {
  if (app && app.exitCode === null && app.signalCode === null) {
    const exited = new Promise((resolve) => app!.once("exit", resolve));
    app.kill("SIGTERM");
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function pids(name: string): number[] {
  return [...output.matchAll(new RegExp(`\\[hookrelay\\] ${name} started \\(pid (\\d+)\\)`, "g"))].map((m) =>
    Number(m[1]),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(url);
    return res.ok && (await res.json()).status === "ok";
  } catch {
    return false;
  }
}

it("restarts a killed web server and a killed worker; the database stays up; SIGTERM stops all", async () => {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOOKRELAY_DATA_DIR: dataDir,
    PORT: String(port),
    NODE_ENV: "production",
  };
  for (const name of ["DATABASE_URL", "HOOKRELAY_SECRET_KEY", "AUTH_SECRET"]) delete env[name];
  app = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", "start.ts")], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  app.stdout?.on("data", (c) => (output += c));
  app.stderr?.on("data", (c) => (output += c));
  const health = `http://127.0.0.1:${port}/api/health`;
  // The first start may build the app (when the build is missing or stale).
  await waitFor("the app to answer /api/health", () => healthy(health), 240_000, 250);
  await waitFor("the worker to run", async () => /\[hookrelay\] worker \d+ running/.test(output), 60_000, 100);

  const postmaster = Number(fs.readFileSync(path.join(dataDir, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
  expect(alive(postmaster)).toBe(true);
  const [web1] = pids("web");
  const [worker1] = pids("worker");
  expect(web1 && worker1).toBeTruthy();

  process.kill(web1, "SIGKILL");
  process.kill(worker1, "SIGKILL");
  await waitFor("a new web server", async () => pids("web").length === 2, 30_000, 100);
  await waitFor("a new worker", async () => pids("worker").length === 2, 30_000, 100);
  const [, web2] = pids("web");
  const [, worker2] = pids("worker");
  expect(web2).not.toBe(web1);
  expect(worker2).not.toBe(worker1);
  expect(output).toMatch(new RegExp(`web \\(pid ${web1}\\) was killed by SIGKILL after [\\d.]+ s; restarting in 1 s`));
  expect(output).toMatch(
    new RegExp(`worker \\(pid ${worker1}\\) was killed by SIGKILL after [\\d.]+ s; restarting in 1 s`),
  );
  await waitFor("/api/health again", () => healthy(health), 60_000, 250);
  await waitFor(
    "the new worker to run",
    async () => new RegExp(`\\[hookrelay\\] worker ${worker2} running`).test(output),
    60_000,
    100,
  );
  // The same PostgreSQL all along, and the supervisor itself.
  expect(alive(postmaster)).toBe(true);
  expect(Number(fs.readFileSync(path.join(dataDir, "pg", "postmaster.pid"), "utf8").split("\n")[0])).toBe(postmaster);
  expect(app.exitCode).toBeNull();

  const exited = new Promise<number | null>((resolve) => app!.once("exit", (code) => resolve(code)));
  app.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(alive(web2) || alive(worker2) || alive(postmaster)).toBe(false);
  expect(output).toMatch(/\[hookrelay\] stopped/);
}, 360_000);
