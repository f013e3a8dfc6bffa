import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { closeDb } from "@/db";
import { memberships, oauthCredentials } from "@/db/schema";
import { createOAuthCredential } from "@/lib/actions/oauth-credentials";
import { createWebhook } from "@/lib/actions/webhooks";
import { decryptSecret } from "@/lib/crypto";
import { oauthCredentialResponseSchema } from "@/lib/openapi";
import { apiClient, keyFor } from "@/tests/api";
import { addMember, makeCompany, testEnvironment } from "@/tests/helpers";
import * as collection from "./route";
import * as item from "./[id]/route";

const env = testEnvironment();
afterAll(async () => {
  await closeDb();
  await env.close();
});

const CLIENT_SECRET = "client-PLAIN-secret-8d41";
const PASSWORD = "grant-PLAIN-password-2b7e";

let a: Awaited<ReturnType<typeof makeCompany>>;
let owner: ReturnType<typeof apiClient>;
let otherCompanyCredentialId: string;

beforeAll(async () => {
  a = await makeCompany(env.deps, "OAuth API Co");
  owner = apiClient(await keyFor(env.deps, a.owner));
  const b = await makeCompany(env.deps, "Other OAuth Co");
  const theirs = await createOAuthCredential.run(env.deps, b.owner, {
    name: "Theirs",
    tokenUrl: "https://b.example.com/token",
    parameters: [{ name: "client_id", value: "b" }],
  });
  if (!theirs.ok) throw new Error(theirs.error);
  otherCompanyCredentialId = theirs.data.credentialId;
});

const input = {
  name: "CRM token",
  tokenUrl: "https://crm.example.com/oauth/token",
  parameters: [
    { name: "grant_type", value: "client_credentials" },
    { name: "client_id", value: "hookrelay" },
    { name: "client_secret", value: CLIENT_SECRET },
    { name: "password", value: PASSWORD, in: "query" },
  ],
};

async function storedParameters(id: string) {
  const [row] = await env.db.select().from(oauthCredentials).where(eq(oauthCredentials.id, id));
  return row.parameters;
}

