import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditLog, memberships, oauthAuthorizations, oauthCredentials } from "@/db/schema";
import { webhooksNeedingReconnect } from "@/db/queries/oauth";
import { ACTIONS } from "@/lib/actions/registry";
import { decryptSecret, hashToken } from "@/lib/crypto";
import { closeSafeDispatchers } from "@/lib/delivery/http-client";
import { getOAuthAccessToken, OAuthReconnectNeededError, OAuthTokenError } from "@/lib/delivery/oauth";
import { addMember, makeCompany, testEnvironment } from "@/tests/helpers";
import { startOAuthProvider } from "@/tests/oauth-provider";
import { AUTHORIZATION_TTL_MS, completeAuthorization, oauthRedirectUri, type CallbackParams } from "./connect";

/**
 * Connect (the authorization-code grant) against a real oauth2-mock-server: its /authorize redirects straight back
 * with a code (and remembers the PKCE challenge, which its /token then checks), its /token exchanges codes and
 * refresh tokens. Its events stand in for a real provider's checks: the client secret, revoked refresh tokens.
 */
process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
const env = testEnvironment();
const CLIENT_ID = "hookrelay-connect";
const CLIENT_SECRET = "connect-client-secret-value";

let provider: Awaited<ReturnType<typeof startOAuthProvider>>;
/** The provider's record of token requests (emptied before each test). */
let tokenRequests: Record<string, unknown>[] = [];
let company: Awaited<ReturnType<typeof makeCompany>>;
let otherCompany: Awaited<ReturnType<typeof makeCompany>>;

beforeAll(async () => {
  provider = await startOAuthProvider(CLIENT_SECRET);
  company = await makeCompany(env.deps, "Connect Co");
  otherCompany = await makeCompany(env.deps, "Other Connect Co");
});

afterAll(async () => {
  await closeSafeDispatchers();
  await provider.stop();
  await env.close();
});

beforeEach(() => {
  provider.tokenRequests.length = 0;
  tokenRequests = provider.tokenRequests;
});

async function createCredential(overrides: Record<string, unknown> = {}, caller = company.owner) {
  const created = await ACTIONS.createOAuthCredential.run(env.deps, caller, {
    name: `Partner ${randomUUID().slice(0, 6)}`,
    grantType: "authorization_code",
    tokenUrl: `${provider.url}/token`,
    authorizeUrl: `${provider.url}/authorize`,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    scopes: "contacts.read, contacts.write",
    ...overrides,
  });
  if (!created.ok) throw new Error(`credential refused: ${created.error}`);
  return created.data.credentialId;
}

async function row(id: string) {
  const [r] = await env.db.select().from(oauthCredentials).where(eq(oauthCredentials.id, id));
  return r;
}

/** Clicks Connect as `caller` and follows the mock provider's consent page: the callback's query. */
async function consent(credentialId: string, caller = company.owner): Promise<CallbackParams & { url: URL }> {
  const started = await ACTIONS.startOAuthConnect.run(env.deps, caller, { credentialId });
  if (!started.ok) throw new Error(`Connect refused: ${started.error}`);
  const url = new URL(started.data.authorizeUrl);
  const answer = await fetch(url, { redirect: "manual" });
  expect(answer.status).toBe(302);
  const back = new URL(answer.headers.get("location")!);
  expect(`${back.origin}${back.pathname}`).toBe(oauthRedirectUri());
  return {
    url,
    state: back.searchParams.get("state"),
    code: back.searchParams.get("code"),
    error: back.searchParams.get("error"),
    errorDescription: back.searchParams.get("error_description"),
  };
}

async function connect(credentialId: string) {
  const params = await consent(credentialId);
  const outcome = await completeAuthorization(env.db, company.owner.userId!, params);
  expect(outcome).toHaveProperty("authorizationId");
  return outcome;
}

async function auditActions(credentialId: string) {
  const rows = await env.db
    .select({ action: auditLog.action, actor: auditLog.actorUserId, details: auditLog.details })
    .from(auditLog)
    .where(and(eq(auditLog.targetType, "oauth_credential"), eq(auditLog.targetId, credentialId)))
    .orderBy(auditLog.createdAt);
  return rows;
}

