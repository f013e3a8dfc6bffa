import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { closeDb } from "@/db";
import { memberships, webhooks } from "@/db/schema";
import { createRole } from "@/lib/actions/roles";
import { createWebhook, updateWebhook } from "@/lib/actions/webhooks";
import { revokeApiKey } from "@/lib/actions/api-keys";
import { webhookListResponseSchema, webhookResponseSchema } from "@/lib/openapi";
import { readAuthSecrets } from "@/lib/webhooks";
import { apiClient, keyFor } from "@/tests/api";
import { addMember, makeCompany, testEnvironment } from "@/tests/helpers";
import * as collection from "./route";
import * as item from "./[id]/route";
import * as rotate from "./[id]/rotate-secret/route";
import * as history from "./[id]/deliveries/route";

const env = testEnvironment();
afterAll(async () => {
  await closeDb();
  await env.close();
});

const BASIC = "basic-PLAIN-pw-7f3a";
const API_KEY_VALUE = "apikey-PLAIN-value-19c2";
const BEARER = "bearer-PLAIN-token-55e1";

let a: Awaited<ReturnType<typeof makeCompany>>;
let owner: ReturnType<typeof apiClient>;
let ownerKey: string;
let otherCompanyWebhookId: string;
/** Every client of this file, so the secret search covers all responses. */
const clients: ReturnType<typeof apiClient>[] = [];
const signingSecrets: string[] = [];

function client(key: string | null) {
  const c = apiClient(key);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  a = await makeCompany(env.deps, "API Co");
  ownerKey = await keyFor(env.deps, a.owner);
  owner = client(ownerKey);
  const b = await makeCompany(env.deps, "Other API Co");
  const theirs = await createWebhook.run(env.deps, b.owner, {
    name: "Theirs",
    eventType: "deal.updated",
    url: "https://b.example.com/hook",
  });
  if (!theirs.ok) throw new Error(theirs.error);
  otherCompanyWebhookId = theirs.data.webhookId;
});

const path = (id: string, rest = "") => `/api/v1/webhooks/${id}${rest}`;

async function createOne(input: Record<string, unknown>) {
  const res = await owner.call(collection.POST, "/api/v1/webhooks", {
    method: "POST",
    body: { eventType: "deal.updated", url: "https://erp.example.com/hook", ...input },
  });
  expect(res.status, res.text).toBe(201);
  signingSecrets.push(res.json.signingSecret);
  return res.json.webhook.id as string;
}

async function storedRow(id: string) {
  const [row] = await env.db.select().from(webhooks).where(eq(webhooks.id, id));
  return row;
}