describe("OAuth credentials over the management API", () => {
  it("creates, lists, reads, replaces (blank secrets keep theirs) and deletes, never returning a secret value", async () => {
    const created = await owner.call(collection.POST, "/api/v1/oauth-credentials", { method: "POST", body: input });
    expect(created.status, created.text).toBe(201);
    const credential = oauthCredentialResponseSchema.parse(created.json.oauthCredential);
    expect(credential.parameters).toEqual([
      { name: "grant_type", in: "body", secret: false, value: "client_credentials", hasValue: true },
      { name: "client_id", in: "body", secret: false, value: "hookrelay", hasValue: true },
      { name: "client_secret", in: "body", secret: true, value: "", hasValue: true },
      { name: "password", in: "query", secret: true, value: "", hasValue: true },
    ]);
    const id = credential.id;

    const listed = await owner.call(collection.GET, "/api/v1/oauth-credentials");
    expect(listed.status).toBe(200);
    expect(listed.json.oauthCredentials.map((c: unknown) => oauthCredentialResponseSchema.parse(c).id)).toEqual([id]);

    const read = await owner.call(item.GET, `/api/v1/oauth-credentials/${id}`, { params: { id } });
    expect(read.json.oauthCredential).toEqual(created.json.oauthCredential);

    const put = await owner.call(item.PUT, `/api/v1/oauth-credentials/${id}`, {
      method: "PUT",
      params: { id },
      body: {
        ...input,
        name: "CRM token v2",
        parameters: input.parameters.map((p) =>
          p.name === "client_secret" || p.name === "password" ? { ...p, value: "" } : p,
        ),
      },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json.oauthCredential).toMatchObject({ name: "CRM token v2" });
    const stored = await storedParameters(id);
    expect(stored.filter((p) => p.secret).map((p) => decryptSecret(p.valueEncrypted!))).toEqual([
      CLIENT_SECRET,
      PASSWORD,
    ]);

    // A secret parameter that is new needs its value.
    const missing = await owner.call(item.PUT, `/api/v1/oauth-credentials/${id}`, {
      method: "PUT",
      params: { id },
      body: { ...input, parameters: [{ name: "refresh_token", value: "" }] },
    });
    expect(missing.status).toBe(422);
    expect(missing.json.error).toMatchObject({
      code: "invalid",
      field: "parameters.0.value",
      fields: { "parameters.0.value": ["Enter a value for refresh_token"] },
    });

    const deleted = await owner.call(item.DELETE, `/api/v1/oauth-credentials/${id}`, {
      method: "DELETE",
      params: { id },
    });
    expect(deleted.status).toBe(204);
    expect((await owner.call(item.GET, `/api/v1/oauth-credentials/${id}`, { params: { id } })).status).toBe(404);
  });

  it("refuses to delete a credential a webhook uses: 409 naming the webhook", async () => {
    const created = await owner.call(collection.POST, "/api/v1/oauth-credentials", {
      method: "POST",
      body: { ...input, name: "In use" },
    });
    const id = created.json.oauthCredential.id as string;
    const hook = await createWebhook.run(env.deps, a.owner, {
      name: "Invoices",
      eventType: "deal.updated",
      url: "https://erp.example.com/hook",
      auth: { type: "oauth", credentialId: id },
    });
    expect(hook.ok).toBe(true);
    const res = await owner.call(item.DELETE, `/api/v1/oauth-credentials/${id}`, { method: "DELETE", params: { id } });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe("conflict");
    expect(res.json.error.message).toContain("Invoices");
    const read = await owner.call(item.GET, `/api/v1/oauth-credentials/${id}`, { params: { id } });
    expect(read.json.oauthCredential.usedBy).toEqual([{ id: hook.ok ? hook.data.webhookId : "", name: "Invoices" }]);
  });

  it("answers 404 for another company's credential or a non-UUID id, and 403 without Manage Webhooks", async () => {
    for (const id of [otherCompanyCredentialId, "nope"]) {
      const params = { id };
      expect((await owner.call(item.GET, `/api/v1/oauth-credentials/${id}`, { params })).status).toBe(404);
      expect(
        (await owner.call(item.PUT, `/api/v1/oauth-credentials/${id}`, { method: "PUT", params, body: input })).status,
      ).toBe(404);
      expect(
        (await owner.call(item.DELETE, `/api/v1/oauth-credentials/${id}`, { method: "DELETE", params })).status,
      ).toBe(404);
    }
    const [theirs] = await env.db
      .select()
      .from(oauthCredentials)
      .where(eq(oauthCredentials.id, otherCompanyCredentialId));
    expect(theirs.name).toBe("Theirs");

    const member = await addMember(env.db, a.companyId, a.roles.Admin.id);
    const memberApi = apiClient(await keyFor(env.deps, member.caller));
    await env.db.update(memberships).set({ roleId: a.roles.Member.id }).where(eq(memberships.id, member.membershipId));
    expect((await memberApi.call(collection.GET, "/api/v1/oauth-credentials")).status).toBe(403);
    expect(
      (await memberApi.call(collection.POST, "/api/v1/oauth-credentials", { method: "POST", body: input })).status,
    ).toBe(403);
  });

  it("never returned a secret parameter value", () => {
    expect(owner.transcript.length).toBeGreaterThan(8);
    for (const text of owner.transcript) {
      expect(text).not.toContain(CLIENT_SECRET);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toMatch(/Encrypted/);
    }
  });
});

describe("authorization-code credentials over the management API", () => {
  it("accepts the grant's fields, never returns the client secret, and says it is not connected yet", async () => {
    const body = {
      name: "Partner CRM (authorization code)",
      grantType: "authorization_code",
      tokenUrl: "https://crm.example.com/oauth/token",
      authorizeUrl: "https://crm.example.com/oauth/authorize",
      clientId: "hookrelay-app",
      clientSecret: CLIENT_SECRET,
      scopes: "contacts.read,deals.write",
    };
    const created = await owner.call(collection.POST, "/api/v1/oauth-credentials", { method: "POST", body });
    expect(created.status, created.text).toBe(201);
    expect(created.text).not.toContain(CLIENT_SECRET);
    const credential = oauthCredentialResponseSchema.parse(created.json.oauthCredential);
    expect(credential).toMatchObject({
      grantType: "authorization_code",
      authorizeUrl: body.authorizeUrl,
      clientId: "hookrelay-app",
      hasClientSecret: true,
      scopes: "contacts.read deals.write",
      pkce: true,
      connection: "not_connected",
      connectedAt: null,
      needsReconnectAt: null,
    });
    const [row] = await env.db.select().from(oauthCredentials).where(eq(oauthCredentials.id, credential.id));
    expect(decryptSecret(row.clientSecretEncrypted!)).toBe(CLIENT_SECRET);

    // Replaced with the secret left out: the saved one stays.
    const path = `/api/v1/oauth-credentials/${credential.id}`;
    const { clientSecret: _omitted, ...withoutSecret } = body;
    const saved = await owner.call(item.PUT, path, {
      method: "PUT",
      params: { id: credential.id },
      body: { ...withoutSecret, pkce: false },
    });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.json.oauthCredential).toMatchObject({ hasClientSecret: true, pkce: false });
    const [after] = await env.db.select().from(oauthCredentials).where(eq(oauthCredentials.id, credential.id));
    expect(after.clientSecretEncrypted).toBe(row.clientSecretEncrypted);

    // Without an authorize URL: 422 naming the field.
    const missing = await owner.call(collection.POST, "/api/v1/oauth-credentials", {
      method: "POST",
      body: { ...body, authorizeUrl: "" },
    });
    expect(missing.status).toBe(422);
    expect(missing.json.error.field).toBe("authorizeUrl");
  });
});
