import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { postgresTarget } from "./url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_FOLDER = path.join(here, "migrations");

/** Applies the committed drizzle migrations; safe to run on every start. */
export async function runMigrations(url: string): Promise<void> {
  const [target, socket] = postgresTarget(url);
  const client = postgres(target, { ...socket, max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.end({ timeout: 5 });
  }
}

interface JournalEntry {
  tag: string;
  when: number;
}

/**
 * The committed migrations the database has not applied yet, by name (empty: up to date). drizzle's
 * migrator records each applied migration's timestamp in drizzle.__drizzle_migrations and applies
 * those newer than the last one recorded; this asks the same question without applying anything.
 */
export async function pendingMigrations(url: string): Promise<string[]> {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
    entries: JournalEntry[];
  };
  const [target, socket] = postgresTarget(url);
  const client = postgres(target, { ...socket, max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const [table] = await client<{ name: string | null }[]>`select to_regclass('drizzle.__drizzle_migrations') as name`;
    let last = 0;
    if (table.name) {
      const [row] = await client<{ last: string | null }[]>`
        select max(created_at)::text as last from drizzle.__drizzle_migrations`;
      last = Number(row.last ?? 0);
    }
    return journal.entries.filter((e) => e.when > last).map((e) => e.tag);
  } finally {
    await client.end({ timeout: 5 });
  }
}