describe("webhooks over the management API", () => {
  it("creates (201, signing secret once), lists, reads, replaces, patches and deletes", async () => {
    const created = await owner.call(collection.POST, "/api/v1/webhooks", {
      method: "POST",
      body: {
        name: "Orders to ERP",
        eventType: "deal.updated",
        url: "https://erp.example.com/deals/{{data.id}}",
        method: "PUT",
        active: true,
        headers: [{ name: "X-Source", value: "hookrelay" }],
        auth: { type: "basic", username: "erp", password: BASIC },
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json.signingSecret).toMatch(/^whsec_/);
    signingSecrets.push(created.json.signingSecret);
    const webhook = webhookResponseSchema.parse(created.json.webhook);
    expect(webhook).toMatchObject({
      name: "Orders to ERP",
      method: "PUT",
      active: true,
      headers: [{ name: "X-Source", value: "hookrelay" }],
      auth: { type: "basic", username: "erp", hasPassword: true },
    });
    const id = webhook.id;

    const listed = await owner.call(collection.GET, "/api/v1/webhooks?q=orders&pageSize=5");
    expect(listed.status).toBe(200);
    expect(webhookListResponseSchema.parse(listed.json)).toMatchObject({
      page: 1,
      pageSize: 5,
      total: 1,
      webhooks: [{ id, name: "Orders to ERP" }],
    });

    const read = await owner.call(item.GET, path(id), { params: { id } });
    expect(read.status).toBe(200);
    expect(read.json.webhook).toEqual(created.json.webhook);

    // PUT replaces: what is absent takes its default; the absent password keeps the stored one.
    const put = await owner.call(item.PUT, path(id), {
      method: "PUT",
      params: { id },
      body: {
        name: "Orders v2",
        eventType: "deal.updated",
        url: "https://erp.example.com/v2",
        auth: { type: "basic", username: "erp2" },
      },
    });
    expect(put.status, put.text).toBe(200);
    expect(webhookResponseSchema.parse(put.json.webhook)).toMatchObject({
      name: "Orders v2",
      method: "POST",
      active: false,
      headers: [],
      auth: { type: "basic", username: "erp2", hasPassword: true },
    });
    expect(readAuthSecrets(await storedRow(id))).toEqual({ basicPassword: BASIC });

    // PATCH merges over the stored configuration; arrays replace; null resets to the default.
    const patched = await owner.call(item.PATCH, path(id), {
      method: "PATCH",
      params: { id },
      contentType: "application/merge-patch+json",
      body: {
        description: "Sends won deals",
        headers: [{ name: "X-A", value: "1" }],
        retryPolicy: { type: "preset", preset: "vtiger" },
      },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.webhook).toMatchObject({
      name: "Orders v2",
      url: "https://erp.example.com/v2",
      description: "Sends won deals",
      headers: [{ name: "X-A", value: "1" }],
      retryPolicy: { preset: "vtiger" },
      auth: { type: "basic", username: "erp2", hasPassword: true },
    });
    expect(readAuthSecrets(await storedRow(id))).toEqual({ basicPassword: BASIC });
    const reset = await owner.call(item.PATCH, path(id), {
      method: "PATCH",
      params: { id },
      body: { description: null, auth: { username: "erp3" } },
    });
    expect(reset.json.webhook).toMatchObject({
      description: "",
      auth: { type: "basic", username: "erp3", hasPassword: true },
    });

    // A new auth type needs its secret, named by its field.
    const noToken = await owner.call(item.PATCH, path(id), {
      method: "PATCH",
      params: { id },
      body: { auth: { type: "bearer" } },
    });
    expect(noToken.status).toBe(422);
    expect(noToken.json.error).toEqual({
      code: "invalid",
      message: "auth.token: Token is required",
      field: "auth.token",
      fields: { "auth.token": ["Token is required"] },
    });
    const bearer = await owner.call(item.PATCH, path(id), {
      method: "PATCH",
      params: { id },
      body: { auth: { type: "bearer", token: BEARER } },
    });
    expect(bearer.json.webhook.auth).toEqual({ type: "bearer", hasToken: true });
    const apiKey = await owner.call(item.PATCH, path(id), {
      method: "PATCH",
      params: { id },
      body: { auth: { type: "api_key", name: "X-Key", value: API_KEY_VALUE } },
    });
    expect(apiKey.json.webhook.auth).toEqual({ type: "api_key", in: "header", name: "X-Key", hasValue: true });
    expect(readAuthSecrets(await storedRow(id))).toEqual({ apiKeyValue: API_KEY_VALUE });

    const deleted = await owner.call(item.DELETE, path(id), { method: "DELETE", params: { id } });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect((await owner.call(item.GET, path(id), { params: { id } })).status).toBe(404);
  });

  it("takes LeadSquared event naming and XML (extended), returns them, and refuses an unknown naming", async () => {
    const id = await createOne({
      name: "LeadSquared style",
      includeEntityParams: true,
      eventNaming: "leadsquared",
      body: { mode: "raw", encoding: "xml_extended" },
    });
    const read = await owner.call(item.GET, path(id), { params: { id } });
    expect(read.json.webhook).toMatchObject({
      includeEntityParams: true,
      eventNaming: "leadsquared",
      body: { mode: "raw", encoding: "xml_extended" },
    });
    const reset = await owner.call(item.PATCH, path(id), {
      method: "PATCH",
      params: { id },
      body: { eventNaming: null },
    });
    expect(reset.json.webhook.eventNaming).toBe("hookrelay");
    const bad = await owner.call(item.PATCH, path(id), {
      method: "PATCH",
      params: { id },
      body: { eventNaming: "salesforce" },
    });
    expect(bad.status).toBe(422);
    expect(bad.json.error.field).toBe("eventNaming");
    expect(bad.json.error.message).toContain('eventNaming must be "hookrelay" or "leadsquared"');
  });

  it("rotates the signing secret: returned once, the previous one valid for the overlap", async () => {
    const id = await createOne({ name: "Rotating" });
    const rotated = await owner.call(rotate.POST, path(id, "/rotate-secret"), { method: "POST", params: { id } });
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.json.signingSecret).toMatch(/^whsec_/);
    signingSecrets.push(rotated.json.signingSecret);
    expect(new Date(rotated.json.previousValidUntil).getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    const read = await owner.call(item.GET, path(id), { params: { id } });
    expect(read.json.webhook.previousSigningSecretValidUntil).toBe(rotated.json.previousValidUntil);
    const tooLong = await owner.call(rotate.POST, path(id, "/rotate-secret"), {
      method: "POST",
      params: { id },
      body: { overlapHours: 500 },
    });
    expect(tooLong.status).toBe(422);
    expect(tooLong.json.error.field).toBe("overlapHours");
  });

  it("gives the same field paths and messages as the form's action for the same invalid input", async () => {
    const cases = [
      {
        name: "Bad",
        eventType: "deal.updated",
        url: "crm.example.com/hook",
        headers: [{ name: "X Api Key", value: "v" }],
      },
      {
        name: "",
        eventType: "deal.updated",
        url: "https://ok.example.com",
        headers: [{ name: "X-Ok", value: "a\nb" }],
        timeoutSeconds: 99,
      },
      { name: "Unknown type", eventType: "deal.exploded", url: "https://ok.example.com" },
    ];
    for (const input of cases) {
      const direct = await createWebhook.run(env.deps, a.owner, input);
      const viaApi = await owner.call(collection.POST, "/api/v1/webhooks", { method: "POST", body: input });
      if (direct.ok) throw new Error("expected the action to refuse");
      expect(viaApi.status).toBe(422);
      expect(viaApi.json.error).toEqual({
        code: "invalid",
        message: direct.error,
        field: Object.keys(direct.fieldErrors!)[0],
        fields: direct.fieldErrors,
      });
    }
    const first = await createWebhook.run(env.deps, a.owner, cases[0]);
    if (first.ok) throw new Error("expected the action to refuse");
    expect(first.fieldErrors?.url[0]).toBe("The URL must start with http:// or https://");
    expect(first.fieldErrors?.["headers.0.name"][0]).toBe(
      "Header names cannot contain spaces (HTTP does not allow them); use a dash, e.g. X-Api-Key",
    );

    // And on update: PUT against the updateWebhook action.
    const id = await createOne({ name: "Target" });
    const direct = await updateWebhook.run(env.deps, a.owner, { ...cases[0], webhookId: id });
    const viaApi = await owner.call(item.PUT, path(id), { method: "PUT", params: { id }, body: cases[0] });
    if (direct.ok) throw new Error("expected the action to refuse");
    expect(viaApi.status).toBe(422);
    expect(viaApi.json.error.fields).toEqual(direct.fieldErrors);
  });

  it("answers 404 for ids that are not UUIDs and for another company's webhooks, changing nothing", async () => {
    const before = await storedRow(otherCompanyWebhookId);
    for (const id of ["not-a-uuid", "123", otherCompanyWebhookId]) {
      const params = { id };
      const responses = [
        await owner.call(item.GET, path(id), { params }),
        await owner.call(item.PUT, path(id), {
          method: "PUT",
          params,
          body: { name: "Mine now", eventType: "deal.updated", url: "https://x.example.com" },
        }),
        await owner.call(item.PATCH, path(id), { method: "PATCH", params, body: { name: "Mine now" } }),
        await owner.call(item.DELETE, path(id), { method: "DELETE", params }),
        await owner.call(rotate.POST, path(id, "/rotate-secret"), { method: "POST", params }),
        await owner.call(history.GET, path(id, "/deliveries"), { params }),
      ];
      for (const res of responses) {
        expect(res.status, `${id}: ${res.text}`).toBe(404);
        expect(res.json.error.code).toBe("not_found");
      }
    }
    expect(await storedRow(otherCompanyWebhookId)).toEqual(before);
  });

  it("acts as the key's creator with their current role: view-only reads, no write; no role, no read", async () => {
    const id = await createOne({ name: "Guarded", headers: [{ name: "X-Keep", value: "1" }] });
    const viewerRole = await createRole.run(env.deps, a.owner, { name: "Viewer", permissions: ["webhooks.view"] });
    if (!viewerRole.ok) throw new Error(viewerRole.error);
    // Keys are made while the creators hold Admin (Manage API Keys), then their roles change.
    const viewer = await addMember(env.db, a.companyId, a.roles.Admin.id);
    const member = await addMember(env.db, a.companyId, a.roles.Admin.id);
    const leaver = await addMember(env.db, a.companyId, a.roles.Admin.id);
    const viewerApi = client(await keyFor(env.deps, viewer.caller));
    const memberApi = client(await keyFor(env.deps, member.caller));
    const leaverApi = client(await keyFor(env.deps, leaver.caller));
    await env.db
      .update(memberships)
      .set({ roleId: viewerRole.data.roleId })
      .where(eq(memberships.id, viewer.membershipId));
    await env.db.update(memberships).set({ roleId: a.roles.Member.id }).where(eq(memberships.id, member.membershipId));
    await env.db.delete(memberships).where(eq(memberships.id, leaver.membershipId));
    const before = await storedRow(id);
    const params = { id };

    expect((await viewerApi.call(collection.GET, "/api/v1/webhooks")).status).toBe(200);
    expect((await viewerApi.call(item.GET, path(id), { params })).status).toBe(200);
    expect((await viewerApi.call(history.GET, path(id, "/deliveries"), { params })).status).toBe(200);
    const writes = [
      await viewerApi.call(collection.POST, "/api/v1/webhooks", {
        method: "POST",
        body: { name: "No", eventType: "deal.updated", url: "https://x.example.com" },
      }),
      await viewerApi.call(item.PUT, path(id), {
        method: "PUT",
        params,
        body: { name: "No", eventType: "deal.updated", url: "https://x.example.com" },
      }),
      await viewerApi.call(item.PATCH, path(id), { method: "PATCH", params, body: { name: "No" } }),
      await viewerApi.call(item.DELETE, path(id), { method: "DELETE", params }),
      await viewerApi.call(rotate.POST, path(id, "/rotate-secret"), { method: "POST", params }),
    ];
    for (const res of writes) {
      expect(res.status, res.text).toBe(403);
      expect(res.json.error).toMatchObject({
        code: "forbidden",
        message: "You need the Manage Webhooks permission to do this",
      });
    }
    for (const api of [memberApi, leaverApi]) {
      expect((await api.call(collection.GET, "/api/v1/webhooks")).status).toBe(403);
      expect((await api.call(item.GET, path(id), { params })).status).toBe(403);
      expect((await api.call(item.PATCH, path(id), { method: "PATCH", params, body: { name: "No" } })).status).toBe(
        403,
      );
    }
    expect(await storedRow(id)).toEqual(before);

    // Granting the permission takes effect on the next request.
    await env.db.update(memberships).set({ roleId: a.roles.Admin.id }).where(eq(memberships.id, member.membershipId));
    expect(
      (await memberApi.call(item.PATCH, path(id), { method: "PATCH", params, body: { name: "Renamed by the member" } }))
        .status,
    ).toBe(200);
  });

  it("answers 401 without a key or with a revoked one", async () => {
    const anonymous = client(null);
    const res = await anonymous.call(collection.GET, "/api/v1/webhooks");
    expect(res.status).toBe(401);
    expect(res.json.error).toMatchObject({ code: "unauthorized", field: "authorization" });
    const key = await keyFor(env.deps, a.owner, "to revoke");
    const revoking = client(key);
    expect((await revoking.call(collection.GET, "/api/v1/webhooks")).status).toBe(200);
    const keyRow = await env.db.query.apiKeys.findFirst({
      where: (k, { and: all, eq: is }) => all(is(k.companyId, a.companyId), is(k.name, "to revoke")),
    });
    await revokeApiKey.run(env.deps, a.owner, { apiKeyId: keyRow!.id });
    expect((await revoking.call(collection.GET, "/api/v1/webhooks")).status).toBe(401);
  });

  it("answers 400 for malformed JSON or a non-object body and 413 over 1 MiB", async () => {
    const id = await createOne({ name: "Body checks" });
    const cases: [number, Promise<{ status: number; json: { error: { field?: string } } }>][] = [
      [400, owner.call(collection.POST, "/api/v1/webhooks", { method: "POST", raw: "{not json" })],
      [400, owner.call(collection.POST, "/api/v1/webhooks", { method: "POST", raw: "[1, 2]" })],
      [400, owner.call(item.PATCH, path(id), { method: "PATCH", params: { id }, raw: '"just a string"' })],
      [
        413,
        owner.call(collection.POST, "/api/v1/webhooks", {
          method: "POST",
          body: {
            name: "Big",
            eventType: "deal.updated",
            url: "https://x.example.com",
            description: "x".repeat(1024 * 1024),
          },
        }),
      ],
    ];
    for (const [status, pending] of cases) {
      const res = await pending;
      expect(res.status).toBe(status);
      expect(res.json.error.field).toBe("body");
    }
    const listBad = await owner.call(collection.GET, "/api/v1/webhooks?pageSize=500");
    expect(listBad.status).toBe(422);
    expect(listBad.json.error.field).toBe("pageSize");
  });

  it("never returns a secret: not the auth secrets, nor a signing secret after the response that created it", () => {
    const all = clients.flatMap((c) => c.transcript);
    expect(all.length).toBeGreaterThan(30);
    for (const secret of [BASIC, API_KEY_VALUE, BEARER]) {
      expect(all.filter((t) => t.includes(secret))).toEqual([]);
    }
    for (const secret of signingSecrets) expect(all.filter((t) => t.includes(secret))).toHaveLength(1);
    expect(all.filter((t) => /Encrypted|whsec_/.test(t) && !signingSecrets.some((s) => t.includes(s)))).toEqual([]);
  });

  it("answers a JSON 503 with Retry-After while the database is unreachable", async () => {
    const url = process.env.DATABASE_URL;
    process.env.DATABASE_URL = "postgres://hookrelay@127.0.0.1:1/nowhere";
    try {
      const res = await collection.GET(
        new Request("http://localhost/api/v1/webhooks", { headers: { authorization: `Bearer ${ownerKey}` } }),
      );
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect((await res.json()).error.code).toBe("unavailable");
    } finally {
      await closeDb();
      process.env.DATABASE_URL = url;
    }
  });
});
