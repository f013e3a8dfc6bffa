/**
 * The bench's plumbing: child processes it starts and must stop (by PID, also on Ctrl-C or an
 * error), their peak memory, the database it runs against, percentiles and the printed table.
 */
import { spawn, fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { startThrowawayDatabase } from "@/tests/test-db";

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
export const RESULTS_DIR = path.join(ROOT, "bench", "results");

export const wallNow = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- processes

const tracked = new Set<ChildProcess>();
const cleanups: (() => Promise<void>)[] = [];

/** Runs at exit, newest first (the database last, since it was registered first). */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

/** A TypeScript entry point of this repo run with node --import tsx (no tsx CLI in between, so the PID is the process
 * itself). */
export function spawnTs(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logName: string,
  nodeFlags: readonly string[] = [],
): ChildProcess {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const log = fs.openSync(path.join(RESULTS_DIR, `${logName}.log`), "a");
  const child = spawn(process.execPath, [...nodeFlags, "--import", "tsx", path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", log],
  });
  child.stdout?.on("data", (b: Buffer) => fs.writeSync(log, b));
  child.once("exit", () => tracked.delete(child));
  // "close" comes after the last stdout data, which can follow "exit".
  child.once("close", () => fs.closeSync(log));
  tracked.add(child);
  return child;
}

export function forkTs(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = fork(path.join(ROOT, script), [], {
    cwd: ROOT,
    env,
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  tracked.add(child);
  child.once("exit", () => tracked.delete(child));
  return child;
}

/** Resolves when a line of the child's stdout matches, rejects when it exits first or the time runs out. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => finish(new Error(`no "${pattern.source}" within ${timeoutMs / 1000}s`)), timeoutMs);
    const onData = (b: Buffer) => {
      buffer = (buffer + b.toString("utf8")).slice(-4096);
      if (pattern.test(buffer)) finish();
    };
    const onExit = (code: number | null) =>
      finish(new Error(`exited (${code ?? "signal"}) before "${pattern.source}"`));
    function finish(err?: Error) {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve();
    }
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

/** The PIDs below `pid` (children, grandchildren …), from /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** Resident set size in MB from /proc: VmHWM is the peak so far, VmRSS the current; null when the process is gone. */
export function rssMb(pid: number, field: "VmHWM" | "VmRSS" = "VmHWM"): number | null {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * SIGTERM to the child, then to whatever it leaves running below it (scripts/start.ts can exit
 * before its `next start`), SIGKILL to all of them after `graceMs`.
 */
export async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const below = descendants(child.pid);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs).unref());
  if ((await Promise.race([exited, timer])) === "timeout") child.kill("SIGKILL");
  const left = below.filter(alive);
  for (const p of left) process.kill(p, "SIGTERM");
  const until = Date.now() + 5_000;
  while (left.some(alive) && Date.now() < until) await sleep(100);
  for (const p of left.filter(alive)) process.kill(p, "SIGKILL");
}

let cleaning: Promise<void> | null = null;
/** Stops every child still running, then the registered cleanups (newest first). */
export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...tracked].map((c) => stopChild(c, 10_000).catch(() => {})));
    for (const fn of cleanups.reverse())
      await fn().catch((err) => console.error("[bench] cleanup:", err instanceof Error ? err.message : err));
  })();
  return cleaning;
}

// ---------------------------------------------------------------- database

/** BENCH_DATABASE_URL (migrated here), or an embedded PostgreSQL in a temporary folder removed afterwards. */
export async function startBenchDatabase(): Promise<{ url: string; embedded: boolean }> {
  // BENCH_PG_STATS=1: pg_stat_statements, to see which statements a section spends PostgreSQL's time on.
  const settings = process.env.BENCH_PG_STATS
    ? ["shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=all"]
    : [];
  const db = await startThrowawayDatabase({ label: "bench", externalUrl: process.env.BENCH_DATABASE_URL, settings });
  onCleanup(() => db.destroy());
  return { url: db.url, embedded: db.embedded };
}

