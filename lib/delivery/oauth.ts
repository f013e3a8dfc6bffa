import { and, eq } from "drizzle-orm";
import type { DbOrTx, Database } from "@/db";
import { oauthCredentials, type OAuthCredential } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { sendSafely } from "./http-client";
import { redactor } from "./redact";
import { isUuid } from "@/db/keyset";
import { outboundPolicy } from "@/lib/env";
import { markOAuthNeedsReconnect, storeOAuthTokens } from "@/db/queries/oauth";
import { GENERATED_CODE } from "@/lib/validations/oauth-credential";

/** A token this close to its expiry is refreshed before use. */
const EXPIRY_MARGIN_MS = 60_000;

export class OAuthTokenError extends Error {
  constructor(
    message: string,
    /** The token endpoint's answer when it refused (an HTTP status with an OAuth `error` code): not worth retrying. */
    readonly refusal: { status: number; error: string } | null = null,
  ) {
    super(message);
    this.name = "OAuthTokenError";
  }
}

/**
 * An authorization-code credential that must be connected (again) by a person: never connected, its refresh
 * token refused, or its settings changed. Deliveries fail with this (error kind `oauth_reconnect_needed`) without
 * calling the provider until someone clicks Reconnect.
 */
export class OAuthReconnectNeededError extends OAuthTokenError {
  constructor(message: string) {
    super(message);
    this.name = "OAuthReconnectNeededError";
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
 * (client credentials, password …). Goes through the same safe client as deliveries.
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
  } else {
    // Only an authorization-code credential has a code to put there (saved before the form refused it).
    const placeholder = cred.parameters.find((p) => paramValue(p).includes(GENERATED_CODE));
    if (placeholder)
      throw new OAuthTokenError(
        `The parameter ${placeholder.name} holds ${GENERATED_CODE}, which only the Authorization code grant fills: edit the credential, choose Authorization code and click Connect`,
      );
  }
  return callTokenEndpoint(
    cred,
    body,
    query,
    [...secretParameterValues(cred), options.refreshToken],
    options.timeoutMs,
  );
}

function secretParameterValues(cred: OAuthCredential): string[] {
  return cred.parameters.filter((p) => p.secret || p.valueEncrypted).map(paramValue);
}

/** The client secret of an authorization-code credential (none for a public client). */
function clientSecretOf(cred: OAuthCredential): string | null {
  if (!cred.clientSecretEncrypted) return null;
  try {
    return decryptSecret(cred.clientSecretEncrypted);
  } catch {
    throw new OAuthTokenError("The client secret cannot be read (the encryption key changed): enter it again");
  }
}

/**
 * The authorization-code grant's token request: Hookrelay's own fields (grant type, code or refresh token,
 * redirect URI, client id and secret, PKCE verifier), then the credential's extra parameters — `{{generated_code}}`
 * in one is the code; a parameter holding it is sent with the code exchange only.
 */
function authorizationCodeRequest(
  cred: OAuthCredential,
  grant: { code: string; redirectUri: string; codeVerifier: string | null } | { refreshToken: string },
) {
  const body = new URLSearchParams();
  const query = new URLSearchParams();
  if ("code" in grant) {
    body.set("grant_type", "authorization_code");
    body.set("code", grant.code);
    body.set("redirect_uri", grant.redirectUri);
    if (grant.codeVerifier) body.set("code_verifier", grant.codeVerifier);
  } else {
    body.set("grant_type", "refresh_token");
    body.set("refresh_token", grant.refreshToken);
  }
  body.set("client_id", cred.clientId ?? "");
  const secret = clientSecretOf(cred);
  if (secret) body.set("client_secret", secret);
  for (const p of cred.parameters) {
    const value = paramValue(p);
    if (value.includes(GENERATED_CODE) && !("code" in grant)) continue;
    (p.in === "query" ? query : body).append(
      p.name,
      "code" in grant ? value.replaceAll(GENERATED_CODE, grant.code) : value,
    );
  }
  return { body, query, secrets: [secret, ...secretParameterValues(cred)] };
}

/** Exchanges the code the provider sent back (Connect's callback) for an access and a refresh token. */
export async function exchangeAuthorizationCode(
  cred: OAuthCredential,
  grant: { code: string; redirectUri: string; codeVerifier: string | null },
) {
  const req = authorizationCodeRequest(cred, grant);
  return callTokenEndpoint(cred, req.body, req.query, [...req.secrets, grant.code, grant.codeVerifier]);
}

async function refreshAuthorizationCode(cred: OAuthCredential, refreshToken: string) {
  const req = authorizationCodeRequest(cred, { refreshToken });
  return callTokenEndpoint(cred, req.body, req.query, [...req.secrets, refreshToken]);
}

