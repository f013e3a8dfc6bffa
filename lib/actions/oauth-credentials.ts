import { and, eq } from "drizzle-orm";
import { oauthCredentials, type OAuthCredential } from "@/db/schema";
import { recordAudit } from "@/db/queries/companies";
import { getCompanyOAuthCredential, webhooksUsingCredential } from "@/db/queries/webhooks";
import { ActionError, defineAction, ok, type ActionResult } from "@/lib/action";
import { encryptSecret } from "@/lib/crypto";
import { getOAuthAccessToken, OAuthTokenError } from "@/lib/delivery/oauth";
import { beginAuthorization } from "@/lib/oauth/connect";
import { retypeMessage, sameHost } from "@/lib/target-host";
import {
  isSecretParameter,
  normalizeScopes,
  oauthCredentialIdSchema,
  oauthCredentialSchema,
  updateOAuthCredentialSchema,
  type OAuthCredentialConfig,
} from "@/lib/validations/oauth-credential";

type StoredParameter = OAuthCredential["parameters"][number];

/**
 * Parameters as stored: secret ones (client_secret, password, code …) encrypted. A secret left
 * blank while editing keeps the saved value of the parameter with the same name and place.
 */
function storeParameters(
  params: OAuthCredentialConfig["parameters"],
  previous: StoredParameter[] = [],
  hostChange?: { from: string; to: string },
): StoredParameter[] {
  return params.map((p, i) => {
    const secret = isSecretParameter(p);
    if (!secret) return { name: p.name, value: p.value, in: p.in, secret: false };
    if (p.value) return { name: p.name, valueEncrypted: encryptSecret(p.value), in: p.in, secret: true };
    // A saved secret is only sent to the token URL's host it was saved for.
    const saved = hostChange
      ? undefined
      : previous.find((q) => q.name === p.name && q.in === p.in && q.secret && q.valueEncrypted);
    if (!saved) {
      const message = hostChange
        ? retypeMessage(`value of ${p.name}`, hostChange.from, hostChange.to)
        : `Enter a value for ${p.name}`;
      throw new ActionError("invalid", `parameters.${i}.value: ${message}`, { [`parameters.${i}.value`]: [message] });
    }
    return { name: p.name, valueEncrypted: saved.valueEncrypted, in: p.in, secret: true };
  });
}

/**
 * Whether two stored parameter lists say the same (jsonb reorders object keys, so no JSON text
 * comparison). A secret re-typed with the same value counts as a change: its ciphertext differs.
 */
function sameParameters(a: StoredParameter[], b: StoredParameter[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (p, i) =>
        p.name === b[i].name &&
        p.in === b[i].in &&
        p.secret === b[i].secret &&
        (p.value ?? "") === (b[i].value ?? "") &&
        (p.valueEncrypted ?? "") === (b[i].valueEncrypted ?? ""),
    )
  );
}

/** The parameters for the browser and the API: secret values never leave the server. */
export function publicParameters(params: StoredParameter[]) {
  return params.map((p) => ({
    name: p.name,
    in: p.in,
    secret: p.secret,
    value: p.secret ? "" : (p.value ?? ""),
    hasValue: p.secret ? Boolean(p.valueEncrypted) : true,
  }));
}

/**
 * The authorization-code fields as stored: scopes normalised, the client secret encrypted. A blank secret keeps the
 * saved one while the token URL's host stays the same (a secret goes only to the host it was saved for); a
 * custom-parameters credential keeps none of them.
 */
function storeGrant(input: OAuthCredentialConfig, previous?: OAuthCredential) {
  if (input.grantType !== "authorization_code")
    return { authorizeUrl: null, clientId: null, clientSecretEncrypted: null, scopes: "", pkce: true };
  let clientSecretEncrypted: string | null = input.clientSecret ? encryptSecret(input.clientSecret) : null;
  if (!input.clientSecret && previous?.clientSecretEncrypted) {
    if (!sameHost(previous.tokenUrl, input.tokenUrl)) {
      const message = retypeMessage("client secret", previous.tokenUrl, input.tokenUrl);
      throw new ActionError("invalid", `clientSecret: ${message}`, { clientSecret: [message] });
    }
    clientSecretEncrypted = previous.clientSecretEncrypted;
  }
  return {
    authorizeUrl: input.authorizeUrl,
    clientId: input.clientId,
    clientSecretEncrypted,
    scopes: normalizeScopes(input.scopes),
    pkce: input.pkce,
  };
}

