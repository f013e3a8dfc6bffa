import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { oauthCredentials, type OAuthCredential } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { startOAuthProvider } from "@/tests/oauth-provider";
import { closeSafeDispatchers } from "./http-client";
import { getOAuthAccessToken, OAuthTokenError } from "./oauth";

process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
const env = testEnvironment();
const CLIENT_ID = "hookrelay-client";
const CLIENT_SECRET = "s3cr3t-client-secret-value";

let provider: Awaited<ReturnType<typeof startOAuthProvider>>;
/** Every token request the real server answered, with the form parameters it received. */
let tokenRequests: Record<string, unknown>[] = [];
/** Refresh tokens the server treats as revoked. */
let revokedRefreshTokens: Set<string>;

let tokenUrl: string;
let company: Awaited<ReturnType<typeof makeCompany>>;
let otherCompany: Awaited<ReturnType<typeof makeCompany>>;

beforeAll(async () => {
  provider = await startOAuthProvider(CLIENT_SECRET);
  revokedRefreshTokens = provider.revokedRefreshTokens;
  tokenUrl = `${provider.url}/token`;
  company = await makeCompany(env.deps, "OAuth Co");
  otherCompany = await makeCompany(env.deps, "Other Co");
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

async function makeCredential(
  opts: { grant?: "client_credentials" | "password"; secret?: string; url?: string; companyId?: string } = {},
) {
  const grant = opts.grant ?? "client_credentials";
  const parameters: OAuthCredential["parameters"] = [
    { name: "client_id", value: CLIENT_ID, in: "body", secret: false },
    { name: "client_secret", valueEncrypted: encryptSecret(opts.secret ?? CLIENT_SECRET), in: "body", secret: true },
    { name: "grant_type", value: grant, in: "body", secret: false },
  ];
  if (grant === "password") {
    parameters.push({ name: "username", value: "crm-sync", in: "body", secret: false });
    parameters.push({ name: "password", valueEncrypted: encryptSecret("user-password-123"), in: "body", secret: true });
  }
  const [cred] = await env.db
    .insert(oauthCredentials)
    .values({
      companyId: opts.companyId ?? company.companyId,
      name: `Cred ${grant}`,
      tokenUrl: opts.url ?? tokenUrl,
      method: "POST",
      parameters,
    })
    .returning();
  return cred;
}

async function row(id: string) {
  const [r] = await env.db.select().from(oauthCredentials).where(eq(oauthCredentials.id, id));
  return r;
}

async function expire(id: string) {
  await env.db
    .update(oauthCredentials)
    .set({ tokenExpiresAt: new Date(Date.now() - 60_000) })
    .where(eq(oauthCredentials.id, id));
}

describe("getOAuthAccessToken against oauth2-mock-server", () => {
  it("fetches a token with the configured parameters, stores it encrypted, and serves it from the cache", async () => {
    const cred = await makeCredential();
    const token = await getOAuthAccessToken(env.db, company.companyId, cred.id);

    expect(token.split(".")).toHaveLength(3); // a JWT signed by the mock server
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]).toMatchObject({
      grant_type: "client_credentials",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });

    const stored = await row(cred.id);
    expect(stored.accessTokenEncrypted).toBeTruthy();
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(JSON.stringify(stored)).not.toContain(CLIENT_SECRET);
    expect(decryptSecret(stored.accessTokenEncrypted!)).toBe(token);
    expect(stored.refreshTokenEncrypted).toBeNull(); // client credentials grants carry none
    expect(stored.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(stored.lastError).toBeNull();

    const again = await getOAuthAccessToken(env.db, company.companyId, cred.id);
    expect(again).toBe(token);
    expect(tokenRequests).toHaveLength(1);
  });

  it("fetches a new token once the cached one has expired or is about to", async () => {
    const cred = await makeCredential();
    const first = await getOAuthAccessToken(env.db, company.companyId, cred.id);
    await expire(cred.id);
    const second = await getOAuthAccessToken(env.db, company.companyId, cred.id);
    expect(second).not.toBe(first);
    expect(tokenRequests).toHaveLength(2);
    expect(decryptSecret((await row(cred.id)).accessTokenEncrypted!)).toBe(second);

    // Inside the 60-second margin counts as expired.
    await env.db
      .update(oauthCredentials)
      .set({ tokenExpiresAt: new Date(Date.now() + 10_000) })
      .where(eq(oauthCredentials.id, cred.id));
    const third = await getOAuthAccessToken(env.db, company.companyId, cred.id);
    expect(third).not.toBe(second);
    expect(tokenRequests).toHaveLength(3);
  });

  it("uses the refresh token when it has one, sending only the client's identity with it", async () => {
    const cred = await makeCredential({ grant: "password" });
    const first = await getOAuthAccessToken(env.db, company.companyId, cred.id);
    expect(tokenRequests[0]).toMatchObject({
      grant_type: "password",
      username: "crm-sync",
      password: "user-password-123",
    });
    const afterFirst = await row(cred.id);
    expect(afterFirst.refreshTokenEncrypted).toBeTruthy();
    const refreshToken = decryptSecret(afterFirst.refreshTokenEncrypted!);
    expect(afterFirst.refreshTokenEncrypted).not.toContain(refreshToken);

    await expire(cred.id);
    const second = await getOAuthAccessToken(env.db, company.companyId, cred.id);
    expect(second).not.toBe(first);
    expect(tokenRequests).toHaveLength(2);
    expect(tokenRequests[1]).toEqual({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    // The server rotated the refresh token: the new one is kept.
    const afterSecond = await row(cred.id);
    expect(decryptSecret(afterSecond.refreshTokenEncrypted!)).not.toBe(refreshToken);
  });

  it("falls back to the configured grant when the refresh token is refused, and forgets the dead refresh token", async () => {
    const cred = await makeCredential();
    await env.db
      .update(oauthCredentials)
      .set({
        accessTokenEncrypted: encryptSecret("old-access"),
        refreshTokenEncrypted: encryptSecret("stale-refresh-token"),
        tokenExpiresAt: new Date(Date.now() - 1000),
      })
      .where(eq(oauthCredentials.id, cred.id));
    revokedRefreshTokens.add("stale-refresh-token");

    const token = await getOAuthAccessToken(env.db, company.companyId, cred.id);
    expect(token).not.toBe("old-access");
    expect(tokenRequests.map((r) => r.grant_type)).toEqual(["refresh_token", "client_credentials"]);
    const stored = await row(cred.id);
    expect(stored.refreshTokenEncrypted).toBeNull();
    expect(stored.lastError).toBeNull();

    // Next expiry: one request with the configured grant, no doomed refresh first.
    await expire(cred.id);
    await getOAuthAccessToken(env.db, company.companyId, cred.id);
    expect(tokenRequests.map((r) => r.grant_type)).toEqual([
      "refresh_token",
      "client_credentials",
      "client_credentials",
    ]);
  });

  it("fails with the token endpoint's reason and keeps it on the credential until a fetch succeeds", async () => {
    const cred = await makeCredential({ secret: "wrong-secret" });
    const err = await getOAuthAccessToken(env.db, company.companyId, cred.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthTokenError);
    expect((err as Error).message).toBe("Token endpoint answered 401: invalid_client: Client authentication failed");
    const failed = await row(cred.id);
    expect(failed.lastError).toBe((err as Error).message);
    expect(failed.lastErrorAt).toBeInstanceOf(Date);
    expect(failed.accessTokenEncrypted).toBeNull();

    // The user fixes the secret: the next fetch succeeds and clears the error.
    const fixed = cred.parameters.map((p) =>
      p.name === "client_secret" ? { ...p, valueEncrypted: encryptSecret(CLIENT_SECRET) } : p,
    );
    await env.db.update(oauthCredentials).set({ parameters: fixed }).where(eq(oauthCredentials.id, cred.id));
    await getOAuthAccessToken(env.db, company.companyId, cred.id);
    const ok = await row(cred.id);
    expect(ok).toMatchObject({ lastError: null, lastErrorAt: null });
  });

  it("fails with a clear reason when the token endpoint is unreachable", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const cred = await makeCredential({ url: `http://127.0.0.1:${port}/token` });
    await expect(getOAuthAccessToken(env.db, company.companyId, cred.id)).rejects.toThrow(OAuthTokenError);
    const stored = await row(cred.id);
    expect(stored.lastError).toMatch(/^Token endpoint unreachable \(connection_refused\)/);
  });

  it("does not find another company's credential, nor an unknown or malformed id", async () => {
    const cred = await makeCredential();
    await expect(getOAuthAccessToken(env.db, otherCompany.companyId, cred.id)).rejects.toThrow(
      new OAuthTokenError("The OAuth credential no longer exists"),
    );
    await expect(getOAuthAccessToken(env.db, company.companyId, randomUUID())).rejects.toThrow(OAuthTokenError);
    await expect(getOAuthAccessToken(env.db, company.companyId, "not-a-uuid")).rejects.toThrow(OAuthTokenError);
    expect(tokenRequests).toHaveLength(0);
    expect((await row(cred.id)).lastError).toBeNull();
  });

  it("fetches once for concurrent callers", async () => {
    const cred = await makeCredential();
    const tokens = await Promise.all(
      Array.from({ length: 5 }, () => getOAuthAccessToken(env.db, company.companyId, cred.id)),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(tokenRequests).toHaveLength(1);

    await expire(cred.id);
    const refreshed = await Promise.all(
      Array.from({ length: 5 }, () => getOAuthAccessToken(env.db, company.companyId, cred.id)),
    );
    expect(new Set(refreshed).size).toBe(1);
    expect(refreshed[0]).not.toBe(tokens[0]);
    expect(tokenRequests).toHaveLength(2);
  });
});
