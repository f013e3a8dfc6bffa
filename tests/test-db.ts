import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/db/embedded";
import { runMigrations } from "@/db/migrate";
import { installJobs } from "@/jobs/boss";
import { env } from "@/lib/env";

/**
 * A throw-away PostgreSQL for tests: TEST_DATABASE_URL when set, otherwise an embedded server in a
 * temporary folder that is deleted afterwards. Migrations are applied either way.
 */
export async function startTestDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
  const given = env.TEST_DATABASE_URL;
  if (given) {
    await runMigrations(given);
    await installJobs(given);
    return { url: given, stop: async () => {} };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hookrelay-test-"));
  let embedded: EmbeddedDatabase | null = null;
  try {
    embedded = await startEmbeddedPostgres({ dir, persistent: false, database: "hookrelay_test" });
    await runMigrations(embedded.url);
    await installJobs(embedded.url);
  } catch (err) {
    await embedded?.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const db = embedded;
  return {
    url: db.url,
    stop: async () => {
      await db.stop().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
