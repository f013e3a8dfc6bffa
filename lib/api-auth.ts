import { eq, sql } from "drizzle-orm";
import { executePrepared, type DbOrTx } from "@/db";
import { apiKeys, companies } from "@/db/schema";
import { apiKeyFailed } from "./account-security";
import { apiError } from "./api-response";
import { clientAddress } from "./client-address";
import { hashToken, randomToken } from "./crypto";

const KEY_PREFIX = "hr_live_";

export function generateApiKey(): { plaintext: string; prefix: string; hash: string } {
  const plaintext = `${KEY_PREFIX}${randomToken(30)}`;
  return { plaintext, prefix: plaintext.slice(0, KEY_PREFIX.length + 6), hash: hashToken(plaintext) };
}

export interface ApiCaller {
  apiKeyId: string;
  apiKeyName: string;
  companyId: string;
  companyName: string;
  /** The user who created the key: the management API acts as them (null once that user is deleted). */
  createdBy: string | null;
}

/**
 * How long a web process trusts a key it has looked up (ms): revoking a key takes effect at once in
 * the process that revoked it (forgetApiKey) and within this time in every other web process.
 */
export const API_KEY_CACHE_MS = 2_000;
const API_KEY_CACHE_MAX = 10_000;

/**
 * Working keys by hash, with when they were read: a busy integration does not cost a query a request. On
 * globalThis: Next bundles the server actions (which revoke) apart from the route handlers (which read),
 * and each bundle would otherwise hold its own cache.
 */
const cacheHolder = globalThis as unknown as {
  __hookrelayApiKeys?: Map<string, { caller: ApiCaller; readAt: number }>;
};
const keyCache = (cacheHolder.__hookrelayApiKeys ??= new Map());

/** Drops a key from this process's cache (revoked here: refused from the next request on). */
export function forgetApiKey(apiKeyId: string): void {
  for (const [hash, entry] of keyCache) if (entry.caller.apiKeyId === apiKeyId) keyCache.delete(hash);
}

/**
 * Authenticates `Authorization: Bearer <key>`: a live (not revoked) key of some company, read again
 * from the database once API_KEY_CACHE_MS old. Marks the key as used at most once a minute, so a busy
 * key does not write on every request.
 */
export async function authenticateApiKey(db: DbOrTx, authorization: string | null): Promise<ApiCaller | null> {
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  if (!match || !match[1].startsWith(KEY_PREFIX) || match[1].length > 200) return null;
  const hash = hashToken(match[1]);
  const cached = keyCache.get(hash);
  if (cached && Date.now() - cached.readAt < API_KEY_CACHE_MS) return cached.caller;
  // A prepared statement (one round trip, parsed once per connection).
  const [row] = await executePrepared<{
    id: string;
    name: string;
    companyId: string;
    companyName: string;
    lastUsedAt: string | null;
    createdBy: string | null;
  }>(
    db,
    sql`select k.id, k.name, k.company_id as "companyId", c.name as "companyName", k.last_used_at as "lastUsedAt", k.created_by as "createdBy"
        from ${apiKeys} k join ${companies} c on c.id = k.company_id
        where k.hash = ${hash} and k.revoked_at is null`,
  );
  if (!row) {
    keyCache.delete(hash);
    return null;
  }
  // Raw rows carry timestamps as text (drizzle leaves date parsing to its own mapping).
  if (!row.lastUsedAt || Date.now() - new Date(row.lastUsedAt).getTime() > 60_000) {
    await db
      .update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(eq(apiKeys.id, row.id));
  }
  const caller: ApiCaller = {
    apiKeyId: row.id,
    apiKeyName: row.name,
    companyId: row.companyId,
    companyName: row.companyName,
    createdBy: row.createdBy,
  };
  keyCache.delete(hash);
  if (keyCache.size >= API_KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(hash, { caller, readAt: Date.now() });
  return caller;
}

/**
 * The answer to a request without a working key: 401 — or 429 with Retry-After once its address
 * has failed more than a burst of times within a minute (lib/account-security.ts), so nobody can
 * try keys at the speed of the intake. Only failures are counted: a working key costs nothing more.
 */
export async function refuseKey(
  db: DbOrTx,
  request: Request,
  message = "Missing or invalid API key: send Authorization: Bearer <key>",
): Promise<Response> {
  const { limited, retryAfterSeconds } = await apiKeyFailed(db, clientAddress(request.headers));
  if (limited) {
    return apiError(
      429,
      "rate_limited",
      `Too many requests with a missing or invalid API key from your address: wait ${retryAfterSeconds} s`,
      "authorization",
      {
        "Retry-After": String(retryAfterSeconds),
      },
    );
  }
  return apiError(401, "unauthorized", message, "authorization");
}
