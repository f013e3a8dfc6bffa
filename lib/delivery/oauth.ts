import { and, eq } from "drizzle-orm";
import type { DbOrTx, Database } from "@/db";
import { oauthCredentials, type OAuthCredential } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { sendSafely } from "./http-client";
import { redactor } from "./redact";
import { isUuid } from "@/db/keyset";
import { outboundPolicy } from "@/lib/env";

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
export async function requestToken(
  cred: OAuthCredential,
  options: { refreshToken?: string | null; timeoutMs?: number } = {},
) {
  const configured = credentialParams(cred);
  let body = configured.body;
  let query = configured.query;
  if (options.refreshToken) {
    // A refresh sends only the client's identity and the refresh token: the configured grant's other
    // parameters (a one-time `code`, a user's password …) are not repeated. Built afresh, never by
    // deleting while iterating (URLSearchParams.forEach skips entries when the list shrinks under it).
    const refresh = new URLSearchParams();
    for (const name of ["client_id", "client_secret", "scope"]) {
      const v = configured.body.get(name) ?? configured.query.get(name);
      if (v !== null) refresh.set(name, v);
    }
    refresh.set("grant_type", "refresh_token");
    refresh.set("refresh_token", options.refreshToken);
    body = refresh;
    query = new URLSearchParams();
  }
  let url: URL;
  try {
    url = new URL(cred.tokenUrl);
  } catch {
    throw new OAuthTokenError("The token URL is not a valid URL");
  }
  query.forEach((v, k) => url.searchParams.append(k, v));
  const method = cred.method.toUpperCase() === "GET" ? "GET" : "POST";
  if (method === "GET") body.forEach((v, k) => url.searchParams.append(k, v));
  const outcome = await sendSafely(
    {
      method,
      url: url.toString(),
      headers: {
        accept: "application/json",
        ...(method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: method === "POST" ? body.toString() : null,
    },
    { timeoutMs: options.timeoutMs ?? 15_000, ...outboundPolicy() },
  );
  // A token endpoint's error page may echo the request (client secret, password, refresh token):
  // what it says is kept on the credential and in attempt logs, so the secrets are masked first.
  const redact = redactor([
    ...cred.parameters.filter((p) => p.secret || p.valueEncrypted).map(paramValue),
    options.refreshToken,
  ]);
  if (outcome.status === null) {
    throw new OAuthTokenError(
      redact(
        `Token endpoint unreachable (${outcome.error?.kind ?? "other"}): ${outcome.error?.message ?? "no response"}`,
      ),
    );
  }
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(outcome.body);
    // `null`, an array or a string is valid JSON but not a token answer.
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    // not JSON: reported below
  }
  if (!outcome.ok || typeof json.access_token !== "string" || json.access_token === "") {
    const reason =
      typeof json.error === "string"
        ? `${json.error}${typeof json.error_description === "string" ? `: ${json.error_description}` : ""}`
        : redact(outcome.body).slice(0, 200) || "no access_token in the answer";
    throw new OAuthTokenError(redact(`Token endpoint answered ${outcome.status}: ${reason}`));
  }
  const expiresIn = typeof json.expires_in === "number" ? json.expires_in : Number(json.expires_in ?? 3600);
  return {
    accessToken: json.access_token,
    refreshToken: typeof json.refresh_token === "string" && json.refresh_token !== "" ? json.refresh_token : null,
    expiresAt: new Date(Date.now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000),
  };
}

/** The stored access token while it is valid (and readable), else null. */
function validCachedToken(cred: OAuthCredential, now: Date): string | null {
  if (!cred.accessTokenEncrypted || !cred.tokenExpiresAt) return null;
  if (cred.tokenExpiresAt.getTime() - EXPIRY_MARGIN_MS <= now.getTime()) return null;
  try {
    return decryptSecret(cred.accessTokenEncrypted);
  } catch {
    return null; // encrypted under a key no longer configured: fetch a new one
  }
}

function readRefreshToken(cred: OAuthCredential): string | null {
  if (!cred.refreshTokenEncrypted) return null;
  try {
    return decryptSecret(cred.refreshTokenEncrypted);
  } catch {
    return null;
  }
}

const NOT_FOUND = "The OAuth credential no longer exists";

/**
 * The credential's access token: the cached one while it is valid, else a refreshed or new one,
 * stored encrypted. The credential row is locked while fetching so that concurrent deliveries fetch
 * once. Token errors are kept on the credential (shown in the UI) and fail the attempt.
 */
export async function getOAuthAccessToken(
  db: Database,
  companyId: string,
  credentialId: string,
  options: { now?: Date; forceRefresh?: boolean } = {},
): Promise<string> {
  const now = options.now ?? new Date();
  const calledAt = Date.now();
  // Not a uuid: Postgres would answer with a syntax error rather than "no such row".
  if (!isUuid(credentialId) || !isUuid(companyId)) throw new OAuthTokenError(NOT_FOUND);
  const cached = await loadCredential(db, companyId, credentialId);
  const cachedToken = options.forceRefresh ? null : validCachedToken(cached, now);
  if (cachedToken) return cachedToken;

  const result = await db.transaction(async (tx): Promise<{ token: string } | { error: string }> => {
    const [cred] = await tx
      .select()
      .from(oauthCredentials)
      .where(and(eq(oauthCredentials.id, credentialId), eq(oauthCredentials.companyId, companyId)))
      .for("update");
    if (!cred) throw new OAuthTokenError(NOT_FOUND);
    // Someone else fetched while we waited for the lock (also under forceRefresh: a token newer than our call is
    // fresh).
    const fresh = validCachedToken(cred, now);
    if (fresh && (!options.forceRefresh || cred.updatedAt.getTime() > calledAt)) return { token: fresh };
    const refreshToken = readRefreshToken(cred);
    let token: Awaited<ReturnType<typeof requestToken>>;
    let refreshRejected = false;
    try {
      try {
        token = await requestToken(cred, { refreshToken });
      } catch (err) {
        if (!refreshToken) throw err;
        // A refresh token that stopped working: fall back to the configured grant once.
        refreshRejected = true;
        token = await requestToken(cred);
      }
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
    // A refresh token the endpoint refused is dropped, so later fetches do not try it again first.
    const keptRefresh = refreshRejected ? null : cred.refreshTokenEncrypted;
    await tx
      .update(oauthCredentials)
      .set({
        accessTokenEncrypted: encryptSecret(token.accessToken),
        refreshTokenEncrypted: token.refreshToken ? encryptSecret(token.refreshToken) : keptRefresh,
        tokenExpiresAt: token.expiresAt,
        lastError: null,
        lastErrorAt: null,
        updatedAt: new Date(),
      })
      .where(eq(oauthCredentials.id, cred.id));
    return { token: token.accessToken };
  });
  if ("error" in result) {
    // Outside the transaction, so the error stays on the credential for the UI to show.
    await db
      .update(oauthCredentials)
      .set({ lastError: result.error, lastErrorAt: now })
      .where(and(eq(oauthCredentials.id, credentialId), eq(oauthCredentials.companyId, companyId)));
    throw new OAuthTokenError(result.error);
  }
  return result.token;
}

async function loadCredential(db: DbOrTx, companyId: string, id: string): Promise<OAuthCredential> {
  const [cred] = await db
    .select()
    .from(oauthCredentials)
    .where(and(eq(oauthCredentials.id, id), eq(oauthCredentials.companyId, companyId)));
  if (!cred) throw new OAuthTokenError(NOT_FOUND);
  return cred;
}
