import { afterAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { apiKeys } from "@/db/schema";
import { createApiKey, revokeApiKey } from "@/lib/actions/api-keys";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { GET } from "./route";

const env = testEnvironment();
afterAll(() => env.close());

const call = (authorization?: string) =>
  GET(new Request("http://localhost/api/v1/company", { headers: authorization ? { authorization } : {} }));

describe("GET /api/v1/company (API key auth)", () => {
  it("answers 401 with a JSON error naming the header for a missing, malformed or unknown key", async () => {
    for (const header of [undefined, "Basic abc", "Bearer hr_live_unknownkey"]) {
      const res = await call(header);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { field: "authorization" } });
    }
  });

  it("identifies the key's company, marks it used, and stops working once revoked", async () => {
    const a = await makeCompany(env.deps, "Keyed Co");
    const created = await createApiKey.run(env.deps, a.owner, { name: "Integration" });
    if (!created.ok) throw new Error(created.error);
    const [stored] = await env.db.select().from(apiKeys).where(eq(apiKeys.id, created.data.apiKeyId));
    expect(stored.hash).not.toContain(created.data.key);
    expect(created.data.key.startsWith(stored.prefix)).toBe(true);
    expect(stored.lastUsedAt).toBeNull();

    const res = await call(`Bearer ${created.data.key}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      company: { id: a.companyId, name: "Keyed Co" },
      apiKey: { id: created.data.apiKeyId, name: "Integration" },
    });
    const [used] = await env.db.select().from(apiKeys).where(eq(apiKeys.id, created.data.apiKeyId));
    expect(used.lastUsedAt).toBeInstanceOf(Date);

    await revokeApiKey.run(env.deps, a.owner, { apiKeyId: created.data.apiKeyId });
    expect((await call(`Bearer ${created.data.key}`)).status).toBe(401);
  });
});
