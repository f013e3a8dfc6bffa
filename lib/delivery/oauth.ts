import { and, eq } from "drizzle-orm";
import type { DbOrTx, Database } from "@/db";
import { oauthCredentials, type OAuthCredential } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { sendSafely } from "./http-client";

/** A token this close to its expiry is refreshed before use. */
const EXPIRY_MARGIN_MS = 30_000;

export class OAuthTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OAuthTokenError";
  }
}

function paramValue(p: OAuthCredential["parameters"][number]): string {
  return p.valueEncrypted ? decryptSecret(p.valueEncrypted) : (p.value ?? "");
}

/** The credential's parameters as name → value, split by where they are sent. */
export function credentialParams(cred: Pick<OAuthCredential, "parameters">) {
  const body = new URLSearchParams();
  const query = new URLSearchParams();
  for (const p of cred.parameters) (p.in === "query" ? query : body).append(p.name, paramValue(p));
  return { body, query };
}

/**
 * Calls the token endpoint: with the refresh token when there is one (grant_type=refresh_token,
 * plus client_id / client_secret from the parameters), else with the configured parameters
 * (client credentials, authorization code …). Goes through the same safe client as deliveries.
 */
export async function requestToken(cred: OAuthCredential, options: { refreshToken?: string | null; timeoutMs?: number } = {}) {
  const { body, query } = credentialParams(cred);
  if (options.refreshToken) {
    const keep = new URLSearchParams();
    for (const name of ["client_id", "client_secret", "scope"]) {
      const v = body.get(name) ?? query.get(name);
      if (v !== null) keep.set(name, v);
    }
    keep.set("grant_type", "refresh_token");
    keep.set("refresh_token", options.refreshToken);
    body.forEach((_, k) => body.delete(k));
    keep.forEach((v, k) => body.set(k, v));
    query.forEach((_, k) => query.delete(k));
  }
  const url = new URL(cred.tokenUrl);
  query.forEach((v, k) => url.searchParams.append(k, v));
  const method = cred.method.toUpperCase() === "GET" ? "GET" : "POST";
  if (method === "GET") body.forEach((v, k) => url.searchParams.append(k, v));
  const outcome = await sendSafely(
    {
      method,
      url: url.toString(),
      headers: { accept: "application/json", ...(method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      body: method === "POST" ? body.toString() : null,
    },
    { timeoutMs: options.timeoutMs ?? 15_000, allowPrivate: process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS === "1" },
  );
  if (outcome.error && outcome.status === null) throw new OAuthTokenError(`Token endpoint unreachable (${outcome.error.kind}): ${outcome.error.message}`);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(outcome.body) as Record<string, unknown>;
  } catch {
    // not JSON: reported below
  }
  if (!outcome.ok || typeof json.access_token !== "string") {
    const reason = typeof json.error === "string" ? `${json.error}${typeof json.error_description === "string" ? `: ${json.error_description}` : ""}` : outcome.body.slice(0, 200) || "no access_token in the answer";
    throw new OAuthTokenError(`Token endpoint answered ${outcome.status}: ${reason}`);
  }
  const expiresIn = typeof json.expires_in === "number" ? json.expires_in : Number(json.expires_in ?? 3600);
  return {
    accessToken: json.access_token,
    refreshToken: typeof json.refresh_token === "string" ? json.refresh_token : null,
    expiresAt: new Date(Date.now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000),
  };
}

/**
 * The credential's access token: the cached one while it is valid, else a refreshed or new one,
 * stored encrypted. The credential row is locked while fetching so that concurrent deliveries fetch
 * once. Token errors are kept on the credential (shown in the UI) and fail the attempt.
 */
export async function getOAuthAccessToken(db: Database, companyId: string, credentialId: string, options: { now?: Date; forceRefresh?: boolean } = {}): Promise<string> {
  const now = options.now ?? new Date();
  const cached = await loadCredential(db, companyId, credentialId);
  if (!options.forceRefresh && cached.accessTokenEncrypted && cached.tokenExpiresAt && cached.tokenExpiresAt.getTime() - EXPIRY_MARGIN_MS > now.getTime()) {
    return decryptSecret(cached.accessTokenEncrypted);
  }
  const result = await db.transaction(async (tx): Promise<{ token: string } | { error: string }> => {
    const [cred] = await tx
      .select()
      .from(oauthCredentials)
      .where(and(eq(oauthCredentials.id, credentialId), eq(oauthCredentials.companyId, companyId)))
      .for("update");
    if (!cred) throw new OAuthTokenError("The OAuth credential no longer exists");
    // Someone else refreshed while we waited for the lock.
    if (!options.forceRefresh && cred.accessTokenEncrypted && cred.tokenExpiresAt && cred.tokenExpiresAt.getTime() - EXPIRY_MARGIN_MS > now.getTime()) {
      return { token: decryptSecret(cred.accessTokenEncrypted) };
    }
    const refreshToken = cred.refreshTokenEncrypted ? decryptSecret(cred.refreshTokenEncrypted) : null;
    let token;
    try {
      token = await requestToken(cred, { refreshToken }).catch(async (err) => {
        // A refresh token that stopped working: fall back to the configured grant once.
        if (refreshToken) return requestToken(cred);
        throw err;
      });
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
    await tx
      .update(oauthCredentials)
      .set({
        accessTokenEncrypted: encryptSecret(token.accessToken),
        refreshTokenEncrypted: token.refreshToken ? encryptSecret(token.refreshToken) : cred.refreshTokenEncrypted,
        tokenExpiresAt: token.expiresAt,
        lastError: null,
        lastErrorAt: null,
        updatedAt: now,
      })
      .where(eq(oauthCredentials.id, cred.id));
    return { token: token.accessToken };
  });
  if ("error" in result) {
    // Outside the transaction, so the error stays on the credential for the UI to show.
    await db.update(oauthCredentials).set({ lastError: result.error, lastErrorAt: now }).where(and(eq(oauthCredentials.id, credentialId), eq(oauthCredentials.companyId, companyId)));
    throw new OAuthTokenError(result.error);
  }
  return result.token;
}

async function loadCredential(db: DbOrTx, companyId: string, id: string): Promise<OAuthCredential> {
  const [cred] = await db.select().from(oauthCredentials).where(and(eq(oauthCredentials.id, id), eq(oauthCredentials.companyId, companyId)));
  if (!cred) throw new OAuthTokenError("The OAuth credential no longer exists");
  return cred;
}
