import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Database = PostgresJsDatabase<typeof schema>;
/** A transaction handle has the same query API as the database. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type DbOrTx = Database | Tx;

interface DbCache {
  url: string;
  client: postgres.Sql;
  db: Database;
}

/**
 * One pool per process, kept on globalThis so that Next's hot reload in development does not
 * open a new pool on every edit (create-t3-app's habit).
 */
const globalForDb = globalThis as unknown as { __hookrelayDb?: DbCache };

export function createDb(url: string, max = 10): { client: postgres.Sql; db: Database } {
  const client = postgres(url, {
    max,
    onnotice: () => {},
    // A dead server must not hang requests forever; the pool reconnects on the next query.
    connect_timeout: 10,
    idle_timeout: 60,
  });
  return { client, db: drizzle(client, { schema }) };
}

export function getDb(): Database {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (npm start sets it for the embedded database)");
  const cached = globalForDb.__hookrelayDb;
  if (cached && cached.url === url) return cached.db;
  const { client, db } = createDb(url, Number(process.env.DATABASE_POOL_MAX ?? 10));
  globalForDb.__hookrelayDb = { url, client, db };
  return db;
}

export async function closeDb(): Promise<void> {
  const cached = globalForDb.__hookrelayDb;
  globalForDb.__hookrelayDb = undefined;
  await cached?.client.end({ timeout: 5 });
}

export { schema };
