import { createHash, randomBytes } from "node:crypto";
import type { Database } from "@/db";
import { getCompanyOAuthCredential } from "@/db/queries/webhooks";
import { recordAudit } from "@/db/queries/companies";
import {
  consumeOAuthAuthorization,
  findOAuthAuthorization,
  finishOAuthAuthorization,
  insertOAuthAuthorization,
  recordOAuthConnectError,
  storeOAuthConnection,
} from "@/db/queries/oauth";
import type { OAuthCredential } from "@/db/schema";
import { can, loadActor } from "@/lib/authz";
import { decryptSecret, encryptSecret, hashToken, randomToken } from "@/lib/crypto";
import { encryptTokens, exchangeAuthorizationCode, OAuthTokenError } from "@/lib/delivery/oauth";
import { appUrl } from "@/lib/env";

/**
 * Connect: the OAuth authorization-code grant, in the browser. `beginAuthorization` makes a one-time `state`
 * (random; only its SHA-256 is stored, with the PKCE verifier encrypted, the credential, the user and a 10-minute
 * expiry) and the provider's consent URL; the provider sends the browser back to `GET /api/oauth/callback`, where
 * `completeAuthorization` checks the state (known, this user's, not expired, not used), that the user still holds
 * Manage Webhooks in the credential's company, and exchanges the code for tokens at the token URL (through the same
 * SSRF-guarded client as deliveries). The browser then lands on the OAuth credentials page with the outcome.
 */

export const CALLBACK_PATH = "/api/oauth/callback";
export const AUTHORIZATION_TTL_MS = 10 * 60_000;

/** What to register with the provider as the redirect (callback) URI: built from APP_URL. */
export function oauthRedirectUri(): string {
  return `${appUrl()}${CALLBACK_PATH}`;
}

/** RFC 7636: a 43-character verifier and its S256 challenge. */
export function pkcePair() {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier, "ascii").digest("base64url");
  return { verifier, challenge };
}

/** The consent page's URL for a new one-time state of this credential and user. */
export async function beginAuthorization(
  db: Database,
  cred: OAuthCredential,
  userId: string,
  now = new Date(),
): Promise<string> {
  const state = randomToken(32);
  const pkce = cred.pkce ? pkcePair() : null;
  const redirectUri = oauthRedirectUri();
  await insertOAuthAuthorization(db, {
    companyId: cred.companyId,
    credentialId: cred.id,
    userId,
    stateHash: hashToken(state),
    codeVerifierEncrypted: pkce ? encryptSecret(pkce.verifier) : null,
    redirectUri,
    expiresAt: new Date(now.getTime() + AUTHORIZATION_TTL_MS),
  });
  const url = new URL(cred.authorizeUrl ?? "");
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", cred.clientId ?? "");
  url.searchParams.set("redirect_uri", redirectUri);
  if (cred.scopes) url.searchParams.set("scope", cred.scopes);
  url.searchParams.set("state", state);
  if (pkce) {
    url.searchParams.set("code_challenge", pkce.challenge);
    url.searchParams.set("code_challenge_method", "S256");
  }
  return url.toString();
}

/** Why a callback was refused before anything was exchanged; the credentials page says it in words. */
export const CONNECT_ERRORS = {
  missing_state: "The provider sent the browser back without the state Hookrelay gave it. Click Connect again.",
  unknown_state:
    "Hookrelay did not start that authorization, or it is too old to find. Click Connect again on the credential.",
  other_user: "That authorization was started by someone else. Click Connect yourself.",
  expired: "The authorization took longer than 10 minutes. Click Connect again.",
  used: "That authorization was used already (each works once). Click Connect again.",
  forbidden: "You no longer hold Manage Webhooks in the company of that credential, so nothing was connected.",
  gone: "The credential no longer exists or no longer uses the Authorization code grant.",
} as const;
export type ConnectError = keyof typeof CONNECT_ERRORS;

export function isConnectError(value: unknown): value is ConnectError {
  return typeof value === "string" && Object.hasOwn(CONNECT_ERRORS, value);
}