export const createOAuthCredential = defineAction({
  name: "createOAuthCredential",
  access: "webhooks.manage",
  schema: oauthCredentialSchema,
  async handler({ db, actor }, input) {
    const parameters = storeParameters(input.parameters);
    const grant = storeGrant(input);
    return db.transaction(async (tx) => {
      const [row] = await tx
        .insert(oauthCredentials)
        .values({
          companyId: actor.companyId,
          name: input.name,
          grantType: input.grantType,
          tokenUrl: input.tokenUrl,
          method: input.method,
          parameters,
          ...grant,
          createdBy: actor.userId,
        })
        .returning({ id: oauthCredentials.id });
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "oauth_credential.created",
        targetType: "oauth_credential",
        targetId: row.id,
        details: {
          name: input.name,
          grantType: input.grantType,
          tokenUrl: input.tokenUrl,
          parameters: parameters.map((p) => p.name),
          ...(input.grantType === "authorization_code"
            ? { authorizeUrl: grant.authorizeUrl, clientId: grant.clientId, scopes: grant.scopes, pkce: grant.pkce }
            : {}),
        },
      });
      return ok(
        { credentialId: row.id },
        input.grantType === "authorization_code"
          ? `OAuth credential ${input.name} created: click Connect to authorize it`
          : `OAuth credential ${input.name} created`,
      );
    });
  },
});

export const updateOAuthCredential = defineAction({
  name: "updateOAuthCredential",
  access: "webhooks.manage",
  schema: updateOAuthCredentialSchema,
  async handler({ db, actor }, input) {
    return db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(oauthCredentials)
        .where(and(eq(oauthCredentials.companyId, actor.companyId), eq(oauthCredentials.id, input.credentialId)))
        .for("update");
      if (!row) throw new ActionError("not_found", "OAuth credential not found");
      const parameters = storeParameters(
        input.parameters,
        row.parameters,
        sameHost(row.tokenUrl, input.tokenUrl) ? undefined : { from: row.tokenUrl, to: input.tokenUrl },
      );
      const grant = storeGrant(input, row);
      const changed: string[] = [];
      if (row.name !== input.name) changed.push("name");
      if (row.grantType !== input.grantType) changed.push("grantType");
      if (row.tokenUrl !== input.tokenUrl) changed.push("tokenUrl");
      if (row.method !== input.method) changed.push("method");
      if (!sameParameters(row.parameters, parameters)) changed.push("parameters");
      if ((row.authorizeUrl ?? null) !== grant.authorizeUrl) changed.push("authorizeUrl");
      if ((row.clientId ?? null) !== grant.clientId) changed.push("clientId");
      if ((row.clientSecretEncrypted ?? null) !== grant.clientSecretEncrypted) changed.push("clientSecret");
      if (row.scopes !== grant.scopes) changed.push("scopes");
      if (row.pkce !== grant.pkce) changed.push("pkce");
      // The cached token was issued for the old settings (PKCE only shapes the next Connect).
      const reissue = changed.some((c) => c !== "name" && c !== "pkce");
      const wasConnected = row.grantType === "authorization_code" && row.connectedAt !== null;
      const stillAuthorizationCode = input.grantType === "authorization_code";
      await tx
        .update(oauthCredentials)
        .set({
          name: input.name,
          grantType: input.grantType,
          tokenUrl: input.tokenUrl,
          method: input.method,
          parameters,
          ...grant,
          ...(reissue
            ? {
                accessTokenEncrypted: null,
                refreshTokenEncrypted: null,
                tokenExpiresAt: null,
                lastError: null,
                lastErrorAt: null,
                // A connection made under the old settings must be made again; a custom credential has none.
                ...(stillAuthorizationCode && wasConnected
                  ? { needsReconnectAt: new Date(), needsReconnectReason: "its settings were changed" }
                  : stillAuthorizationCode
                    ? {}
                    : { connectedAt: null, connectedBy: null, needsReconnectAt: null, needsReconnectReason: null }),
              }
            : {}),
          updatedAt: new Date(),
        })
        .where(eq(oauthCredentials.id, row.id));
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "oauth_credential.updated",
        targetType: "oauth_credential",
        targetId: row.id,
        details: { name: input.name, changed },
      });
      return ok({ credentialId: row.id }, `OAuth credential ${input.name} saved`);
    });
  },
});