describe("Connect", () => {
  it("sends the browser to the consent page with a one-time state, PKCE S256 and the scopes", async () => {
    const id = await createCredential();
    const { url, state } = await consent(id);
    expect(url.origin + url.pathname).toBe(`${provider.url}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: oauthRedirectUri(),
      scope: "contacts.read contacts.write",
      code_challenge_method: "S256",
    });
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(state).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    // Only the state's hash is stored, the verifier encrypted.
    const [stored] = await env.db.select().from(oauthAuthorizations).where(eq(oauthAuthorizations.credentialId, id));
    expect(stored.stateHash).toBe(hashToken(state!));
    expect(JSON.stringify(stored)).not.toContain(state);
    expect(stored.codeVerifierEncrypted).toBeTruthy();
    expect(stored.expiresAt.getTime() - stored.createdAt.getTime()).toBeCloseTo(AUTHORIZATION_TTL_MS, -4);
  });

  it("exchanges the code (with the PKCE verifier) and stores the tokens encrypted; the audit log says connected", async () => {
    const id = await createCredential();
    const params = await consent(id);
    const outcome = await completeAuthorization(env.db, company.owner.userId!, params);
    expect(tokenRequests).toHaveLength(1);
    const exchange = tokenRequests[0];
    expect(exchange).toMatchObject({
      grant_type: "authorization_code",
      code: params.code,
      redirect_uri: oauthRedirectUri(),
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    // The mock server checked the verifier against the challenge it was given (it refuses a mismatch).
    expect(String(exchange.code_verifier)).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const cred = await row(id);
    expect(cred.connectedAt).toBeInstanceOf(Date);
    expect(cred.connectedBy).toBe(company.owner.userId);
    expect(cred.needsReconnectAt).toBeNull();
    const access = decryptSecret(cred.accessTokenEncrypted!);
    const refresh = decryptSecret(cred.refreshTokenEncrypted!);
    expect(access.split(".")).toHaveLength(3);
    expect(JSON.stringify(cred)).not.toContain(access);
    expect(JSON.stringify(cred)).not.toContain(refresh);
    expect(JSON.stringify(cred)).not.toContain(CLIENT_SECRET);

    const [attempt] = await env.db
      .select()
      .from(oauthAuthorizations)
      .where(eq(oauthAuthorizations.id, (outcome as { authorizationId: string }).authorizationId));
    expect(attempt).toMatchObject({ result: "connected" });
    expect(attempt.resultMessage).toMatch(/connected$/);
    expect((await auditActions(id)).map((a) => a.action)).toEqual([
      "oauth_credential.created",
      "oauth_credential.connected",
    ]);

    // The delivery path uses the stored token without asking the provider.
    expect(await getOAuthAccessToken(env.db, company.companyId, id)).toBe(access);
    expect(tokenRequests).toHaveLength(1);
  });

  it("without PKCE sends neither a challenge nor a verifier", async () => {
    const id = await createCredential({ pkce: false });
    const params = await consent(id);
    expect(params.url.searchParams.has("code_challenge")).toBe(false);
    await completeAuthorization(env.db, company.owner.userId!, params);
    expect(tokenRequests[0]).not.toHaveProperty("code_verifier");
    expect((await row(id)).connectedAt).toBeInstanceOf(Date);
  });

  it("refuses a state used twice: the second callback exchanges nothing", async () => {
    const id = await createCredential();
    const params = await consent(id);
    await completeAuthorization(env.db, company.owner.userId!, params);
    expect(await completeAuthorization(env.db, company.owner.userId!, params)).toEqual({ error: "used" });
    expect(tokenRequests).toHaveLength(1);
  });

  it("refuses an expired state, an unknown one and a missing one", async () => {
    const id = await createCredential();
    const params = await consent(id);
    const later = new Date(Date.now() + AUTHORIZATION_TTL_MS + 1000);
    expect(await completeAuthorization(env.db, company.owner.userId!, params, later)).toEqual({ error: "expired" });
    expect(
      await completeAuthorization(env.db, company.owner.userId!, { ...params, state: "forged-state-value" }),
    ).toEqual({ error: "unknown_state" });
    expect(await completeAuthorization(env.db, company.owner.userId!, { ...params, state: null })).toEqual({
      error: "missing_state",
    });
    expect(tokenRequests).toHaveLength(0);
    expect((await row(id)).connectedAt).toBeNull();
  });

  it("leaves another user's state alone: it still works for whoever started it", async () => {
    const id = await createCredential();
    const params = await consent(id);
    expect(await completeAuthorization(env.db, otherCompany.owner.userId!, params)).toEqual({
      error: "other_user",
    });
    expect(tokenRequests).toHaveLength(0);
    await completeAuthorization(env.db, company.owner.userId!, params);
    expect((await row(id)).connectedAt).toBeInstanceOf(Date);
  });

  it("refuses when the user lost Manage Webhooks since clicking Connect", async () => {
    const admin = await addMember(env.db, company.companyId, company.roles.Admin.id);
    const id = await createCredential();
    const params = await consent(id, admin.caller);
    await env.db
      .update(memberships)
      .set({ roleId: company.roles.Member.id })
      .where(eq(memberships.id, admin.membershipId));
    expect(await completeAuthorization(env.db, admin.user.id, params)).toEqual({ error: "forbidden" });
    expect(tokenRequests).toHaveLength(0);
    expect((await row(id)).connectedAt).toBeNull();
  });

  it("refuses when the user left the credential's company (a member of another company only)", async () => {
    const admin = await addMember(env.db, company.companyId, company.roles.Admin.id);
    await env.db.insert(memberships).values({
      companyId: otherCompany.companyId,
      userId: admin.user.id,
      roleId: otherCompany.roles.Admin.id,
    });
    const id = await createCredential();
    const params = await consent(id, admin.caller);
    await env.db.delete(memberships).where(eq(memberships.id, admin.membershipId));
    expect(await completeAuthorization(env.db, admin.user.id, params)).toEqual({ error: "forbidden" });
    expect(tokenRequests).toHaveLength(0);
  });

  it("Connect itself needs Manage Webhooks, the company's own credential and the Authorization code grant", async () => {
    const id = await createCredential();
    const member = await addMember(env.db, company.companyId, company.roles.Member.id);
    expect(await ACTIONS.startOAuthConnect.run(env.deps, member.caller, { credentialId: id })).toMatchObject({
      ok: false,
      code: "forbidden",
    });
    expect(await ACTIONS.startOAuthConnect.run(env.deps, otherCompany.owner, { credentialId: id })).toMatchObject({
      ok: false,
      code: "not_found",
    });
    const custom = await ACTIONS.createOAuthCredential.run(env.deps, company.owner, {
      name: "Client credentials",
      tokenUrl: `${provider.url}/token`,
      parameters: [{ name: "grant_type", value: "client_credentials" }],
    });
    if (!custom.ok) throw new Error(custom.error);
    expect(
      await ACTIONS.startOAuthConnect.run(env.deps, company.owner, { credentialId: custom.data.credentialId }),
    ).toMatchObject({ ok: false, code: "invalid", error: expect.stringMatching(/Authorization code grant/) });
  });

  it("names the provider's error when consent is refused, and keeps it on the credential", async () => {
    const id = await createCredential();
    const params = await consent(id);
    const outcome = await completeAuthorization(env.db, company.owner.userId!, {
      ...params,
      code: null,
      error: "access_denied",
      errorDescription: "The user denied the request",
    });
    const [attempt] = await env.db
      .select()
      .from(oauthAuthorizations)
      .where(eq(oauthAuthorizations.id, (outcome as { authorizationId: string }).authorizationId));
    expect(attempt.result).toBe("failed");
    expect(attempt.resultMessage).toBe(
      "The provider refused the connection: access_denied — The user denied the request",
    );
    expect((await row(id)).lastError).toBe(attempt.resultMessage);
    expect(tokenRequests).toHaveLength(0);
    expect((await auditActions(id)).at(-1)).toMatchObject({
      action: "oauth_credential.connect_failed",
      details: { error: "access_denied" },
    });
  });

  it("reports a refused code exchange (wrong client secret) with the token endpoint's words", async () => {
    const id = await createCredential({ clientSecret: "not-the-secret" });
    const params = await consent(id);
    const outcome = await completeAuthorization(env.db, company.owner.userId!, params);
    const [attempt] = await env.db
      .select()
      .from(oauthAuthorizations)
      .where(eq(oauthAuthorizations.id, (outcome as { authorizationId: string }).authorizationId));
    expect(attempt.resultMessage).toBe(
      "The code could not be exchanged for a token: Token endpoint answered 401: invalid_client: Client authentication failed",
    );
    expect((await row(id)).connectedAt).toBeNull();
  });
});

describe("the delivery path with an authorization-code credential", () => {
  it("fails without asking anyone while it is not connected", async () => {
    const id = await createCredential();
    const err = await getOAuthAccessToken(env.db, company.companyId, id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthReconnectNeededError);
    expect((err as Error).message).toMatch(/is not connected yet: someone with Manage Webhooks must click Connect/);
    expect(tokenRequests).toHaveLength(0);
  });

  it("refreshes shortly before expiry (60 s), rotating the refresh token", async () => {
    const id = await createCredential();
    await connect(id);
    const first = await row(id);
    const firstAccess = decryptSecret(first.accessTokenEncrypted!);
    const firstRefresh = decryptSecret(first.refreshTokenEncrypted!);
    provider.tokenRequests.length = 0;

    // 90 s left: still used.
    await env.db
      .update(oauthCredentials)
      .set({ tokenExpiresAt: new Date(Date.now() + 90_000) })
      .where(eq(oauthCredentials.id, id));
    expect(await getOAuthAccessToken(env.db, company.companyId, id)).toBe(firstAccess);
    expect(tokenRequests).toHaveLength(0);

    // 45 s left: refreshed first.
    await env.db
      .update(oauthCredentials)
      .set({ tokenExpiresAt: new Date(Date.now() + 45_000) })
      .where(eq(oauthCredentials.id, id));
    const second = await getOAuthAccessToken(env.db, company.companyId, id);
    expect(second).not.toBe(firstAccess);
    expect(tokenRequests).toEqual([
      { grant_type: "refresh_token", refresh_token: firstRefresh, client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
    ]);
    const after = await row(id);
    expect(decryptSecret(after.accessTokenEncrypted!)).toBe(second);
    expect(decryptSecret(after.refreshTokenEncrypted!)).not.toBe(firstRefresh); // rotated
    expect(after.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 3000_000);
  });

  it("refreshes once for concurrent deliveries", async () => {
    const id = await createCredential();
    await connect(id);
    provider.tokenRequests.length = 0;
    await env.db
      .update(oauthCredentials)
      .set({ tokenExpiresAt: new Date(0) })
      .where(eq(oauthCredentials.id, id));
    const tokens = await Promise.all(
      Array.from({ length: 6 }, () => getOAuthAccessToken(env.db, company.companyId, id)),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(tokenRequests.map((r) => r.grant_type)).toEqual(["refresh_token"]);
  });

  it("marks the credential and its webhooks 'reconnect needed' when the refresh is refused; Reconnect clears it", async () => {
    const id = await createCredential();
    await connect(id);
    const hook = await ACTIONS.createWebhook.run(env.deps, company.owner, {
      name: `Uses ${id.slice(0, 6)}`,
      eventType: "contact.created",
      url: "http://127.0.0.1:9/hook",
      auth: { type: "oauth", credentialId: id },
    });
    if (!hook.ok) throw new Error(hook.error);
    const refresh = decryptSecret((await row(id)).refreshTokenEncrypted!);
    provider.revokedRefreshTokens.add(refresh);
    await env.db
      .update(oauthCredentials)
      .set({ tokenExpiresAt: new Date(0) })
      .where(eq(oauthCredentials.id, id));
    provider.tokenRequests.length = 0;

    const results = await Promise.allSettled(
      Array.from({ length: 3 }, () => getOAuthAccessToken(env.db, company.companyId, id)),
    );
    for (const r of results) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(OAuthReconnectNeededError);
    }
    expect(tokenRequests).toHaveLength(1); // one refusal, not three
    const marked = await row(id);
    expect(marked.needsReconnectAt).toBeInstanceOf(Date);
    expect(marked.needsReconnectReason).toBe(
      "the provider refused the refresh token: Token endpoint answered 400: invalid_grant: The refresh token was revoked",
    );
    expect(marked.accessTokenEncrypted).toBeNull();
    expect(marked.refreshTokenEncrypted).toBeNull();
    expect((await webhooksNeedingReconnect(env.db, company.companyId)).get(hook.data.webhookId)).toEqual({
      credentialId: id,
      credentialName: marked.name,
      state: "reconnect_needed",
    });
    expect((await auditActions(id)).at(-1)).toMatchObject({ action: "oauth_credential.reconnect_needed", actor: null });

    // Later deliveries fail at once, without calling the provider.
    const again = await getOAuthAccessToken(env.db, company.companyId, id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(OAuthReconnectNeededError);
    expect((again as Error).message).toMatch(/needs to be reconnected \(the provider refused the refresh token/);
    expect(tokenRequests).toHaveLength(1);

    // Reconnect.
    await connect(id);
    const reconnected = await row(id);
    expect(reconnected.needsReconnectAt).toBeNull();
    expect(reconnected.lastError).toBeNull();
    expect((await webhooksNeedingReconnect(env.db, company.companyId)).has(hook.data.webhookId)).toBe(false);
    expect((await auditActions(id)).at(-1)).toMatchObject({ action: "oauth_credential.reconnected" });
    await expect(getOAuthAccessToken(env.db, company.companyId, id)).resolves.toBeTruthy();
  });

  it("an outage during the refresh is an ordinary error, not a reason to reconnect", async () => {
    const id = await createCredential();
    await connect(id);
    await env.db
      .update(oauthCredentials)
      .set({ tokenExpiresAt: new Date(0), tokenUrl: "http://127.0.0.1:9/token" })
      .where(eq(oauthCredentials.id, id));
    const err = await getOAuthAccessToken(env.db, company.companyId, id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthTokenError);
    expect(err).not.toBeInstanceOf(OAuthReconnectNeededError);
    const cred = await row(id);
    expect(cred.needsReconnectAt).toBeNull();
    expect(cred.refreshTokenEncrypted).not.toBeNull();
    expect(cred.lastError).toMatch(/^Token endpoint unreachable \(connection_refused\)/);
  });

  it("changing the provider settings of a connected credential asks for a reconnect", async () => {
    const id = await createCredential();
    await connect(id);
    const cred = await row(id);
    const saved = await ACTIONS.updateOAuthCredential.run(env.deps, company.owner, {
      credentialId: id,
      name: cred.name,
      grantType: "authorization_code",
      tokenUrl: cred.tokenUrl,
      authorizeUrl: cred.authorizeUrl,
      clientId: CLIENT_ID,
      scopes: "contacts.read",
    });
    expect(saved.ok).toBe(true);
    const after = await row(id);
    expect(after.needsReconnectReason).toBe("its settings were changed");
    expect(after.accessTokenEncrypted).toBeNull();
    expect(after.clientSecretEncrypted).toBe(cred.clientSecretEncrypted); // blank kept the saved secret
    await expect(getOAuthAccessToken(env.db, company.companyId, id)).rejects.toThrow(OAuthReconnectNeededError);
  });
});

describe("{{generated_code}}", () => {
  it("is refused in a custom-parameters credential, with what to do instead", async () => {
    const refused = await ACTIONS.createOAuthCredential.run(env.deps, company.owner, {
      name: "Seed style",
      tokenUrl: `${provider.url}/token`,
      parameters: [
        { name: "client_id", value: CLIENT_ID },
        { name: "grant_type", value: "client_credentials" },
        { name: "code", value: "{{generated_code}}", secret: false },
      ],
    });
    expect(refused).toMatchObject({ ok: false, code: "invalid" });
    expect(!refused.ok && refused.fieldErrors?.["parameters.2.value"]?.[0]).toMatch(
      /choose the Authorization code grant and click Connect/,
    );
  });

  it("is filled with the code in an extra parameter of an authorization-code credential, and only on the exchange", async () => {
    const id = await createCredential({
      parameters: [{ name: "auth_code", value: "{{generated_code}}", secret: false }],
    });
    const params = await consent(id);
    await completeAuthorization(env.db, company.owner.userId!, params);
    expect(tokenRequests[0]).toMatchObject({ code: params.code, auth_code: params.code });
    await env.db
      .update(oauthCredentials)
      .set({ tokenExpiresAt: new Date(0) })
      .where(eq(oauthCredentials.id, id));
    await getOAuthAccessToken(env.db, company.companyId, id);
    expect(tokenRequests[1]).not.toHaveProperty("auth_code");
  });

  it("an authorization-code credential refuses extra parameters that Hookrelay sends itself", async () => {
    const refused = await ACTIONS.createOAuthCredential.run(env.deps, company.owner, {
      name: "Doubled",
      grantType: "authorization_code",
      tokenUrl: `${provider.url}/token`,
      authorizeUrl: `${provider.url}/authorize`,
      clientId: CLIENT_ID,
      parameters: [{ name: "code", value: "{{generated_code}}" }],
    });
    expect(!refused.ok && refused.fieldErrors?.["parameters.0.name"]?.[0]).toMatch(
      /Hookrelay sends the authorization code .* as code itself/,
    );
  });

  it("saved before the form refused it, it is not sent literally: the token request fails with the reason", async () => {
    const [cred] = await env.db
      .insert(oauthCredentials)
      .values({
        companyId: company.companyId,
        name: "Legacy seed style",
        tokenUrl: `${provider.url}/token`,
        parameters: [
          { name: "grant_type", value: "authorization_code", in: "body", secret: false },
          { name: "code", value: "{{generated_code}}", in: "body", secret: false },
        ],
      })
      .returning();
    const err = await getOAuthAccessToken(env.db, company.companyId, cred.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthTokenError);
    expect((err as Error).message).toMatch(/The parameter code holds \{\{generated_code\}\}/);
    expect(tokenRequests).toHaveLength(0);
  });
});
