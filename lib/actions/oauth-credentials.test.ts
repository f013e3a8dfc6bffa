import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, desc, eq } from "drizzle-orm";
import { auditLog, oauthCredentials } from "@/db/schema";
import { encryptSecret } from "@/lib/crypto";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { createOAuthCredential, publicParameters, updateOAuthCredential } from "./oauth-credentials";

const env = testEnvironment();
afterAll(() => env.close());

let owner: Awaited<ReturnType<typeof makeCompany>>;
beforeAll(async () => {
  owner = await makeCompany(env.deps, "OAuth Co");
});

const base = {
  name: "Partner CRM",
  tokenUrl: "https://auth.example.com/token",
  parameters: [
    { name: "client_id", value: "abc" },
    { name: "client_secret", value: "s3cret-value-1" },
    { name: "grant_type", value: "client_credentials" },
  ],
};

async function create() {
  const r = await createOAuthCredential.run(env.deps, owner.owner, base);
  if (!r.ok) throw new Error(r.error);
  return r.data.credentialId;
}

async function load(id: string) {
  const [row] = await env.db.select().from(oauthCredentials).where(eq(oauthCredentials.id, id));
  return row;
}

describe("updateOAuthCredential", () => {
  it("a rename keeps the cached token and is audited as a rename only", async () => {
    const id = await create();
    const expires = new Date(Date.now() + 3_600_000);
    await env.db
      .update(oauthCredentials)
      .set({ accessTokenEncrypted: encryptSecret("tok"), tokenExpiresAt: expires })
      .where(eq(oauthCredentials.id, id));
    const r = await updateOAuthCredential.run(env.deps, owner.owner, {
      ...base,
      name: "Partner CRM (prod)",
      credentialId: id,
      parameters: [base.parameters[0], { name: "client_secret", value: "" }, base.parameters[2]],
    });
    expect(r).toMatchObject({ ok: true });
    const row = await load(id);
    expect(row.name).toBe("Partner CRM (prod)");
    expect(row.accessTokenEncrypted).not.toBeNull();
    expect(row.tokenExpiresAt?.getTime()).toBe(expires.getTime());
    const [entry] = await env.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, id), eq(auditLog.action, "oauth_credential.updated")))
      .orderBy(desc(auditLog.createdAt));
    expect(entry.details).toMatchObject({ changed: ["name"] });
  });

  it("a blank secret keeps the saved one; a new value replaces it and drops the cached token", async () => {
    const id = await create();
    const before = await load(id);
    await env.db
      .update(oauthCredentials)
      .set({ accessTokenEncrypted: encryptSecret("tok"), tokenExpiresAt: new Date(Date.now() + 3_600_000) })
      .where(eq(oauthCredentials.id, id));
    const kept = await updateOAuthCredential.run(env.deps, owner.owner, {
      ...base,
      credentialId: id,
      parameters: [base.parameters[0], { name: "client_secret", value: "" }, base.parameters[2]],
    });
    expect(kept).toMatchObject({ ok: true });
    expect((await load(id)).parameters[1].valueEncrypted).toBe(before.parameters[1].valueEncrypted);

    const replaced = await updateOAuthCredential.run(env.deps, owner.owner, {
      ...base,
      credentialId: id,
      parameters: [base.parameters[0], { name: "client_secret", value: "rotated-secret-2" }, base.parameters[2]],
    });
    expect(replaced).toMatchObject({ ok: true });
    const after = await load(id);
    expect(after.parameters[1].valueEncrypted).not.toBe(before.parameters[1].valueEncrypted);
    expect(after.accessTokenEncrypted).toBeNull();
    expect(JSON.stringify(publicParameters(after.parameters))).not.toContain("rotated-secret-2");
  });

  it("a new secret parameter without a value is an error on its row", async () => {
    const id = await create();
    const r = await updateOAuthCredential.run(env.deps, owner.owner, {
      ...base,
      credentialId: id,
      parameters: [...base.parameters, { name: "client_assertion", value: "" }],
    });
    expect(r).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: { "parameters.3.value": ["Enter a value for client_assertion"] },
    });
  });
});