/** Refused while webhooks use the credential, naming them. */
export const deleteOAuthCredential = defineAction({
  name: "deleteOAuthCredential",
  access: "webhooks.manage",
  schema: oauthCredentialIdSchema,
  async handler({ db, actor }, input) {
    return db.transaction(async (tx) => {
      const row = await getCompanyOAuthCredential(tx, actor.companyId, input.credentialId);
      if (!row) throw new ActionError("not_found", "OAuth credential not found");
      const users = await webhooksUsingCredential(tx, actor.companyId, row.id);
      if (users.length) {
        const names = users.map((w) => w.name);
        const list =
          names.length > 3 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", ");
        throw new ActionError(
          "conflict",
          `${row.name} is used by ${users.length === 1 ? "the webhook" : `${users.length} webhooks:`} ${list}. Choose another authentication for ${users.length === 1 ? "it" : "them"} first.`,
        );
      }
      await tx.delete(oauthCredentials).where(eq(oauthCredentials.id, row.id));
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "oauth_credential.deleted",
        targetType: "oauth_credential",
        targetId: row.id,
        details: { name: row.name },
      });
      return ok(null, `OAuth credential ${row.name} deleted`);
    });
  },
});

export type TokenTest = { ok: boolean; error: string | null; expiresAt: string | null };

/** "Test token": fetches a new access token now and reports its expiry (never the token), or the endpoint's error. */
export const testOAuthCredential = defineAction({
  name: "testOAuthCredential",
  access: "webhooks.manage",
  schema: oauthCredentialIdSchema,
  async handler({ db, actor }, input): Promise<ActionResult<TokenTest>> {
    const row = await getCompanyOAuthCredential(db, actor.companyId, input.credentialId);
    if (!row) throw new ActionError("not_found", "OAuth credential not found");
    try {
      await getOAuthAccessToken(db, actor.companyId, row.id, { forceRefresh: true });
    } catch (err) {
      if (!(err instanceof OAuthTokenError)) throw err;
      return ok<TokenTest>({ ok: false, error: err.message, expiresAt: null });
    }
    const fresh = await getCompanyOAuthCredential(db, actor.companyId, row.id);
    return ok<TokenTest>(
      { ok: true, error: null, expiresAt: fresh?.tokenExpiresAt?.toISOString() ?? null },
      "Token received",
    );
  },
});

/**
 * Connect / Reconnect (authorization code): a one-time state for this user and credential, and the provider's
 * consent URL the browser is sent to. The provider sends the browser back to /api/oauth/callback.
 */
export const startOAuthConnect = defineAction({
  name: "startOAuthConnect",
  access: "webhooks.manage",
  schema: oauthCredentialIdSchema,
  async handler({ db, actor }, input): Promise<ActionResult<{ authorizeUrl: string }>> {
    const row = await getCompanyOAuthCredential(db, actor.companyId, input.credentialId);
    if (!row) throw new ActionError("not_found", "OAuth credential not found");
    if (row.grantType !== "authorization_code" || !row.authorizeUrl || !row.clientId)
      throw new ActionError(
        "invalid",
        `${row.name} does not use the Authorization code grant: edit it, choose Authorization code and fill in the authorize URL and client ID first`,
      );
    return ok({ authorizeUrl: await beginAuthorization(db, row, actor.userId) });
  },
});
