import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/db/embedded";
import { createDb } from "@/db";
import { pendingMigrations, runMigrations } from "@/db/migrate";
import { postgresTarget } from "@/db/url";
import { installJobs } from "@/jobs/boss";
import { JOBS } from "@/jobs/definitions";
import { generateSecretKey } from "@/lib/crypto";
import { env as readEnv, EnvError, envIsSet, parseEnv, type Env } from "@/lib/env";
import { sealClearRowSecrets } from "@/lib/webhooks";

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
/** Where the embedded database and the generated secrets live (HOOKRELAY_DATA_DIR: another folder, e.g. for a test). */
export const DATA_DIR = readEnv.HOOKRELAY_DATA_DIR
  ? path.resolve(readEnv.HOOKRELAY_DATA_DIR)
  : path.join(ROOT, ".data");
const EMBEDDED_PORT = 54329;

function readOrCreate(file: string, make: () => string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const value = make();
  fs.writeFileSync(file, value + "\n", { mode: 0o600 });
  return value;
}

export interface Runtime {
  env: Env;
  embedded: EmbeddedDatabase | null;
  stop(): Promise<void>;
}

/**
 * Everything `npm start`, `npm run worker` and `npm run seed` need before they run: a database
 * (embedded when DATABASE_URL is unset), secrets (generated into .data/ in embedded mode),
 * a validated environment, and migrations applied (drizzle's; pg-boss migrates its own schema).
 */
export async function prepareRuntime(
  options: {
    migrate?: boolean;
    /**
     * `npm run start:web` / `start:worker` (the process named): an external DATABASE_URL is required
     * (no embedded database), nothing is migrated, and the schema is checked instead (`npm run migrate`).
     */
    production?: "web" | "worker";
    log?: (m: string) => void;
  } = {},
): Promise<Runtime> {
  const log = options.log ?? ((m: string) => console.log(`[hookrelay] ${m}`));
  let embedded: EmbeddedDatabase | null = null;
  if (options.production && !envIsSet("DATABASE_URL")) {
    refuseToStart(
      `DATABASE_URL is unset. npm run start:${options.production} runs against an external PostgreSQL: set ` +
        "DATABASE_URL (postgres://user:password@host:5432/db), run npm run migrate once per release, then start " +
        "it. (npm start runs everything on one machine with an embedded database.)",
    );
  }
  if (!envIsSet("DATABASE_URL")) {
    log(
      `DATABASE_URL is unset: starting the embedded PostgreSQL (data in ${path.relative(process.cwd(), DATA_DIR) || "."}/pg)`,
    );
    embedded = await startEmbeddedPostgres({ dir: DATA_DIR, preferredPort: EMBEDDED_PORT });
    process.env.DATABASE_URL = embedded.url;
    if (!envIsSet("HOOKRELAY_SECRET_KEY"))
      process.env.HOOKRELAY_SECRET_KEY = readOrCreate(path.join(DATA_DIR, "secret.key"), generateSecretKey);
    if (!envIsSet("AUTH_SECRET"))
      process.env.AUTH_SECRET = readOrCreate(path.join(DATA_DIR, "auth-secret"), () =>
        randomBytes(32).toString("base64url"),
      );
    log(`embedded PostgreSQL listening on 127.0.0.1:${embedded.port}`);
  }
  let env: Env;
  try {
    env = parseEnv();
  } catch (err) {
    await embedded?.stop();
    if (err instanceof EnvError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  if (options.production) await checkReady(env.DATABASE_URL, options.production);
  else if (options.migrate !== false) await applyMigrations(env.DATABASE_URL, log);
  return {
    env,
    embedded,
    stop: async () => {
      if (embedded) await embedded.stop();
    },
  };
}

/**
 * `npm run migrate`'s work, which `npm start` does at every start: drizzle's migrations, pg-boss's schema
 * and the queues, then the data step (header and constant secrets of webhooks saved before they could be
 * secret get encrypted). Idempotent; several at once wait for each other (drizzle and pg-boss lock).
 */
export async function applyMigrations(url: string, log: (m: string) => void): Promise<void> {
  await runMigrations(url);
  await installJobs(url);
  const { client, db } = createDb(url, 1);
  try {
    const sealed = await sealClearRowSecrets(db);
    if (sealed > 0)
      log(
        `${sealed} webhook(s) saved before headers and constants could be secret: stored anew, credential-like values encrypted`,
      );
  } finally {
    await client.end({ timeout: 5 });
  }
  log("database migrations applied (drizzle and pg-boss)");
}

function refuseToStart(message: string): never {
  console.error(`[hookrelay] cannot start: ${message}`);
  process.exit(1);
}

/** The folder of a finished `next build` (what `next start` serves). */
export function buildIsMissing(): boolean {
  return !fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"));
}

/**
 * The production start's checks (npm run start:web / start:worker), each failing with what to do: the
 * database reachable, its schema as this release needs it (drizzle's migrations, pg-boss's schema, the
 * queues), and for the web server the app built.
 */
async function checkReady(url: string, role: "web" | "worker"): Promise<void> {
  if (role === "web" && buildIsMissing())
    refuseToStart("the app is not built (no .next/BUILD_ID): run npx next build (npm run build) first.");
  let problems: string[];
  try {
    const pending = await pendingMigrations(url);
    problems = [
      ...(pending.length ? [`migrations not applied: ${pending.join(", ")}`] : []),
      ...(await jobsInstallProblems(url)),
    ];
  } catch (err) {
    const where = new URL(url);
    refuseToStart(
      `the database at ${where.hostname}${where.port ? `:${where.port}` : ""}${where.pathname} cannot be read ` +
        `(${err instanceof Error ? err.message : String(err)}): check DATABASE_URL and that PostgreSQL is up.`,
    );
  }
  if (problems.length)
    refuseToStart(`the database schema is behind this release (${problems.join("; ")}): run npm run migrate.`);
}

/** The pg-boss schema version this pg-boss release needs (its package.json's `pgboss.schema`). */
function bossSchemaVersion(): number {
  const entry = createRequire(import.meta.url).resolve("pg-boss");
  let dir = path.dirname(entry);
  while (!fs.existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
  return (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { pgboss: { schema: number } }).pgboss
    .schema;
}

/**
 * What `npm run migrate` (installJobs) has still to do for this release's jobs, in words (empty: nothing):
 * pg-boss's schema missing or older than this pg-boss needs, queues of job definitions not created yet.
 */
async function jobsInstallProblems(url: string): Promise<string[]> {
  const [target, socket] = postgresTarget(url);
  const client = postgres(target, { ...socket, max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const [table] = await client<{ name: string | null }[]>`select to_regclass('pgboss.version') as name`;
    if (!table.name) return ["pg-boss's schema is not installed"];
    const [row] = await client<{ version: number }[]>`select version::int as version from pgboss.version`;
    const needed = bossSchemaVersion();
    if (row.version < needed) return [`pg-boss's schema is at version ${row.version}; this release needs ${needed}`];
    const queues = new Set((await client<{ name: string }[]>`select name from pgboss.queue`).map((q) => q.name));
    const missing = JOBS.map((j) => j.name).filter((name) => !queues.has(name));
    return missing.length ? [`job queues not created yet: ${missing.join(", ")}`] : [];
  } finally {
    await client.end({ timeout: 5 });
  }
}
