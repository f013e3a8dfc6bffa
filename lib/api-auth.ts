import { and, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { apiKeys, companies } from "@/db/schema";
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
 * Authenticates `Authorization: Bearer <key>`: a live (not revoked) key of some company.
 * Marks the key as used at most once a minute, so a busy key does not write on every request.
 */
export async function authenticateApiKey(db: DbOrTx, authorization: string | null): Promise<ApiCaller | null> {
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  if (!match || !match[1].startsWith(KEY_PREFIX) || match[1].length > 200) return null;
  const [row] = await db
    .select({ id: apiKeys.id, name: apiKeys.name, companyId: apiKeys.companyId, companyName: companies.name, lastUsedAt: apiKeys.lastUsedAt, createdBy: apiKeys.createdBy })
    .from(apiKeys)
    .innerJoin(companies, eq(companies.id, apiKeys.companyId))
    .where(and(eq(apiKeys.hash, hashToken(match[1])), isNull(apiKeys.revokedAt)));
  if (!row) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(apiKeys).set({ lastUsedAt: sql`now()` }).where(eq(apiKeys.id, row.id));
  }
  return { apiKeyId: row.id, apiKeyName: row.name, companyId: row.companyId, companyName: row.companyName, createdBy: row.createdBy };
}