/** Sends one token request through the safe client and reads the answer; secrets are masked in what it reports. */
async function callTokenEndpoint(
  cred: OAuthCredential,
  body: URLSearchParams,
  query: URLSearchParams,
  secrets: (string | null | undefined)[],
  timeoutMs = 15_000,
) {
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
    { timeoutMs, ...outboundPolicy() },
  );
  // A token endpoint's error page may echo the request (client secret, password, refresh token):
  // what it says is kept on the credential and in attempt logs, so the secrets are masked first.
  const redact = redactor(secrets);
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
    // A 4xx with an OAuth error code is the provider saying no (invalid_grant, invalid_client …), not an outage;
    // 408 and 429 are "not now".
    const refusal =
      outcome.status >= 400 &&
      outcome.status < 500 &&
      outcome.status !== 408 &&
      outcome.status !== 429 &&
      typeof json.error === "string"
        ? { status: outcome.status, error: redact(json.error) }
        : null;
    throw new OAuthTokenError(redact(`Token endpoint answered ${outcome.status}: ${reason}`), refusal);
  }
  const expiresIn = typeof json.expires_in === "number" ? json.expires_in : Number(json.expires_in ?? 3600);
  return {
    accessToken: json.access_token,
    refreshToken: typeof json.refresh_token === "string" && json.refresh_token !== "" ? json.refresh_token : null,
    expiresAt: new Date(Date.now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000),
  };
}
export type TokenAnswer = Awaited<ReturnType<typeof callTokenEndpoint>>;

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

type RefreshOutcome =
  | { token: string }
  | { error: string }
  /** Marked as needing a reconnect (now or before): fail without asking anyone. */
  | { blocked: string };

/** A token answer as stored: encrypted; a refresh token the provider did not rotate keeps the stored one. */
export function encryptTokens(token: TokenAnswer, keptRefreshEncrypted: string | null) {
  return {
    accessTokenEncrypted: encryptSecret(token.accessToken),
    refreshTokenEncrypted: token.refreshToken ? encryptSecret(token.refreshToken) : keptRefreshEncrypted,
    tokenExpiresAt: token.expiresAt,
  };
}

function reconnectMessage(name: string, reason: string): string {
  return `${name} needs to be reconnected (${reason}): someone with Manage Webhooks must click Reconnect on the OAuth credentials page`;
}

/** Why an authorization-code credential cannot give a token without a person, or null when it can try. */
function reconnectReason(cred: OAuthCredential): string | null {
  if (cred.needsReconnectAt) return reconnectMessage(cred.name, cred.needsReconnectReason ?? "its authorization ended");
  if (!cred.connectedAt || (!cred.accessTokenEncrypted && !cred.refreshTokenEncrypted))
    return `${cred.name} is not connected yet: someone with Manage Webhooks must click Connect on the OAuth credentials page`;
  return null;
}

/**
 * The credential's access token: the cached one while it is valid (until 60 s before its expiry), else a
 * refreshed or new one, stored encrypted. The credential row is locked while fetching so that concurrent
 * deliveries fetch once. Token errors are kept on the credential (shown in the UI) and fail the attempt. An
 * authorization-code credential whose refresh is refused is marked "reconnect needed" and then fails at once
 * (OAuthReconnectNeededError) without asking the provider again.
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
  const authorizationCode = cached.grantType === "authorization_code";
  if (authorizationCode) {
    const reason = reconnectReason(cached);
    if (reason) throw new OAuthReconnectNeededError(reason);
  }
  const cachedToken = options.forceRefresh ? null : validCachedToken(cached, now);
  if (cachedToken) return cachedToken;

  type Outcome = RefreshOutcome;
  const result = await db.transaction(async (tx): Promise<Outcome> => {
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
    if (cred.grantType === "authorization_code") return refreshLocked(tx, cred);
    const refreshToken = readRefreshToken(cred);
    let token: TokenAnswer;
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
    await storeOAuthTokens(tx, cred.id, encryptTokens(token, refreshRejected ? null : cred.refreshTokenEncrypted));
    return { token: token.accessToken };
  });
  if ("blocked" in result) throw new OAuthReconnectNeededError(result.blocked);
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

/**
 * An authorization-code credential's refresh, under the row lock: the new access token (and the rotated refresh
 * token when the provider sends one) is stored; a refusal (invalid_grant, invalid_client …) or a missing refresh
 * token means a person must connect again; an outage is an ordinary error, tried again with the next delivery.
 */
async function refreshLocked(tx: DbOrTx, cred: OAuthCredential): Promise<RefreshOutcome> {
  // Marked (or disconnected by an edit) while we waited for the lock.
  const blocked = reconnectReason(cred);
  if (blocked) return { blocked };
  const refreshToken = readRefreshToken(cred);
  if (!refreshToken) return markReconnect(tx, cred, "the access token expired and the provider gave no refresh token");
  try {
    const token = await refreshAuthorizationCode(cred, refreshToken);
    await storeOAuthTokens(tx, cred.id, encryptTokens(token, cred.refreshTokenEncrypted));
    return { token: token.accessToken };
  } catch (err) {
    if (err instanceof OAuthTokenError && err.refusal)
      return markReconnect(tx, cred, `the provider refused the refresh token: ${err.message}`);
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Marked under the row lock, so the deliveries waiting for it fail at once instead of refreshing again. */
async function markReconnect(tx: DbOrTx, cred: OAuthCredential, reason: string): Promise<RefreshOutcome> {
  await markOAuthNeedsReconnect(tx, { companyId: cred.companyId, credentialId: cred.id, reason, at: new Date() });
  return { blocked: reconnectMessage(cred.name, reason) };
}

async function loadCredential(db: DbOrTx, companyId: string, id: string): Promise<OAuthCredential> {
  const [cred] = await db
    .select()
    .from(oauthCredentials)
    .where(and(eq(oauthCredentials.id, id), eq(oauthCredentials.companyId, companyId)));
  if (!cred) throw new OAuthTokenError(NOT_FOUND);
  return cred;
}
