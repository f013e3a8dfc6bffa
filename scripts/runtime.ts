import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/db/embedded";
import { createDb } from "@/db";
import { runMigrations } from "@/db/migrate";
import { installJobs } from "@/jobs/boss";
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
export async function prepareRuntime(options: { migrate?: boolean; log?: (m: string) => void } = {}): Promise<Runtime> {
  const log = options.log ?? ((m: string) => console.log(`[hookrelay] ${m}`));
  let embedded: EmbeddedDatabase | null = null;
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
  if (options.migrate !== false) {
    await runMigrations(env.DATABASE_URL);
    await installJobs(env.DATABASE_URL);
    // Data step: header and constant secrets of webhooks saved before they could be secret get encrypted.
    const { client, db } = createDb(env.DATABASE_URL, 1);
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
  return {
    env,
    embedded,
    stop: async () => {
      if (embedded) await embedded.stop();
    },
  };
}
