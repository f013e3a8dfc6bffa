import { and, eq, isNotNull, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { oauthAuthorizations, oauthCredentials, webhooks } from "@/db/schema";
import { recordAudit } from "./companies";

/**
 * Writes of an OAuth credential's tokens and connection state, and the one-time authorizations of Connect
 * (the authorization-code grant). Values arrive encrypted: db/ encrypts nothing itself.
 */

export interface StoredTokens {
  accessTokenEncrypted: string;
  refreshTokenEncrypted: string | null;
  tokenExpiresAt: Date;
}

/** A token fetched or refreshed: stored, and the last error cleared. */
export async function storeOAuthTokens(db: DbOrTx, credentialId: string, tokens: StoredTokens) {
  await db
    .update(oauthCredentials)
    .set({ ...tokens, lastError: null, lastErrorAt: null, updatedAt: new Date() })
    .where(eq(oauthCredentials.id, credentialId));
}

/**
 * The refresh token stopped working: tokens dropped, the credential (and the webhooks using it) shown as
 * "Reconnect needed", deliveries fail until someone connects again. Audited as the system's doing.
 */
export async function markOAuthNeedsReconnect(
  db: DbOrTx,
  input: { companyId: string; credentialId: string; reason: string; at: Date },
) {
  const [row] = await db
    .update(oauthCredentials)
    .set({
      needsReconnectAt: input.at,
      needsReconnectReason: input.reason,
      lastError: input.reason,
      lastErrorAt: input.at,
      accessTokenEncrypted: null,
      refreshTokenEncrypted: null,
      tokenExpiresAt: null,
    })
    .where(and(eq(oauthCredentials.id, input.credentialId), eq(oauthCredentials.companyId, input.companyId)))
    .returning({ name: oauthCredentials.name });
  if (!row) return;
  await recordAudit(db, {
    companyId: input.companyId,
    actorUserId: null,
    action: "oauth_credential.reconnect_needed",
    targetType: "oauth_credential",
    targetId: input.credentialId,
    details: { name: row.name, reason: input.reason },
  });
}

/** A successful Connect: the tokens, who connected and when; "reconnect needed" and the last error cleared. */
export async function storeOAuthConnection(
  db: DbOrTx,
  credentialId: string,
  input: StoredTokens & { userId: string; at: Date },
) {
  await db
    .update(oauthCredentials)
    .set({
      accessTokenEncrypted: input.accessTokenEncrypted,
      refreshTokenEncrypted: input.refreshTokenEncrypted,
      tokenExpiresAt: input.tokenExpiresAt,
      connectedAt: input.at,
      connectedBy: input.userId,
      needsReconnectAt: null,
      needsReconnectReason: null,
      lastError: null,
      lastErrorAt: null,
      updatedAt: input.at,
    })
    .where(eq(oauthCredentials.id, credentialId));
}

/** A Connect whose code exchange failed: the reason stays on the credential. */
export async function recordOAuthConnectError(db: DbOrTx, credentialId: string, message: string, at: Date) {
  await db
    .update(oauthCredentials)
    .set({ lastError: message, lastErrorAt: at })
    .where(eq(oauthCredentials.id, credentialId));
}

/** Authorizations older than a day (used or not) are of no further use. */
const KEEP_AUTHORIZATIONS = sql`now() - interval '1 day'`;

/** A new Connect attempt (its state stored hashed); old attempts of any company are cleared on the way. */
export async function insertOAuthAuthorization(db: DbOrTx, values: typeof oauthAuthorizations.$inferInsert) {
  await db.delete(oauthAuthorizations).where(lt(oauthAuthorizations.createdAt, KEEP_AUTHORIZATIONS));
  const [row] = await db.insert(oauthAuthorizations).values(values).returning({ id: oauthAuthorizations.id });
  return row;
}

export async function findOAuthAuthorization(db: DbOrTx, stateHash: string) {
  const [row] = await db.select().from(oauthAuthorizations).where(eq(oauthAuthorizations.stateHash, stateHash));
  return row ?? null;
}

/** Marks the state used; null when it was used already (single use, also under concurrent callbacks). */
export async function consumeOAuthAuthorization(db: DbOrTx, id: string, at: Date) {
  const [row] = await db
    .update(oauthAuthorizations)
    .set({ usedAt: at })
    .where(and(eq(oauthAuthorizations.id, id), sql`${oauthAuthorizations.usedAt} is null`))
    .returning();
  return row ?? null;
}

export async function finishOAuthAuthorization(
  db: DbOrTx,
  id: string,
  result: { result: "connected" | "failed"; resultMessage: string },
) {
  await db.update(oauthAuthorizations).set(result).where(eq(oauthAuthorizations.id, id));
}

/** How this user's Connect attempt ended, for the page it returns to (another user's attempt is not found). */
export async function getOAuthAuthorizationResult(db: DbOrTx, id: string, userId: string) {
  const [row] = await db
    .select({
      credentialId: oauthAuthorizations.credentialId,
      result: oauthAuthorizations.result,
      message: oauthAuthorizations.resultMessage,
    })
    .from(oauthAuthorizations)
    .where(
      and(
        eq(oauthAuthorizations.id, id),
        eq(oauthAuthorizations.userId, userId),
        isNotNull(oauthAuthorizations.result),
      ),
    );
  return row ?? null;
}

/**
 * The company's webhooks whose OAuth credential cannot give a token without a person (authorization code, not
 * connected or reconnect needed): webhook id → the credential's name and which of the two.
 */
export async function webhooksNeedingReconnect(db: DbOrTx, companyId: string, webhookId?: string) {
  const rows = await db
    .select({
      webhookId: webhooks.id,
      credentialId: oauthCredentials.id,
      credentialName: oauthCredentials.name,
      needsReconnectAt: oauthCredentials.needsReconnectAt,
    })
    .from(webhooks)
    .innerJoin(oauthCredentials, eq(oauthCredentials.id, webhooks.oauthCredentialId))
    .where(
      and(
        eq(webhooks.companyId, companyId),
        webhookId ? eq(webhooks.id, webhookId) : undefined,
        eq(oauthCredentials.grantType, "authorization_code"),
        or(isNotNull(oauthCredentials.needsReconnectAt), sql`${oauthCredentials.connectedAt} is null`),
      ),
    );
  return new Map(
    rows.map((r) => [
      r.webhookId,
      {
        credentialId: r.credentialId,
        credentialName: r.credentialName,
        state: r.needsReconnectAt ? ("reconnect_needed" as const) : ("not_connected" as const),
      },
    ]),
  );
}
export type WebhookReconnectState =
  ReturnType<typeof webhooksNeedingReconnect> extends Promise<Map<string, infer V>> ? V : never;
