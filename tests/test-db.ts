import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/db/embedded";
import { runMigrations } from "@/db/migrate";
import { installJobs } from "@/jobs/boss";
import { env } from "@/lib/env";

export interface ThrowawayDatabase {
  url: string;
  /** False when an external server (`externalUrl`) is used: nothing to stop or delete then. */
  embedded: boolean;
  /** Stops the embedded server (connections drop), as an outage would; `startServer` brings it back on the same port.
   * */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

/**
 * A throw-away PostgreSQL, migrated (drizzle's and pg-boss's), for the unit tests, the reliability
 * suite and the bench alike: `externalUrl` when given (TEST_DATABASE_URL, BENCH_DATABASE_URL), else an
 * embedded server in a temporary folder that `destroy` deletes.
 */
export async function startThrowawayDatabase(options: {
  label: string;
  externalUrl?: string;
  persistent?: boolean;
  settings?: string[];
}): Promise<ThrowawayDatabase> {
  if (options.externalUrl) {
    await runMigrations(options.externalUrl);
    await installJobs(options.externalUrl);
    const nothing = async () => {};
    return { url: options.externalUrl, embedded: false, stopServer: nothing, startServer: nothing, destroy: nothing };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hookrelay-${options.label}-`));
  const start = () =>
    startEmbeddedPostgres({
      dir,
      persistent: options.persistent ?? false,
      database: `hookrelay_${options.label}`,
      settings: options.settings,
    });
  let pg: EmbeddedDatabase | null = null;
  try {
    pg = await start();
    await runMigrations(pg.url);
    await installJobs(pg.url);
  } catch (err) {
    await pg?.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let server: EmbeddedDatabase = pg;
  return {
    url: server.url,
    embedded: true,
    stopServer: () => server.stop(),
    async startServer() {
      server = await start();
    },
    async destroy() {
      await server.stop().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The unit tests' database (tests/global-setup.ts): TEST_DATABASE_URL when set. */
export async function startTestDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
  const db = await startThrowawayDatabase({ label: "test", externalUrl: env.TEST_DATABASE_URL });
  return { url: db.url, stop: () => db.destroy() };
}