export interface CallbackParams {
  state: string | null;
  code: string | null;
  error: string | null;
  errorDescription: string | null;
}

/** Where the browser goes next: the credentials page with the attempt's id (its result) or a refusal's code. */
export type CallbackOutcome = { authorizationId: string } | { error: ConnectError };

const ONE_LINE = /[\u0000-\u001F\u007F-\u009F]+/g;

/** A provider-supplied text, as one short line. */
function clip(text: string, max = 300): string {
  const line = text.replace(ONE_LINE, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * The callback's work for the signed-in `userId`. A state that is not this user's is left alone (it still works
 * for its owner); any other state is used up here, whatever the outcome.
 */
export async function completeAuthorization(
  db: Database,
  userId: string,
  params: CallbackParams,
  now = new Date(),
): Promise<CallbackOutcome> {
  if (!params.state) return { error: "missing_state" };
  const found = await findOAuthAuthorization(db, hashToken(params.state));
  if (!found) return { error: "unknown_state" };
  if (found.userId !== userId) return { error: "other_user" };
  const auth = await consumeOAuthAuthorization(db, found.id, now);
  if (!auth) return { error: "used" };
  if (auth.expiresAt.getTime() <= now.getTime()) return { error: "expired" };

  // The permission as it is now, in the credential's company (not the company the browser last chose).
  const actor = await loadActor(db, userId, auth.companyId, { strict: true });
  if (!actor || !can(actor, "webhooks.manage")) return { error: "forbidden" };
  const cred = await getCompanyOAuthCredential(db, auth.companyId, auth.credentialId);
  if (!cred || cred.grantType !== "authorization_code") return { error: "gone" };

  const reconnect = cred.connectedAt !== null;
  const fail = async (message: string, details: Record<string, unknown>) => {
    await db.transaction(async (tx) => {
      await recordOAuthConnectError(tx, cred.id, message, now);
      await finishOAuthAuthorization(tx, auth.id, { result: "failed", resultMessage: message });
      await recordAudit(tx, {
        companyId: cred.companyId,
        actorUserId: userId,
        action: "oauth_credential.connect_failed",
        targetType: "oauth_credential",
        targetId: cred.id,
        details: { name: cred.name, ...details },
      });
    });
    return { authorizationId: auth.id };
  };

  if (params.error || !params.code) {
    const code = clip(params.error ?? "no_code", 100);
    const description = params.errorDescription ? clip(params.errorDescription) : "";
    const message = params.error
      ? `The provider refused the connection: ${code}${description ? ` — ${description}` : ""}`
      : "The provider sent the browser back without an authorization code";
    return fail(message, { error: code });
  }

  let tokens;
  try {
    tokens = await exchangeAuthorizationCode(cred, {
      code: params.code,
      redirectUri: auth.redirectUri,
      codeVerifier: auth.codeVerifierEncrypted ? decryptSecret(auth.codeVerifierEncrypted) : null,
    });
  } catch (err) {
    if (!(err instanceof OAuthTokenError)) throw err;
    return fail(`The code could not be exchanged for a token: ${err.message}`, {
      error: err.refusal?.error ?? "token_request_failed",
    });
  }
  await db.transaction(async (tx) => {
    await storeOAuthConnection(tx, cred.id, { ...encryptTokens(tokens, null), userId, at: now });
    await finishOAuthAuthorization(tx, auth.id, {
      result: "connected",
      resultMessage: `${cred.name} ${reconnect ? "reconnected" : "connected"}${tokens.refreshToken ? "" : " (the provider gave no refresh token: connect again when the token expires)"}`,
    });
    await recordAudit(tx, {
      companyId: cred.companyId,
      actorUserId: userId,
      action: reconnect ? "oauth_credential.reconnected" : "oauth_credential.connected",
      targetType: "oauth_credential",
      targetId: cred.id,
      details: { name: cred.name, scopes: cred.scopes, refreshToken: tokens.refreshToken !== null },
    });
  });
  return { authorizationId: auth.id };
}
