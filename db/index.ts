import type { SQL } from "drizzle-orm";
import { drizzle, PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { PostgresJsSession } from "drizzle-orm/postgres-js/session";
import { hostname } from "node:os";
import postgres from "postgres";
import * as schema from "./schema";
import { env } from "@/lib/env";
import { postgresTarget } from "./url";

export { postgresTarget };

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
const globalForDb = globalThis as unknown as { __hookrelayDb?: DbCache; __hookrelayReadDb?: DbCache };

/** This process's app connections' application_name (lib/metrics.ts counts the pool's use by it). */
export const APP_POOL_NAME = `hookrelay ${process.pid}@${hostname()}`.slice(0, 63);

export function createDb(url: string, max = 10): { client: postgres.Sql; db: Database } {
  const [target, socket] = postgresTarget(url);
  const client = postgres(target, {
    ...socket,
    max,
    onnotice: () => {},
    // A dead server must not hang requests forever; the pool reconnects on the next query.
    connect_timeout: 10,
    idle_timeout: 60,
    connection: { application_name: APP_POOL_NAME },
  });
  return { client, db: drizzle(client, { schema }) };
}

export function getDb(): Database {
  const url = env.DATABASE_URL;
  const cached = globalForDb.__hookrelayDb;
  if (cached && cached.url === url) return cached.db;
  const { client, db } = createDb(url, env.DATABASE_POOL_MAX);
  globalForDb.__hookrelayDb = { url, client, db };
  return db;
}

/**
 * The pool for reads that may lag a little: the delivery history (lists and counts), the webhooks
 * list, the events list and the API's list endpoints. With DATABASE_READ_URL (a streaming replica)
 * they run there, on a second pool of DATABASE_POOL_MAX connections; unset, this is getDb(). Never
 * for a read that must see a write made just before (a form loading what it saved, the detail page a
 * Resync lands on, sessions, API keys, rate limits, anything inside a write): a replica can be
 * behind by a moment, and a row just written would then look missing.
 */
export function getReadDb(): Database {
  const url = env.DATABASE_READ_URL;
  if (!url) return getDb();
  const cached = globalForDb.__hookrelayReadDb;
  if (cached && cached.url === url) return cached.db;
  const { client, db } = createDb(url, env.DATABASE_POOL_MAX);
  globalForDb.__hookrelayReadDb = { url, client, db };
  return db;
}

export async function closeDb(): Promise<void> {
  const caches = [globalForDb.__hookrelayDb, globalForDb.__hookrelayReadDb];
  globalForDb.__hookrelayDb = undefined;
  globalForDb.__hookrelayReadDb = undefined;
  await Promise.all(caches.map((cached) => cached?.client.end({ timeout: 5 })));
}

export { schema };

/**
 * Runs a statement as a named prepared statement of its connection (postgres.js `prepare: true`).
 * drizzle's `execute()` sends every statement unnamed, and postgres.js then asks the server to
 * describe it before binding it: two round trips, and a parse and a plan per call. For the few
 * statements a hot path runs thousands of times with the same text (the delivery worker's batch
 * writes) this is one round trip, and the server parses them once per connection. Only for
 * statements whose text does not vary with their input (arrays and JSON as single parameters):
 * every distinct text stays prepared on its connection. Rows come back raw: column names as
 * selected, timestamps as text (drizzle's client leaves date parsing to its own mapping).
 */
export async function executePrepared<T extends Record<string, unknown>>(db: DbOrTx, query: SQL): Promise<T[]> {
  const { sql, params } = internalsOf(db).dialect.sqlToQuery(query);
  return (await clientOf(db).unsafe(sql, params as postgres.ParameterOrJSON<never>[], {
    prepare: true,
  })) as unknown as T[];
}

/** pg-boss's `db` option on this connection or transaction, with its statements prepared (see executePrepared). */
export function preparedBossDb(db: DbOrTx) {
  const client = clientOf(db);
  return {
    async executeSql(text: string, values: unknown[] = []) {
      return {
        rows: (await client.unsafe(text, values as postgres.ParameterOrJSON<never>[], {
          prepare: true,
        })) as unknown as Record<string, unknown>[],
      };
    },
  };
}

/**
 * A transaction whose BEGIN goes out with its first statements: a connection is reserved, BEGIN is sent
 * without waiting for its answer, and the statements `fn` sends without awaiting each other (e.g. with
 * Promise.all) follow it in the same flight (postgres.js pipelines on one connection; PostgreSQL runs them
 * in order). COMMIT follows once they have all answered; any error rolls the whole back. Where
 * `db.transaction()` takes a round trip for BEGIN, one per statement and one for COMMIT, a wave of the
 * delivery worker's writes (its outcome statement and the jobs' completion) takes two. `tx` supports
 * what the statements of db/queries/delivery-state.ts and pg-boss's `db` option use (drizzle's query
 * builder and executePrepared), not nested transactions.
 */
export async function pipelinedTransaction<T>(db: Database, fn: (tx: Database) => Promise<T>): Promise<T> {
  const reserved = await clientOf(db).reserve();
  try {
    const begin = reserved.unsafe("begin");
    begin.catch(() => {});
    const { dialect, session } = internalsOf(db);
    const txSession = new PostgresJsSession(reserved, dialect as never, session.schema as never, {});
    const tx = new (PostgresJsDatabase as unknown as new (...args: unknown[]) => Database)(
      dialect,
      txSession,
      session.schema,
    );
    let result: T;
    try {
      result = await fn(tx);
      await begin;
    } catch (err) {
      await reserved.unsafe("rollback").catch(() => {});
      throw err;
    }
    await reserved.unsafe("commit");
    return result;
  } finally {
    reserved.release();
  }
}

type Internals = {
  session: { client: postgres.Sql; schema: unknown };
  dialect: { sqlToQuery(q: SQL): { sql: string; params: unknown[] } };
};
function internalsOf(db: DbOrTx): Internals {
  return db as unknown as Internals;
}
function clientOf(db: DbOrTx): postgres.Sql {
  return internalsOf(db).session.client;
}

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * JSON for a `jsonb` parameter. PostgreSQL's JSON parser refuses a lone UTF-16 surrogate (`"\ud83d"`),
 * which JSON.stringify writes for a string cut in the middle of an emoji; as a text parameter the
 * same string would have been stored with U+FFFD in its place, and so it is here.
 */
export function jsonParam(value: unknown): string {
  // JSON.stringify writes a lone surrogate as an escape (`\udXXX`, lower case): without one in its output
  // (nearly always) there is nothing to replace, and no replacer call per value.
  const plain = JSON.stringify(value) as string | undefined;
  if (plain !== undefined && !plain.includes("\\ud")) return plain;
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "string" && SURROGATE.test(v) ? v.replace(LONE_SURROGATE, "\uFFFD") : v,
  );
}