// ---------------------------------------------------------------- numbers

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function latencySummary(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    n: s.length,
    p50: r(percentile(s, 50)),
    p95: r(percentile(s, 95)),
    p99: r(percentile(s, 99)),
    max: r(s[s.length - 1] ?? NaN),
  };
}

export interface Row {
  /** Section, e.g. "2 delivery". */
  group: string;
  figure: string;
  value: number;
  unit: string;
  baseline?: { label: string; value: number };
  /** Target as text ("≥ 2000") and whether it is met; absent when the figure has none. */
  target?: { text: string; met: boolean };
  note?: string;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return "—";
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString("en-US");
  return (Math.round(v * 10) / 10).toString();
}

/** The table, as Markdown (stdout and BENCHMARKS.md use the same). */
export function table(rows: Row[]): string {
  const head = ["#", "figure", "value", "baseline (same run)", "ratio", "target", ""];
  const lines = [head, head.map(() => "---")];
  for (const r of rows) {
    const ratio = r.baseline && r.baseline.value ? `${Math.round((r.value / r.baseline.value) * 100)} %` : "";
    lines.push([
      r.group,
      r.figure,
      `${fmt(r.value)} ${r.unit}`,
      r.baseline ? `${fmt(r.baseline.value)} ${r.unit} (${r.baseline.label})` : "",
      ratio,
      r.target?.text ?? "",
      [r.target ? (r.target.met ? "ok" : "SHORT") : "", r.note ?? ""].filter(Boolean).join(" — "),
    ]);
  }
  return lines.map((l) => `| ${l.join(" | ")} |`).join("\n");
}

// ---------------------------------------------------------------- CPU accounting

/** CPU time (user + system) used so far by these processes, in ms (exited ones count 0). */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    } catch {
      // gone
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** The PostgreSQL processes this bench started (the embedded server and its backends). */
export function ownPostgresPids(): number[] {
  return descendants(process.pid).filter(
    (p) => /^postgres/.test(commandOf(p)) || commandOf(p).includes("bin/postgres"),
  );
}

/** Where the CPU went between two calls, in % of one core: web, worker, PostgreSQL, receiver and this process (the load
 * generator). */
export function cpuMeter(pids: { web?: number; worker?: number; receiver?: number }) {
  const read = () => ({
    web: pids.web ? cpuMs([pids.web]) : 0,
    worker: pids.worker ? cpuMs([pids.worker]) : 0,
    receiver: pids.receiver ? cpuMs([pids.receiver]) : 0,
    postgres: 0,
    postgresByPid: new Map(ownPostgresPids().map((p) => [p, cpuMs([p])])),
    bench: (() => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    })(),
    at: wallNow(),
  });
  const start = read();
  return () => {
    const end = read();
    // Per backend: one that started meanwhile counts from 0; one that exited meanwhile is lost (not subtracted).
    for (const [pid, ms] of end.postgresByPid) end.postgres += ms - (start.postgresByPid.get(pid) ?? 0);
    const seconds = (end.at - start.at) / 1000;
    const share = (k: "web" | "worker" | "receiver" | "postgres" | "bench") =>
      Math.round(((end[k] - start[k]) / 1000 / seconds) * 100);
    const used = (k: "web" | "worker" | "receiver" | "postgres" | "bench") => Math.max(0, end[k] - start[k]);
    return {
      seconds: Math.round(seconds * 10) / 10,
      /** CPU time used in the interval, in ms (10 ms ticks; PostgreSQL: every backend alive at the end). */
      cpuMs: {
        web: used("web"),
        worker: used("worker"),
        postgres: used("postgres"),
        receiver: used("receiver"),
        bench: Math.round(used("bench")),
      },
      cpuPercent: {
        web: share("web"),
        worker: share("worker"),
        postgres: share("postgres"),
        receiver: share("receiver"),
        bench: share("bench"),
      },
    };
  };
}
